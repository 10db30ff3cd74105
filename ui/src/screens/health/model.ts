import type { ActionView } from "../../bindings/ActionView";
import type { ApprovalCounts } from "../../bindings/ApprovalCounts";
import type { BreakerView } from "../../bindings/BreakerView";
import type { Health } from "../../bindings/Health";
import type { HealthStatus } from "../../bindings/HealthStatus";
import { relativeTime } from "../../lib/relativeTime";

/** How many Test Connections "Test all" runs at once. */
export const TEST_ALL_CONCURRENCY = 4;

const STATUS_ORDER: Record<HealthStatus, number> = { unhealthy: 0, unknown: 1, healthy: 2 };

/** Unhealthy first, then unknown, then healthy; by name (any case) within a status. */
export function sortByHealth(actions: readonly ActionView[]): ActionView[] {
  return [...actions].sort(
    (a, b) =>
      STATUS_ORDER[a.health.status] - STATUS_ORDER[b.health.status] ||
      a.name.localeCompare(b.name, "en", { sensitivity: "base" }) ||
      a.name.localeCompare(b.name, "en"),
  );
}

export type HealthSummary = Record<HealthStatus, number> & { total: number };

/** The counters at the top of the screen. */
export function healthSummary(actions: readonly ActionView[]): HealthSummary {
  const summary: HealthSummary = { healthy: 0, unhealthy: 0, unknown: 0, total: actions.length };
  for (const a of actions) summary[a.health.status] += 1;
  return summary;
}

/** What "Test all" tests: the enabled actions, in the order the table shows them. */
export function testAllNames(actions: readonly ActionView[]): string[] {
  return sortByHealth(actions)
    .filter((a) => a.enabled)
    .map((a) => a.name);
}

/**
 * "Closed", "Open · retry in 5 minutes" (or "retry due" once the time has passed),
 * "Half-open · next call probes".
 */
export function breakerText(breaker: BreakerView, now: number): string {
  switch (breaker.state) {
    case "closed":
      return "Closed";
    case "half_open":
      return "Half-open · next call probes";
    case "open": {
      if (!breaker.retryAt) return "Open";
      const at = Date.parse(breaker.retryAt);
      if (Number.isNaN(at)) return "Open";
      if (at <= now) return "Open · retry due";
      return `Open · retry ${relativeTime(breaker.retryAt, now) ?? "soon"}`;
    }
  }
}

/** "96 ms", or "—" before any check. */
export function latencyText(health: Health): string {
  return health.latencyMs === null ? "—" : `${Math.round(health.latencyMs)} ms`;
}

/** "12", or "—" when the check listed no tools (never tested, HTTP action, failure). */
export function toolCountText(health: Health): string {
  return health.toolCount === null ? "—" : String(health.toolCount);
}

/** "5 minutes ago", or "Never" before the first check. */
export function checkedText(health: Health, now: number): string {
  const when = health.checkedAt ? relativeTime(health.checkedAt, now) : null;
  return when ?? "Never";
}

/** Why it is unhealthy (the backend's message, else its reason code), or "—". */
export function reasonText(health: Health): string {
  if (health.status !== "unhealthy") return "—";
  return health.message ?? health.reason?.replace(/[_-]+/g, " ") ?? "—";
}

/** The confirmation counts per action name (any case). */
export function countsByAction(counts: readonly ApprovalCounts[]): Map<string, ApprovalCounts> {
  return new Map(counts.map((c) => [c.action.toLowerCase(), c]));
}

export function countsFor(
  counts: ReadonlyMap<string, ApprovalCounts>,
  name: string,
): ApprovalCounts | undefined {
  return counts.get(name.toLowerCase());
}

/**
 * Runs `run` for each item, at most `limit` at once, in order. Once `cancelled()` is
 * true no new item starts; the ones already running finish. Resolves when all that
 * started have settled; `run` reports its own failures (a rejection is ignored here).
 */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<unknown>,
  cancelled: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length && !cancelled()) {
      const item = items[next] as T;
      next += 1;
      try {
        await run(item);
      } catch {
        // Reported by `run`.
      }
    }
  }
  const lanes = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** One action's outcome in a "Test all" run: its health, or the error that stopped the test. */
export type TestOutcome = { name: string; health: Health } | { name: string; error: string };

export type TestAllToast = {
  title: string;
  description?: string;
  tone: "success" | "error" | "info";
};

/** The toast after "Test all": how many passed, which did not, and whether it was cancelled. */
export function testAllToast(
  outcomes: readonly TestOutcome[],
  total: number,
  cancelled: boolean,
): TestAllToast {
  const healthy = outcomes.filter((o) => "health" in o && o.health.status === "healthy");
  const bad = outcomes.filter((o) => !("health" in o) || o.health.status !== "healthy");
  const tested = `${outcomes.length} ${outcomes.length === 1 ? "action" : "actions"}`;
  const problems = bad.map((o) =>
    "health" in o
      ? `${o.name}: ${o.health.status}${o.health.reason ? ` (${o.health.reason.replace(/[_-]+/g, " ")})` : ""}`
      : `${o.name}: ${o.error}`,
  );
  if (cancelled) {
    return {
      title: `Test all cancelled after ${outcomes.length} of ${total}`,
      description: problems.length > 0 ? problems.join("\n") : undefined,
      tone: "info",
    };
  }
  if (bad.length === 0) {
    return { title: `Tested ${tested}: all healthy`, tone: "success" };
  }
  return {
    title: `Tested ${tested}: ${healthy.length} healthy, ${bad.length} not`,
    description: problems.join("\n"),
    tone: "error",
  };
}
