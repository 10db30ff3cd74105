import { DropdownMenu } from "radix-ui";
import { Fragment, useRef, type ReactNode } from "react";

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

/** The keys that open the menu from its button. */
const OPEN_KEYS = ["Enter", " ", "ArrowDown"];

/** A ⋮ button opening a menu (arrow keys move, Enter picks, Escape closes). */
export function Menu({ label, trigger, items, testId }: Props) {
  // Opened from the keyboard, the first item takes the focus (the menu button pattern). Radix
  // does that when the menu gets the focus, if its items have registered by then; under
  // Preact they register a frame later (Radix then leaves the focus on the menu itself), so
  // the menu does it here.
  const byKeyboard = useRef(false);
  const content = useRef<HTMLDivElement>(null);
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger
        className="menu-trigger"
        aria-label={label}
        data-testid={testId}
        onPointerDown={() => {
          byKeyboard.current = false;
        }}
        onKeyDown={(event) => {
          byKeyboard.current = OPEN_KEYS.includes(event.key);
        }}
      >
        {trigger ?? <MoreIcon />}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          ref={content}
          className="menu"
          align="end"
          sideOffset={4}
          collisionPadding={8}
          onFocus={(event) => {
            // Radix focuses the menu itself as it opens.
            if (!byKeyboard.current || event.target !== event.currentTarget) return;
            byKeyboard.current = false;
            content.current
              ?.querySelector<HTMLElement>('[role="menuitem"]:not([data-disabled])')
              ?.focus();
          }}
        >
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
