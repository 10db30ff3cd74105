/**
 * Generated log rows for the in-browser mock (`?mock=logs`: 100,000 rows, to try the
 * virtual list; other scenarios: a few hundred; `empty`: none). Filtered like the backend.
 */
import type { LogBar } from "../../bindings/LogBar";
import type { LogEntry } from "../../bindings/LogEntry";
import type { LogHistogram } from "../../bindings/LogHistogram";
import type { LogKind } from "../../bindings/LogKind";
import type { LogQuery } from "../../bindings/LogQuery";

const SUBJECTS = ["linear", "github", "weather-api", "notion", "internal-search"];
const KINDS: LogKind[] = [
  "call",
  "call",
  "call",
  "call",
  "test",
  "token_fetch",
  "refresh",
  "health",
];
const TOOLS = ["list_issues", "create_issue", "search_code", "get_page", "forecast"];

/** Row `i` of `count`, one every 6 seconds up to now. */
function row(i: number, count: number, now: number): LogEntry {
  const subject = SUBJECTS[i % SUBJECTS.length] ?? "linear";
  const kind = KINDS[(i * 7) % KINDS.length] ?? "call";
  const tool = TOOLS[(i * 3) % TOOLS.length] ?? "list_issues";
  const failed = i % 17 === 0;
  const status = failed ? (i % 2 === 0 ? 401 : 503) : 200;
  return {
    id: i + 1,
    at: new Date(now - (count - 1 - i) * 6_000).toISOString(),
    subject,
    kind,
    outcome: failed ? "error" : "ok",
    status,
    latencyMs: 40 + ((i * 37) % 900),
    summary:
      kind === "call"
        ? `tools/call ${tool} → ${failed ? `HTTP ${status}` : "ok"}`
        : `${kind.replace("_", " ")} ${subject} → ${failed ? `HTTP ${status}` : "ok"}`,
    request: {
      method: "POST",
      url: `https://mcp.${subject}.example/mcp`,
      headers: [
        ["Authorization", "[redacted]"],
        ["Content-Type", "application/json"],
      ],
      body: {
        jsonrpc: "2.0",
        id: i,
        method: "tools/call",
        params: { name: tool, arguments: { query: `q${i}` } },
      },
    },
    response: failed
      ? { status, body: { error: status === 401 ? "invalid_token" : "unavailable" } }
      : {
          status,
          body: {
            jsonrpc: "2.0",
            id: i,
            result: { content: [{ type: "text", text: `result ${i}` }] },
          },
        },
    errorCode: failed ? (status === 401 ? "auth_rejected" : "server_error") : null,
  };
}

let cache: { scenario: string; rows: LogEntry[] } | null = null;

function rowsFor(scenario: string): LogEntry[] {
  if (cache?.scenario !== scenario) {
    const count = scenario === "empty" ? 0 : scenario === "logs" ? 100_000 : 400;
    const now = Date.now();
    cache = { scenario, rows: Array.from({ length: count }, (_, i) => row(i, count, now)) };
  }
  return cache.rows;
}

export function listLogsMock(scenario: string, q: LogQuery): LogEntry[] {
  const search = q.search?.toLowerCase() ?? null;
  const matches = rowsFor(scenario).filter(
    (r) =>
      (q.subject === null || r.subject?.toLowerCase() === q.subject.toLowerCase()) &&
      (q.since === null || r.at >= q.since) &&
      (q.until === null || r.at < q.until) &&
      (q.kind === null || r.kind === q.kind) &&
      (q.outcome === null || r.outcome === q.outcome) &&
      (q.afterId === null || r.id > q.afterId) &&
      (search === null ||
        r.summary.toLowerCase().includes(search) ||
        JSON.stringify([r.request, r.response]).toLowerCase().includes(search)),
  );
  const picked =
    q.limit === null
      ? matches
      : q.afterId === null
        ? matches.slice(-q.limit)
        : matches.slice(0, q.limit);
  return q.brief ? picked.map((r) => ({ ...r, request: null, response: null })) : picked;
}

export function getLogMock(scenario: string, id: number): LogEntry | null {
  return rowsFor(scenario).find((r) => r.id === id) ?? null;
}

/** Bar widths as the backend picks them (logs.rs): the narrowest giving at most 60 bars. */
const WIDTHS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];

export function logHistogramMock(scenario: string, q: LogQuery): LogHistogram {
  const rows = listLogsMock(scenario, { ...q, afterId: null, limit: null, brief: true });
  const end = Math.floor((q.until ? Date.parse(q.until) : Date.now()) / 1000);
  const first = rows[0];
  if (!q.since && !first) return { bucketSecs: 60, bars: [] };
  const start = Math.floor(Date.parse(q.since ?? first?.at ?? "") / 1000);
  const span = Math.max(end - start, 1);
  const width = WIDTHS.find((w) => Math.ceil(span / w) <= 60) ?? 604800;
  const from = Math.floor(start / width) * width;
  const bars: LogBar[] = Array.from({ length: Math.floor((end - from) / width) + 1 }, (_, i) => ({
    at: from + i * width,
    rows: 0,
    errors: 0,
  }));
  for (const r of rows) {
    const bar = bars[Math.floor((Math.floor(Date.parse(r.at) / 1000) - from) / width)];
    if (bar) {
      bar.rows += 1;
      if (r.outcome === "error") bar.errors += 1;
    }
  }
  return { bucketSecs: width, bars };
}
