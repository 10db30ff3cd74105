import { lazy, Suspense, useState } from "react";

import { MoreIcon } from "./icons";
import { OPEN_KEYS, type MenuProps, type OpenedBy } from "./menuTypes";

import "./Menu.css";

export type { MenuItem } from "./menuTypes";

const loadLiveMenu = () => import("./LiveMenu");
const LiveMenu = lazy(() => loadLiveMenu().then((m) => ({ default: m.LiveMenu })));

/**
 * Fetch Radix's menu (its own chunk) before a menu is first opened: the first screen calls
 * this once it is shown. A failed fetch is tried again when a menu opens.
 */
export function preloadMenu(): void {
  loadLiveMenu().catch(() => {
    // lazy() asks again as a menu opens, and its error shows there.
  });
}

/**
 * A ⋮ button opening a menu (arrow keys move, Enter picks, Escape closes).
 *
 * Until it is first used it is a plain button that looks and reads the same (Radix's trigger
 * attributes, closed): Radix's menu, mounted for every row of a list, cost the first screen's
 * render a few milliseconds a row and a second render each (its trigger registers itself as
 * the popup's anchor), and its code (the menu, the popper, Floating UI: 37 kB) is not in the
 * start-up bundle. The button's pointer-down or opening key mounts Radix's menu, open, in its
 * place (`LiveMenu.tsx`); from then on it is Radix's.
 */
export function Menu(props: MenuProps) {
  const [openedBy, setOpenedBy] = useState<OpenedBy | null>(null);
  const button = (
    <button
      type="button"
      className="menu-trigger"
      aria-label={props.label}
      aria-haspopup="menu"
      aria-expanded={false}
      data-state="closed"
      data-testid={props.testId}
      onPointerDown={(event) => {
        // As Radix's trigger: the main button, without Ctrl (a context click on macOS).
        if (event.button !== 0 || event.ctrlKey) return;
        // The menu takes the focus as it opens, not this button.
        event.preventDefault();
        setOpenedBy("pointer");
      }}
      onKeyDown={(event) => {
        if (!OPEN_KEYS.includes(event.key)) return;
        // Not a click as well (Enter and Space would press the button).
        event.preventDefault();
        setOpenedBy("keyboard");
      }}
    >
      {props.trigger ?? <MoreIcon />}
    </button>
  );
  if (openedBy === null) return button;
  // While its chunk arrives (it is usually fetched already), the button stays as it was.
  return (
    <Suspense fallback={button}>
      <LiveMenu {...props} openedBy={openedBy} />
    </Suspense>
  );
}
