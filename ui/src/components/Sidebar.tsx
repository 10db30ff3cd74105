import { useAppStatus } from "../data/queries";
import type { ScreenDef } from "../screens";
import { LogoMark } from "./Logo";

import "./Sidebar.css";

type Props = { screens: readonly ScreenDef[]; activeId: string };

export function Sidebar({ screens, activeId }: Props) {
  const status = useAppStatus();
  return (
    <aside className="sidebar">
      <div className="sidebar__brand">
        <LogoMark size={22} />
        <span className="sidebar__name">Patchbay</span>
      </div>
      <nav className="sidebar__nav" aria-label="Main">
        <ul>
          {screens.map(({ id, label, icon: Icon }) => {
            const active = id === activeId;
            return (
              <li key={id}>
                <a href={`#/${id}`} className="nav-item" aria-current={active ? "page" : undefined}>
                  <Icon size={16} className="nav-item__icon" />
                  {label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      {status.data && (
        <p className="sidebar__footer" title={`Data: ${status.data.home}`}>
          Version {status.data.version}
        </p>
      )}
    </aside>
  );
}
