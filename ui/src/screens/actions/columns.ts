/**
 * "flex" columns share the free width (and truncate); "fit" columns shrink to
 * their content. Cells reuse the same class so header and body line up.
 */
export const COLUMNS = [
  { key: "name", label: "Name", size: "flex" },
  { key: "kind", label: "Kind", size: "fit" },
  { key: "url", label: "URL", size: "flex" },
  { key: "auth", label: "Auth", size: "fit" },
  { key: "health", label: "Health", size: "fit" },
  { key: "enabled", label: "Enabled", size: "fit" },
  { key: "more", label: "More", size: "fit", hidden: true },
] as const;

export type ColumnKey = (typeof COLUMNS)[number]["key"];

export const cellClass = Object.fromEntries(
  COLUMNS.map((c) => [c.key, `cell--${c.size} cell--${c.key}`]),
) as Record<ColumnKey, string>;
