import type { LogEntry } from "../../bindings/LogEntry";

/** A log row for tests: a successful call of `linear` unless overridden. */
export function logRow(id: number, overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    id,
    at: new Date(Date.UTC(2026, 10, 24, 9, 0, id % 60)).toISOString(),
    subject: "linear",
    kind: "call",
    outcome: "ok",
    status: 200,
    latencyMs: 42,
    summary: `tools/call list_issues #${id}`,
    request: { headers: [["Authorization", "[redacted]"]], body: { id } },
    response: { status: 200 },
    errorCode: null,
    ...overrides,
  };
}
