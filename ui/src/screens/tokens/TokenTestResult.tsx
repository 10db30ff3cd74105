import type { TokenTestReport } from "../../bindings/TokenTestReport";
import { Badge } from "../../components/kit";
import { describeReport, shapeRows } from "./model";

type Props = {
  report: TokenTestReport;
  /** The form changed since this test ran. */
  stale?: boolean;
};

/**
 * What a token request did: status and latency, then where the token was (its first 4
 * characters and length only) or, when none was found, the response's shape and why.
 */
export function TokenTestResult({ report, stale = false }: Props) {
  const { headline, lines } = describeReport(report);
  const shape = report.ok ? null : shapeRows(report.shape);
  return (
    <div
      className={report.ok ? "test-result test-result--ok" : "test-result test-result--failed"}
      data-testid="token-test-result"
      data-ok={String(report.ok)}
      role="status"
    >
      <div className="test-result__head">
        <Badge tone={report.ok ? "success" : "danger"} dot>
          {report.ok ? "Token found" : "No token found"}
        </Badge>
        <span className="test-result__headline">{headline}</span>
      </div>
      {report.ok && report.found ? (
        <p className="test-result__line" data-testid="token-test-found">
          Found at <code>{report.found.path}</code>: <code>{report.found.preview}…</code> (
          {report.found.length} characters)
        </p>
      ) : (
        lines.map((line) => (
          <p key={line} className="test-result__line">
            {line}
          </p>
        ))
      )}
      {typeof shape === "string" && (
        <p className="test-result__line" data-testid="token-test-shape">
          The response is a {shape}, not an object.
        </p>
      )}
      {Array.isArray(shape) && (
        <div data-testid="token-test-shape">
          <p className="test-result__line">
            The response has these top-level keys (values are never shown):
          </p>
          {shape.length === 0 ? (
            <p className="test-result__line">An empty object.</p>
          ) : (
            <dl className="test-result__shape">
              {shape.map((s) => (
                <div key={s.key}>
                  <dt>{s.key}</dt>
                  <dd>{s.type}</dd>
                </div>
              ))}
            </dl>
          )}
          <p className="test-result__hint">Point the token path at the key that holds it.</p>
        </div>
      )}
      {stale && (
        <p className="test-result__hint" data-testid="token-test-stale">
          The request changed since this test: run it again.
        </p>
      )}
    </div>
  );
}
