import { DropdownMenu } from "radix-ui";
import { Fragment, type ReactNode } from "react";

import { MoreIcon } from "./icons";

import "./Menu.css";

export type MenuItem = {
  label: string;
  onSelect: () => void;
  testId?: string;
  destructive?: boolean;
  disabled?: boolean;
  /** Draws a line above this item (groups the menu). */
  separatorBefore?: boolean;
};

type Props = {
  /** The trigger's accessible name, e.g. "More actions for linear". */
  label: string;
  /** Trigger content; defaults to a ⋮ icon. */
  trigger?: ReactNode;
  items: MenuItem[];
  testId?: string;
};

/** A ⋮ button opening a menu (arrow keys move, Enter picks, Escape closes). */
export function Menu({ label, trigger, items, testId }: Props) {
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger className="menu-trigger" aria-label={label} data-testid={testId}>
        {trigger ?? <MoreIcon />}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={4} collisionPadding={8}>
          {items.map((item, i) => (
            <Fragment key={item.testId ?? `${i}-${item.label}`}>
              {item.separatorBefore && i > 0 && <DropdownMenu.Separator className="menu__sep" />}
              <DropdownMenu.Item
                className={item.destructive ? "menu__item menu__item--danger" : "menu__item"}
                data-testid={item.testId}
                disabled={item.disabled}
                onSelect={item.onSelect}
              >
                {item.label}
              </DropdownMenu.Item>
            </Fragment>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
