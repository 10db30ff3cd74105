import { useState } from "react";

import type { SeriesWindow } from "../../bindings/SeriesWindow";
import { useHealthSeries } from "./data";
import { SeriesChart, WindowToggle } from "./HealthCharts";

import "./HealthScreen.css";

/**
 * One action's calls over time on its own page (the edit page): the Health screen's larger
 * chart, 24 hours or 7 days. Nothing when the series cannot be read or the action is new.
 */
export function ActionHistory({ name }: { name: string }) {
  const [window, setWindow] = useState<SeriesWindow>("24h");
  const series = useHealthSeries(window);
  const mine = series.data?.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!mine) return null;
  return (
    <section
      className="action-history"
      aria-label={`${name}: calls over time`}
      data-testid="action-history"
    >
      <div className="action-history__head">
        <h2 className="action-history__title">Calls over time</h2>
        <WindowToggle name="action-history-window" value={window} onChange={setWindow} />
      </div>
      <SeriesChart series={mine} />
    </section>
  );
}
