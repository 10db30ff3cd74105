import { useEffect, useRef } from "react";
import uPlot from "./uplot";

import "uplot/dist/uPlot.min.css";
import "./charts.css";

import { useThemeKey } from "./theme";

type Props = {
  /** Built on each draw (the theme's colours are read then); width and height come from here. */
  options: (width: number) => uPlot.Options;
  data: uPlot.AlignedData;
  className?: string;
  testId?: string;
  /** What the chart shows, for screen readers (the canvas itself is hidden from them). */
  label: string;
  /** A click on the plot, as the index of the data point under it. */
  onPick?: (index: number) => void;
};

/**
 * A uPlot chart that fills its box's width: drawn again when the data, the theme or the
 * width changes, destroyed on unmount.
 */
export function UPlotChart({ options, data, className, testId, label, onPick }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useThemeKey();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(Math.floor(el.clientWidth), 40);
    const chart = new uPlot(options(width()), data, el);
    const click = (e: MouseEvent) => {
      const rect = chart.over.getBoundingClientRect();
      const index = chart.posToIdx(e.clientX - rect.left);
      if (onPick && index >= 0 && index < (data[0]?.length ?? 0)) onPick(index);
    };
    chart.over.addEventListener("click", click);
    let last = width();
    const observer = new ResizeObserver(() => {
      const w = width();
      if (w !== last) {
        last = w;
        chart.setSize({ width: w, height: chart.height });
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.over.removeEventListener("click", click);
      chart.destroy();
    };
  }, [options, data, theme, onPick]);

  return (
    <div
      ref={box}
      className={["chart", onPick ? "chart--pickable" : "", className].filter(Boolean).join(" ")}
      data-testid={testId}
      role="img"
      aria-label={label}
    />
  );
}
