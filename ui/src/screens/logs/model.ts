/**
 * The Logs screen's pure logic: filters → the backend's query, following new rows, the
 * selection moved by the keyboard.
 */
import type { LogEntry } from "../../bindings/LogEntry";
import type { LogKind } from "../../bindings/LogKind";
import type { LogQuery } from "../../bindings/LogQuery";

/** Rows loaded at most: the log's own retention (100,000 rows by default). */
export const MAX_ROWS = 100_000;

/** Fixed row height in pixels (the virtual list depends on it). */
export const ROW_HEIGHT = 32;

/** How long the search box waits after the last keystroke. */
export const SEARCH_DEBOUNCE_MS = 300;

/** Live tail polls this often. */
export const TAIL_INTERVAL_MS = 1000;

export const ALL = "all";

export const KINDS: readonly { value: LogKind; label: string }[] = [
  { value: "call", label: "Call" },
  { value: "test", label: "Test" },
  { value: "token_fetch", label: "Token fetch" },
  { value: "refresh", label: "Refresh" },
  { value: "connect", label: "Connect" },
  { value: "disconnect", label: "Disconnect" },
  { value: "health", label: "Health" },
  { value: "breaker", label: "Breaker" },
  { value: "approval", label: "Approval" },
  { value: "gateway", label: "Gateway" },
  { value: "gateway_key", label: "Access key" },
  { value: "gateway_auth", label: "Gateway sign-in" },
  { value: "import", label: "Import" },
];

export const OUTCOMES = [
  { value: ALL, label: "Any outcome" },
  { value: "ok", label: "OK" },
  { value: "error", label: "Error" },
] as const;

export const RANGES = [
  { value: "15m", label: "Last 15 min", ms: 15 * 60_000 },
  { value: "1h", label: "Last hour", ms: 60 * 60_000 },
  { value: "24h", label: "Last 24 h", ms: 24 * 60 * 60_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 24 * 60 * 60_000 },
  { value: ALL, label: "All time", ms: null },
] as const;

export type Range = (typeof RANGES)[number]["value"];
export type Outcome = (typeof OUTCOMES)[number]["value"];

export type Filters = {
  /** An action's name, or "all". */
  action: string;
  kind: LogKind | typeof ALL;
  outcome: Outcome;
  range: Range;
  /** What the search box holds (sent once debounced). */
  search: string;
  /** A histogram bar picked: its rows alone ([from, to) in Unix seconds). */
  bar: Bar | null;
};

export type Bar = { from: number; to: number };

export const DEFAULT_FILTERS: Filters = {
  action: ALL,
  kind: ALL,
  outcome: ALL,
  range: ALL,
  search: "",
  bar: null,
};

export function isKind(value: string): value is LogKind {
  return KINDS.some((k) => k.value === value);
}

export function isOutcome(value: string): value is Outcome {
  return OUTCOMES.some((o) => o.value === value);
}

export function isRange(value: string): value is Range {
  return RANGES.some((r) => r.value === value);
}

/**
 * The backend query for `filters`; `since` is computed from `now` (the time the filters were
 * chosen), so the query stays the same while new rows are followed.
 */
export function toQuery(filters: Filters, now: Date, limit = MAX_ROWS): LogQuery {
  const range = RANGES.find((r) => r.value === filters.range);
  const ms = range?.ms ?? null;
  const search = filters.search.trim();
  return {
    subject: filters.action === ALL ? null : filters.action,
    since: filters.bar
      ? iso(filters.bar.from)
      : ms === null
        ? null
        : new Date(now.getTime() - ms).toISOString(),
    until: filters.bar ? iso(filters.bar.to) : null,
    kind: filters.kind === ALL ? null : filters.kind,
    outcome: filters.outcome === ALL ? null : filters.outcome,
    search: search === "" ? null : search,
    afterId: null,
    limit,
    // The list needs no request / response: the details pane fetches its row whole.
    brief: true,
  };
}

const iso = (unixSecs: number) => new Date(unixSecs * 1000).toISOString();

/** The histogram's query: the filters over the whole time range (a picked bar aside). */
export function histogramQuery(filters: Filters, now: Date): LogQuery {
  return { ...toQuery({ ...filters, bar: null }, now), limit: null, brief: null };
}

/** The bar starting at `at`, `width` seconds wide. */
export function barAt(at: number, width: number): Bar {
  return { from: at, to: at + width };
}

const SHORT = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});
const CLOCK = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/** "Dec 5, 10:00 – 10:30" (the end's date too when it is another day). */
export function barText(bar: Bar): string {
  const from = new Date(bar.from * 1000);
  const to = new Date(bar.to * 1000);
  const sameDay = from.toDateString() === new Date(bar.to * 1000 - 1).toDateString();
  return `${SHORT.format(from)} – ${sameDay ? CLOCK.format(to) : SHORT.format(to)}`;
}

/** The same query, for rows newer than the last one loaded. */
export function followQuery(query: LogQuery, rows: readonly LogEntry[]): LogQuery {
  const last = rows.at(-1);
  return { ...query, afterId: last ? last.id : null };
}

/** Loaded rows plus newer ones (oldest first), keeping the most recent `limit`. */
export function appendRows(
  rows: readonly LogEntry[],
  newer: readonly LogEntry[],
  limit = MAX_ROWS,
): LogEntry[] {
  const lastId = rows.at(-1)?.id ?? -Infinity;
  const fresh = newer.filter((r) => r.id > lastId);
  if (fresh.length === 0) return rows as LogEntry[];
  const all = [...rows, ...fresh];
  return all.length > limit ? all.slice(all.length - limit) : all;
}

/** The index the selection moves to for a key, or null if the key does not move it. */
export function moveSelection(current: number | null, count: number, key: string): number | null {
  if (count === 0) return null;
  switch (key) {
    case "ArrowDown":
      return current === null ? 0 : Math.min(current + 1, count - 1);
    case "ArrowUp":
      return current === null ? count - 1 : Math.max(current - 1, 0);
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

const TIME = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** "Nov 24, 09:23:05" in the user's time zone; the text itself if it is not a date. */
export function formatTime(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : TIME.format(d);
}

export function formatLatency(ms: number | null): string {
  if (ms === null) return "—";
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms} ms`;
}

export function kindLabel(kind: LogKind): string {
  return KINDS.find((k) => k.value === kind)?.label ?? kind;
}

/** A request or response as indented JSON ("—" when there is none). */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return JSON.stringify(value, null, 2);
}
