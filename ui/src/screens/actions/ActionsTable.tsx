import type { ActionView } from "../../bindings/ActionView";
import { Badge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { useNow } from "../../lib/useNow";
import { authLabel, KIND_LABELS } from "./format";
import { HealthBadge } from "./HealthBadge";

/**
 * "flex" columns share the free width (and truncate); "fit" columns shrink to
 * their content. Cells reuse the same class so header and body line up.
 */
const COLUMNS = [
  { key: "name", label: "Name", size: "flex" },
  { key: "kind", label: "Kind", size: "fit" },
  { key: "url", label: "URL", size: "flex" },
  { key: "auth", label: "Auth", size: "fit" },
  { key: "health", label: "Health", size: "fit" },
  { key: "enabled", label: "Enabled", size: "fit" },
] as const;

type ColumnKey = (typeof COLUMNS)[number]["key"];

const cellClass = Object.fromEntries(
  COLUMNS.map((c) => [c.key, `cell--${c.size} cell--${c.key}`]),
) as Record<ColumnKey, string>;

function Columns() {
  return (
    <thead>
      <tr>
        {COLUMNS.map((c) => (
          <th key={c.key} scope="col" className={cellClass[c.key]}>
            {c.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

type Props = {
  actions: readonly ActionView[];
  /** The active search, for the "no matches" row. */
  query: string;
  onClearQuery: () => void;
};

export function ActionsTable({ actions, query, onClearQuery }: Props) {
  const now = useNow();
  return (
    <div className="table-scroll">
      <table className="actions-table" data-testid="actions-table">
        <Columns />
        <tbody>
          {actions.map((action) => (
            <ActionRow key={action.id} action={action} now={now} />
          ))}
          {actions.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length} className="actions-table__no-match">
                <span>No actions match “{query.trim()}”.</span>
                <Button variant="ghost" size="sm" onClick={onClearQuery}>
                  Clear search
                </Button>
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function ActionRow({ action, now }: { action: ActionView; now: number }) {
  const auth = authLabel(action.auth);
  return (
    <tr
      className={action.enabled ? undefined : "is-disabled"}
      data-testid="action-row"
      data-name={action.name}
      data-enabled={action.enabled}
    >
      <td className={cellClass.name}>
        <div className="cell-name">
          <span className="cell-name__title" title={action.name}>
            {action.name}
          </span>
          {action.description && (
            <span className="cell-name__description" title={action.description}>
              {action.description}
            </span>
          )}
        </div>
      </td>
      <td className={cellClass.kind}>
        <Badge variant="outline" tone={action.kind === "mcp" ? "accent" : "info"}>
          {KIND_LABELS[action.kind]}
        </Badge>
      </td>
      <td className={cellClass.url}>
        <span className="cell-truncate cell-url" title={action.url}>
          {action.url}
        </span>
      </td>
      <td className={cellClass.auth}>
        <span className="cell-truncate" title={auth}>
          {auth}
        </span>
      </td>
      <td className={cellClass.health}>
        <HealthBadge health={action.health} now={now} />
      </td>
      <td className={cellClass.enabled}>
        <Badge tone="neutral" className={action.enabled ? "pill-on" : "pill-off"}>
          {action.enabled ? "Enabled" : "Disabled"}
        </Badge>
      </td>
    </tr>
  );
}

/** Placeholder rows while the first load is in flight. */
export function ActionsTableSkeleton({ rows = 5 }: { rows?: number }) {
  return (
    <div className="table-scroll" role="status" aria-busy="true">
      <span className="visually-hidden">Loading actions…</span>
      <table className="actions-table actions-table--skeleton" aria-hidden="true">
        <Columns />
        <tbody>
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i} data-testid="skeleton-row">
              <td className={cellClass.name}>
                <div className="cell-name">
                  <span className="skeleton" style={{ width: `${55 - (i % 3) * 10}%` }} />
                  <span
                    className="skeleton skeleton--thin"
                    style={{ width: `${80 - (i % 2) * 20}%` }}
                  />
                </div>
              </td>
              <td className={cellClass.kind}>
                <span className="skeleton" style={{ width: 36 }} />
              </td>
              <td className={cellClass.url}>
                <span className="skeleton" style={{ width: `${85 - (i % 3) * 15}%` }} />
              </td>
              <td className={cellClass.auth}>
                <span className="skeleton" style={{ width: 120 }} />
              </td>
              <td className={cellClass.health}>
                <span className="skeleton skeleton--pill" style={{ width: 72 }} />
              </td>
              <td className={cellClass.enabled}>
                <span className="skeleton skeleton--pill" style={{ width: 64 }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
