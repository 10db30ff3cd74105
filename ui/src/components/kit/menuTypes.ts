import type { ReactNode } from "react";

export type MenuItem = {
  label: string;
  onSelect: () => void;
  testId?: string;
  destructive?: boolean;
  disabled?: boolean;
  /** Draws a line above this item (groups the menu). */
  separatorBefore?: boolean;
};

export type MenuProps = {
  /** The trigger's accessible name, e.g. "More actions for linear". */
  label: string;
  /** Trigger content; defaults to a ⋮ icon. */
  trigger?: ReactNode;
  items: MenuItem[];
  testId?: string;
};

/** The keys that open the menu from its button. */
export const OPEN_KEYS = ["Enter", " ", "ArrowDown"];

/** How a menu was first opened: by the pointer, or by one of `OPEN_KEYS`. */
export type OpenedBy = "pointer" | "keyboard";
