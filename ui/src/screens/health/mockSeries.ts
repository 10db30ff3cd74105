/**
 * Health series for the in-browser mock: each action's calls per hour with a daily rhythm,
 * a few errors, and latencies around its own typical value; `empty`: none.
 */
import type { ActionSeries } from "../../bindings/ActionSeries";
import type { ActionView } from "../../bindings/ActionView";
import type { HourPoint } from "../../bindings/HourPoint";
import type { SeriesWindow } from "../../bindings/SeriesWindow";

function point(seed: number, hour: number): HourPoint {
  const rhythm = 0.5 + 0.5 * Math.sin(((hour % 24) / 24) * 2 * Math.PI - 1.5);
  const calls = Math.max(
    0,
    Math.round(rhythm * (10 + (seed % 7) * 6) + (((hour * 31 + seed) % 5) - 2)),
  );
  const errors = calls > 0 && (hour + seed) % 11 === 0 ? 1 + (seed % 3) : 0;
  const base = 40 + (seed % 5) * 35;
  return {
    at: hour * 3600,
    calls,
    errors: Math.min(errors, calls),
    p50Ms: calls > 0 ? base + ((hour * 7) % 20) : null,
    p95Ms: calls > 0 ? base * 3 + ((hour * 13) % 90) : null,
  };
}

export function healthSeriesMock(
  actions: readonly ActionView[],
  window: SeriesWindow,
): ActionSeries[] {
  const hours = window === "24h" ? 24 : 168;
  const now = Math.floor(Date.now() / 3_600_000);
  return actions.map((a, i) => {
    const points = Array.from({ length: hours }, (_, h) =>
      point(i * 13 + a.name.length, now - hours + 1 + h),
    );
    const calls = points.reduce((n, p) => n + p.calls, 0);
    const errors = points.reduce((n, p) => n + p.errors, 0);
    const p50 = points.flatMap((p) => (p.p50Ms === null ? [] : [p.p50Ms])).sort((x, y) => x - y);
    const p95 = points.flatMap((p) => (p.p95Ms === null ? [] : [p.p95Ms])).sort((x, y) => x - y);
    return {
      actionId: a.id,
      name: a.name,
      window,
      points,
      calls,
      errors,
      p50Ms: p50[Math.floor(p50.length / 2)] ?? null,
      p95Ms: p95[Math.floor(p95.length * 0.95)] ?? null,
    };
  });
}
