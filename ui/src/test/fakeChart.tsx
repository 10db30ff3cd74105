/**
 * A stand-in for `UPlotChart` in component tests (jsdom has no canvas): it renders what the
 * chart was given (its label, the number of points, each series' values) and, when the chart
 * takes clicks, one button per point that picks it.
 */
import type uPlot from "uplot";

type Props = {
  data: uPlot.AlignedData;
  label: string;
  testId?: string;
  onPick?: (index: number) => void;
};

export function FakeUPlotChart({ data, label, testId, onPick }: Props) {
  const xs = data[0] ?? [];
  return (
    <div
      role="img"
      aria-label={label}
      data-testid={testId}
      data-points={xs.length}
      data-series={JSON.stringify(data.slice(1))}
    >
      {onPick &&
        Array.from(xs, (_, i) => (
          <button key={i} type="button" data-testid={`${testId}-pick`} onClick={() => onPick(i)}>
            point {i}
          </button>
        ))}
    </div>
  );
}

/** The series values a fake chart was given (its `data` less the x values). */
export function chartSeries(el: HTMLElement): (number | null)[][] {
  return JSON.parse(el.dataset.series ?? "[]") as (number | null)[][];
}
