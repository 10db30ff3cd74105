import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { LogEntry } from "../../bindings/LogEntry";
import type { LogQuery } from "../../bindings/LogQuery";
import { chartSeries } from "../../test/fakeChart";
import { makeAction } from "../../test/fixtures";
import { mockBackend, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { logRow } from "./fixtures";
import { LogsScreen } from "./LogsScreen";

vi.mock("../../components/charts/UPlotChart", async () => {
  const { FakeUPlotChart } = await import("../../test/fakeChart");
  return { UPlotChart: FakeUPlotChart };
});

const T0 = Date.UTC(2026, 10, 24, 9, 0) / 1000;
const at = (secs: number) => new Date((T0 + secs) * 1000).toISOString();
/** Three rows in the first half hour (one failed), one in the third. */
const ROWS: LogEntry[] = [
  logRow(1, { at: at(60) }),
  logRow(2, { at: at(120), outcome: "error" }),
  logRow(3, { at: at(600) }),
  logRow(4, { at: at(3700), subject: "github" }),
];

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.list_actions.mockResolvedValue([
    makeAction({ name: "linear" }),
    makeAction({ name: "github" }),
  ]);
  // The backend's filter, by time: what a bar's since / until select.
  backend.list_logs.mockImplementation(({ query: q }: { query: LogQuery }) =>
    Promise.resolve(
      q.afterId !== null
        ? []
        : ROWS.filter(
            (r) => (q.since === null || r.at >= q.since) && (q.until === null || r.at < q.until),
          ),
    ),
  );
  backend.log_histogram.mockResolvedValue({
    bucketSecs: 1800,
    bars: [
      { at: T0, rows: 3, errors: 1 },
      { at: T0 + 1800, rows: 0, errors: 0 },
      { at: T0 + 3600, rows: 1, errors: 0 },
    ],
  });
});

async function loaded(text: string) {
  await waitFor(() => expect(screen.getByTestId("logs-count")).toHaveTextContent(text));
}

describe("Logs histogram", () => {
  it("counts rows per bar over the range the filters choose", async () => {
    const user = userEvent.setup();
    renderApp(<LogsScreen />);
    await loaded("4 rows");
    const plot = await screen.findByTestId("logs-histogram-plot");
    expect(plot).toHaveAttribute("data-points", "3");
    const [rows, errors] = chartSeries(plot);
    expect([rows, errors]).toEqual([
      [3, 0, 1],
      [1, 0, 0],
    ]);
    expect(plot).toHaveAccessibleName("4 rows, 1 errors over the time range");
    // The histogram asks with the list's filters, over the whole range, without a limit.
    const first = backend.log_histogram.mock.calls[0]?.[0].query;
    expect(first).toMatchObject({ since: null, until: null, limit: null, subject: null });
    await user.selectOptions(screen.getByTestId("logs-range"), "24h");
    await waitFor(() =>
      expect(backend.log_histogram.mock.calls.at(-1)?.[0].query.since).not.toBeNull(),
    );
  });

  it("a click on a bar lists its rows alone; the histogram stays; the whole range comes back", async () => {
    const user = userEvent.setup();
    renderApp(<LogsScreen />);
    await loaded("4 rows");
    const plot = await screen.findByTestId("logs-histogram-plot");
    const histogramCalls = backend.log_histogram.mock.calls.length;
    // The empty bar picks nothing.
    await user.click(within(plot).getAllByTestId("logs-histogram-plot-pick")[1]!);
    expect(screen.queryByTestId("logs-bar-filter")).not.toBeInTheDocument();
    await user.click(within(plot).getAllByTestId("logs-histogram-plot-pick")[0]!);
    await loaded("3 rows");
    expect(backend.list_logs.mock.lastCall?.[0].query).toMatchObject({
      since: at(0),
      until: at(1800),
    });
    expect(screen.getByTestId("logs-bar-filter")).toHaveTextContent("Showing");
    // The picked bar is outlined: the fourth series holds it alone.
    const picked = chartSeries(screen.getByTestId("logs-histogram-plot"))[2];
    expect(picked).toEqual([3, null, null]);
    expect(backend.log_histogram.mock.calls.length).toBe(histogramCalls);

    await user.click(screen.getByTestId("logs-bar-clear"));
    await loaded("4 rows");
    expect(screen.queryByTestId("logs-bar-filter")).not.toBeInTheDocument();
  });

  it("the keyboard reaches each bar with rows, and another filter drops the picked bar", async () => {
    const user = userEvent.setup();
    renderApp(<LogsScreen />);
    await loaded("4 rows");
    const bars = await screen.findAllByTestId("logs-histogram-bar");
    expect(bars).toHaveLength(2);
    expect(bars[0]).toHaveTextContent("3 rows, 1 error");
    await user.click(bars[1]!);
    await loaded("1 row");
    expect(screen.getAllByTestId("logs-histogram-bar")[1]).toHaveAttribute("aria-pressed", "true");
    await user.selectOptions(screen.getByTestId("logs-outcome"), "error");
    await waitFor(() => expect(screen.queryByTestId("logs-bar-filter")).not.toBeInTheDocument());
    // The list asks again with the new filter (its query follows the render in an effect).
    await waitFor(() =>
      expect(backend.list_logs.mock.lastCall?.[0].query).toMatchObject({
        until: null,
        outcome: "error",
      }),
    );
  });
});
