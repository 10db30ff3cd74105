import { DropdownMenu } from "radix-ui";
import { Fragment, useRef, useState, type ReactNode } from "react";

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

/** How a menu was first opened: by the pointer, or by one of `OPEN_KEYS`. */
type OpenedBy = "pointer" | "keyboard";

/**
 * A ⋮ button opening a menu (arrow keys move, Enter picks, Escape closes).
 *
 * Until it is first used it is a plain button that looks and reads the same (Radix's trigger
 * attributes, closed): Radix's menu, mounted for every row of a list, cost the first screen's
 * render a few milliseconds a row and a second render each (its trigger registers itself as
 * the popup's anchor). The button's pointer-down or opening key mounts Radix's menu, open, in
 * its place; from then on it is Radix's.
 */
export function Menu(props: Props) {
  const [openedBy, setOpenedBy] = useState<OpenedBy | null>(null);
  if (openedBy !== null) return <LiveMenu {...props} openedBy={openedBy} />;
  const { label, trigger, testId } = props;
  return (
    <button
      type="button"
      className="menu-trigger"
      aria-label={label}
      aria-haspopup="menu"
      aria-expanded={false}
      data-state="closed"
      data-testid={testId}
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
      {trigger ?? <MoreIcon />}
    </button>
  );
}

/** Radix's menu, opened at once (it replaces the plain button that was used). */
function LiveMenu({ label, trigger, items, testId, openedBy }: Props & { openedBy: OpenedBy }) {
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
