/**
 * Health over time, pure: an action's hourly series → chart data, chart options in the
 * theme's colours, and the words beside a sparkline.
 */
import uPlot from "../../components/charts/uplot";

import type { ActionSeries } from "../../bindings/ActionSeries";
import type { SeriesWindow } from "../../bindings/SeriesWindow";
import type { ChartColors } from "../../components/charts/theme";

export const WINDOWS: readonly { value: SeriesWindow; label: string; long: string }[] = [
  { value: "24h", label: "24 h", long: "the last 24 hours" },
  { value: "7d", label: "7 days", long: "the last 7 days" },
];

export function isWindow(v: string): v is SeriesWindow {
  return WINDOWS.some((w) => w.value === v);
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export function msText(ms: number | null): string {
  if (ms === null) return "—";
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${ms} ms`;
}

/** "42 calls · 2 errors · p95 180 ms", or "No calls". */
export function seriesSummary(s: ActionSeries): string {
  if (s.calls === 0) return "No calls";
  const parts = [plural(s.calls, "call")];
  if (s.errors > 0) parts.push(plural(s.errors, "error"));
  if (s.p95Ms !== null) parts.push(`p95 ${msText(s.p95Ms)}`);
  return parts.join(" · ");
}

/** What a screen reader hears for a chart. */
export function seriesLabel(s: ActionSeries): string {
  const w = WINDOWS.find((x) => x.value === s.window)?.long ?? s.window;
  if (s.calls === 0) return `${s.name}: no calls in ${w}`;
  const p50 = s.p50Ms === null ? "" : `, median latency ${msText(s.p50Ms)}`;
  const p95 = s.p95Ms === null ? "" : `, p95 ${msText(s.p95Ms)}`;
  return `${s.name}: ${plural(s.calls, "call")} and ${plural(s.errors, "error")} in ${w}${p50}${p95}`;
}

/** Series by action name. */
export function seriesByName(all: readonly ActionSeries[]): Map<string, ActionSeries> {
  return new Map(all.map((s) => [s.name, s]));
}

/** [hours, calls, errors]: the sparkline's data. */
export function sparkData(s: ActionSeries): uPlot.AlignedData {
  return [s.points.map((p) => p.at), s.points.map((p) => p.calls), s.points.map((p) => p.errors)];
}

/** [hours, calls, errors, p50, p95] (latencies null in quiet hours): the larger chart's data. */
export function chartData(s: ActionSeries): uPlot.AlignedData {
  return [
    s.points.map((p) => p.at),
    s.points.map((p) => p.calls),
    s.points.map((p) => p.errors),
    s.points.map((p) => p.p50Ms),
    s.points.map((p) => p.p95Ms),
  ];
}

/** Half an hour either side: the first and last bars are drawn whole. */
const HALF_HOUR = 1800;
const padded: uPlot.Range.Function = (_u, min, max) => [min - HALF_HOUR, max + HALF_HOUR];

const bars = (size: number) => uPlot.paths.bars?.({ size: [size, 24], gap: 1 });

/** Calls (and errors over them) as tiny bars; no axes, no cursor. */
export function sparkOptions(c: ChartColors, width: number, height = 26): uPlot.Options {
  return {
    width,
    height,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    padding: [2, 0, 0, 0],
    scales: {
      x: { time: false, range: padded },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1)] },
    },
    axes: [{ show: false }, { show: false }],
    series: [
      {},
      { stroke: c.calls, fill: c.callsFill, width: 1, paths: bars(0.9), points: { show: false } },
      { stroke: c.errors, fill: c.errors, width: 0, paths: bars(0.9), points: { show: false } },
    ],
  };
}

/** Calls and errors per hour as bars (left axis), p50 and p95 latency as lines (right axis). */
export function chartOptions(c: ChartColors, width: number, height = 180): uPlot.Options {
  const axis = {
    stroke: c.axis,
    font: c.font,
    grid: { stroke: c.grid, width: 1 },
    ticks: { stroke: c.grid, width: 1 },
  };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
    scales: {
      x: { time: true, range: padded },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1)] },
      ms: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 10)] },
    },
    axes: [
      { ...axis },
      { ...axis, size: 40, values: (_u, v) => v.map((n) => (Number.isInteger(n) ? `${n}` : "")) },
      {
        ...axis,
        scale: "ms",
        side: 1,
        size: 62,
        grid: { show: false },
        values: (_u, v) => v.map((n) => msText(Math.round(n))),
      },
    ],
    series: [
      {},
      {
        label: "Calls",
        stroke: c.calls,
        fill: c.callsFill,
        width: 1,
        paths: bars(0.8),
        points: { show: false },
      },
      {
        label: "Errors",
        stroke: c.errors,
        fill: c.errors,
        width: 0,
        paths: bars(0.8),
        points: { show: false },
      },
      {
        label: "p50",
        scale: "ms",
        stroke: c.p50,
        width: 1.5,
        spanGaps: false,
        points: { show: false },
      },
      {
        label: "p95",
        scale: "ms",
        stroke: c.p95,
        width: 1.5,
        dash: [4, 3],
        spanGaps: false,
        points: { show: false },
      },
    ],
  };
}
