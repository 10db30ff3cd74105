import { DropdownMenu } from "radix-ui";
import { Fragment, useRef } from "react";

import { MoreIcon } from "./icons";
import { OPEN_KEYS, type MenuProps, type OpenedBy } from "./menuTypes";

import "./Menu.css";

/** Radix's menu, opened at once (it replaces the plain button that was used). */
export function LiveMenu({
  label,
  trigger,
  items,
  testId,
  openedBy,
}: MenuProps & { openedBy: OpenedBy }) {
  // Opened from the keyboard, the first item takes the focus (the menu button pattern). Radix
  // does that when the menu gets the focus, if its items have registered by then; under
  // Preact they register a frame later (Radix then leaves the focus on the menu itself), so
  // the menu does it here.
  const byKeyboard = useRef(openedBy === "keyboard");
  const content = useRef<HTMLDivElement>(null);
  return (
    <DropdownMenu.Root modal={false} defaultOpen>
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
