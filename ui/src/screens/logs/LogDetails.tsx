import { useId } from "react";

import type { LogEntry } from "../../bindings/LogEntry";
import { Badge, Spinner } from "../../components/kit";
import { useLogEntry } from "./data";
import { formatLatency, formatTime, kindLabel, prettyJson } from "./model";

/** The selected row: its fields, then the redacted request and response as indented JSON. */
export function LogDetails({ row }: { row: LogEntry | null }) {
  const headingId = useId();
  // The list's rows are brief: the request and response come with the whole row.
  const whole = useLogEntry(row?.id ?? null);
  if (!row) {
    return (
      <aside className="logs-details logs-details--empty" data-testid="log-details">
        <p>Select a row to see its request and response.</p>
      </aside>
    );
  }
  const failed = row.outcome !== "ok";
  return (
    <aside className="logs-details" aria-labelledby={headingId} data-testid="log-details">
      <h2 id={headingId} className="logs-details__title">
        {row.summary}
      </h2>
      <dl className="logs-details__facts">
        <dt>Time</dt>
        <dd title={row.at}>{formatTime(row.at)}</dd>
        <dt>Action</dt>
        <dd>{row.subject ?? "—"}</dd>
        <dt>Kind</dt>
        <dd>{kindLabel(row.kind)}</dd>
        <dt>Outcome</dt>
        <dd>
          <Badge tone={failed ? "danger" : "success"} dot>
            {failed ? "Error" : "OK"}
          </Badge>
          {row.errorCode && <code className="logs-details__code">{row.errorCode}</code>}
        </dd>
        <dt>Status</dt>
        <dd>{row.status ?? "—"}</dd>
        <dt>Latency</dt>
        <dd>{formatLatency(row.latencyMs)}</dd>
      </dl>
      {whole.isPending ? (
        <div className="logs-details__loading">
          <Spinner label="Loading the request and response…" size={16} />
        </div>
      ) : whole.isError ? (
        <p className="logs-details__gone" role="alert">
          Couldn’t load this row’s request and response: {whole.error.message}
        </p>
      ) : whole.data === null ? (
        <p className="logs-details__gone">
          This row is no longer stored (log retention removed it).
        </p>
      ) : (
        <>
          <h3 className="logs-details__label">Request</h3>
          <pre className="logs-details__json" data-testid="log-request">
            {prettyJson(whole.data?.request ?? null)}
          </pre>
          <h3 className="logs-details__label">Response</h3>
          <pre className="logs-details__json" data-testid="log-response">
            {prettyJson(whole.data?.response ?? null)}
          </pre>
        </>
      )}
      <p className="logs-details__note">
        Credentials and secret values were redacted before the row was written.
      </p>
    </aside>
  );
}
