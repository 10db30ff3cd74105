import { useCallback, useMemo } from "react";

import type { ActionSeries } from "../../bindings/ActionSeries";
import type { SeriesWindow } from "../../bindings/SeriesWindow";
import { Segmented } from "../../components/kit";
import { chartColors } from "../../components/charts/theme";
import { UPlotChart } from "../../components/charts/UPlotChart";
import {
  isWindow,
  WINDOWS,
  chartData,
  chartOptions,
  msText,
  seriesLabel,
  seriesSummary,
  sparkData,
  sparkOptions,
} from "./series";

/** An action's calls per hour (errors in red) in a table cell, with its totals beside it. */
export function Sparkline({ series }: { series: ActionSeries }) {
  const data = useMemo(() => sparkData(series), [series]);
  const options = useCallback((w: number) => sparkOptions(chartColors(), w), []);
  return (
    <span className="health-spark">
      <UPlotChart
        className="health-spark__chart"
        options={options}
        data={data}
        label={seriesLabel(series)}
        testId="health-sparkline"
      />
      <span className="health-spark__text" data-testid="health-spark-text">
        {seriesSummary(series)}
      </span>
    </span>
  );
}

/** The larger chart of one action: calls and errors per hour, p50 and p95 latency. */
export function SeriesChart({ series }: { series: ActionSeries }) {
  const data = useMemo(() => chartData(series), [series]);
  const options = useCallback((w: number) => chartOptions(chartColors(), w), []);
  return (
    <div className="health-chart" data-testid="health-chart" data-name={series.name}>
      <div className="health-chart__head">
        <ul className="health-chart__legend" aria-hidden="true">
          <li className="is-calls">Calls</li>
          <li className="is-errors">Errors</li>
          <li className="is-p50">p50 latency</li>
          <li className="is-p95">p95 latency</li>
        </ul>
        <dl className="health-chart__totals" data-testid="health-chart-totals">
          <div>
            <dt>Calls</dt>
            <dd>{series.calls.toLocaleString("en-US")}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd>{series.errors.toLocaleString("en-US")}</dd>
          </div>
          <div>
            <dt>p50</dt>
            <dd>{msText(series.p50Ms)}</dd>
          </div>
          <div>
            <dt>p95</dt>
            <dd>{msText(series.p95Ms)}</dd>
          </div>
        </dl>
      </div>
      <UPlotChart
        className="health-chart__plot"
        options={options}
        data={data}
        label={seriesLabel(series)}
        testId="health-chart-plot"
      />
    </div>
  );
}

/** 24 hours or 7 days (test ids `${name}-24h`, `${name}-7d`). */
export function WindowToggle(props: {
  name: string;
  value: SeriesWindow;
  onChange: (w: SeriesWindow) => void;
}) {
  const { name, value, onChange } = props;
  return (
    <Segmented
      label="History"
      name={name}
      hideLabel
      value={value}
      onChange={(v) => (isWindow(v) ? onChange(v) : undefined)}
      options={WINDOWS.map((w) => ({ value: w.value, label: w.label }))}
    />
  );
}
