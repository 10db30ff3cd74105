import { describe, expect, it } from "vitest";

import type { ActionSeries } from "../../bindings/ActionSeries";
import { chartColors, withAlpha } from "../../components/charts/theme";
import { chartData, chartOptions, msText, seriesSummary, sparkOptions } from "./series";

const s = (over: Partial<ActionSeries>): ActionSeries => ({
  actionId: "1",
  name: "notion",
  window: "24h",
  points: [
    { at: 3600, calls: 2, errors: 1, p50Ms: 30, p95Ms: 900 },
    { at: 7200, calls: 0, errors: 0, p50Ms: null, p95Ms: null },
  ],
  calls: 2,
  errors: 1,
  p50Ms: 30,
  p95Ms: 1250,
  ...over,
});

describe("health series", () => {
  it("words a window's totals", () => {
    expect(seriesSummary(s({}))).toBe("2 calls · 1 error · p95 1.3 s");
    expect(seriesSummary(s({ calls: 1, errors: 0, p95Ms: 12 }))).toBe("1 call · p95 12 ms");
    expect(seriesSummary(s({ calls: 0, errors: 0 }))).toBe("No calls");
    expect(msText(12_400)).toBe("12 s");
    expect(msText(null)).toBe("—");
  });

  it("keeps quiet hours as gaps in the latency lines, zeros in the bars", () => {
    expect(chartData(s({}))).toEqual([
      [3600, 7200],
      [2, 0],
      [1, 0],
      [30, null],
      [900, null],
    ]);
  });

  it("draws in the theme's tokens", () => {
    document.documentElement.style.setProperty("--accent", "#112233");
    document.documentElement.style.setProperty("--danger-dot", "#ff0000");
    const c = chartColors();
    expect(c.calls).toBe("#112233");
    expect(c.callsFill).toBe("rgba(17, 34, 51, 0.18)");
    expect(withAlpha("rgb(1 2 3)", 0.5)).toBe("rgb(1 2 3)");
    const spark = sparkOptions(c, 120);
    expect([spark.width, spark.height]).toEqual([120, 26]);
    expect(spark.series.map((x) => x.stroke)).toEqual([undefined, "#112233", "#ff0000"]);
    const chart = chartOptions(c, 600);
    expect(chart.series).toHaveLength(5);
    expect(chart.series[4]?.scale).toBe("ms");
    document.documentElement.style.removeProperty("--accent");
    document.documentElement.style.removeProperty("--danger-dot");
  });
});
