import { useCallback, useMemo } from "react";
import uPlot from "../../components/charts/uplot";

import type { LogHistogram as Histogram } from "../../bindings/LogHistogram";
import { chartColors, type ChartColors } from "../../components/charts/theme";
import { UPlotChart } from "../../components/charts/UPlotChart";
import { barAt, barText, type Bar } from "./model";

type Props = {
  histogram: Histogram;
  /** The picked bar's start (Unix seconds), if any. */
  picked: number | null;
  onPick: (bar: Bar) => void;
};

/** Rows (errors in red) per bar; the picked bar outlined. */
export function histogramOptions(
  c: ChartColors,
  width: number,
  bucketSecs: number,
  /** The first and last bars' starts: the x range is set from them (uPlot's own auto range
   * stretches a range of one or two bars to years). */
  span: readonly [number, number],
  height = 72,
): uPlot.Options {
  const bars = uPlot.paths.bars?.({ size: [0.85, 40], gap: 1 });
  const axis = {
    stroke: c.axis,
    font: c.font,
    grid: { show: false },
    ticks: { stroke: c.grid, width: 1 },
  };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false }, y: false },
    padding: [4, 8, 0, 0],
    scales: {
      // Half a bar either side: the first and last bars are drawn whole.
      x: { time: true, range: () => [span[0] - bucketSecs / 2, span[1] + bucketSecs / 2] },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1)] },
    },
    axes: [
      { ...axis, size: 24 },
      { ...axis, size: 36, values: (_u, v) => v.map((n) => (Number.isInteger(n) ? `${n}` : "")) },
    ],
    series: [
      {},
      {
        label: "Rows",
        stroke: c.calls,
        fill: c.callsFill,
        width: 1,
        paths: bars,
        points: { show: false },
      },
      {
        label: "Errors",
        stroke: c.errors,
        fill: c.errors,
        width: 0,
        paths: bars,
        points: { show: false },
      },
      { label: "Picked", stroke: c.axis, width: 2, paths: bars, points: { show: false } },
    ],
  };
}

/** The counts over the Logs screen's time range; a click on a bar shows its rows alone. */
export function LogHistogram({ histogram, picked, onPick }: Props) {
  const { bars, bucketSecs } = histogram;
  const data = useMemo<uPlot.AlignedData>(
    () => [
      bars.map((b) => b.at),
      bars.map((b) => b.rows),
      bars.map((b) => b.errors),
      bars.map((b) => (b.at === picked ? b.rows : null)),
    ],
    [bars, picked],
  );
  const first = bars[0]?.at ?? 0;
  const last = bars.at(-1)?.at ?? first;
  const options = useCallback(
    (w: number) => histogramOptions(chartColors(), w, bucketSecs, [first, last]),
    [bucketSecs, first, last],
  );
  const pick = useCallback(
    (i: number) => {
      const b = bars[i];
      if (b && b.rows > 0) onPick(barAt(b.at, bucketSecs));
    },
    [bars, bucketSecs, onPick],
  );
  const total = bars.reduce((n, b) => n + b.rows, 0);
  const errors = bars.reduce((n, b) => n + b.errors, 0);
  const busy = bars.filter((b) => b.rows > 0);
  return (
    <div
      className="logs-histogram"
      data-testid="logs-histogram"
      data-bucket-secs={bucketSecs}
      data-first={bars[0]?.at}
      data-count={bars.length}
    >
      <UPlotChart
        className="logs-histogram__plot"
        options={options}
        data={data}
        onPick={pick}
        label={`${total.toLocaleString("en-US")} rows, ${errors.toLocaleString("en-US")} errors over the time range`}
        testId="logs-histogram-plot"
      />
      {/* The bars for the keyboard and screen readers. */}
      <ul className="visually-hidden" aria-label="Rows per time bucket">
        {busy.map((b) => (
          <li key={b.at}>
            <button
              type="button"
              onClick={() => onPick(barAt(b.at, bucketSecs))}
              aria-pressed={b.at === picked}
              data-at={b.at}
              data-testid="logs-histogram-bar"
            >
              {`${barText(barAt(b.at, bucketSecs))}: ${b.rows} ${b.rows === 1 ? "row" : "rows"}, ${b.errors} ${b.errors === 1 ? "error" : "errors"}`}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
