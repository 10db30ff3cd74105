import type { ActionView } from "../../bindings/ActionView";
import { Button } from "../../components/kit";
import { useNow } from "../../lib/useNow";
import { ActionRow } from "./ActionRow";
import { cellClass, COLUMNS } from "./columns";

function Columns() {
  return (
    <thead>
      <tr>
        {COLUMNS.map((c) => (
          <th key={c.key} scope="col" className={cellClass[c.key]}>
            {"hidden" in c ? <span className="visually-hidden">{c.label}</span> : c.label}
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
                <span className="skeleton skeleton--pill" style={{ width: 30 }} />
              </td>
              <td className={cellClass.more}>
                <span className="skeleton" style={{ width: 16 }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
