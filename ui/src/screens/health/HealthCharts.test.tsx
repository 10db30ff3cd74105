import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ActionSeries } from "../../bindings/ActionSeries";
import type { SeriesWindow } from "../../bindings/SeriesWindow";
import { chartSeries } from "../../test/fakeChart";
import { makeAction } from "../../test/fixtures";
import { mockBackend, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { HealthScreen } from "./HealthScreen";

vi.mock("../../components/charts/UPlotChart", async () => {
  const { FakeUPlotChart } = await import("../../test/fakeChart");
  return { UPlotChart: FakeUPlotChart };
});

const HOUR = 3600;
const NOW_HOUR = 493_000;

/** `calls[i]` calls in hour i of the window, one of them failing where `errors` says. */
function series(
  name: string,
  window: SeriesWindow,
  calls: number[],
  errors: number[] = [],
): ActionSeries {
  const n = window === "24h" ? 24 : 168;
  const points = Array.from({ length: n }, (_, i) => {
    const c = calls[i] ?? 0;
    return {
      at: (NOW_HOUR - n + 1 + i) * HOUR,
      calls: c,
      errors: errors[i] ?? 0,
      p50Ms: c > 0 ? 40 : null,
      p95Ms: c > 0 ? 180 : null,
    };
  });
  const total = points.reduce((s, p) => s + p.calls, 0);
  return {
    actionId: `id-${name}`,
    name,
    window,
    points,
    calls: total,
    errors: points.reduce((s, p) => s + p.errors, 0),
    p50Ms: total > 0 ? 40 : null,
    p95Ms: total > 0 ? 180 : null,
  };
}

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.list_actions.mockResolvedValue([
    makeAction({ name: "notion" }),
    makeAction({ name: "quiet" }),
  ]);
  backend.approval_counts.mockResolvedValue([]);
  backend.health_series.mockImplementation(({ window }) =>
    Promise.resolve(
      window === "24h"
        ? [series("notion", "24h", [3, 0, 5], [0, 0, 2]), series("quiet", "24h", [])]
        : [series("notion", "7d", [1, 1, 1, 1]), series("quiet", "7d", [])],
    ),
  );
});

const row = async (name: string) => {
  const rows = await screen.findAllByTestId("health-row");
  const el = rows.find((r) => r.dataset.name === name);
  if (!el) throw new Error(`no row ${name}`);
  return el;
};

describe("Health over time", () => {
  it("draws each action's last 24 hours beside its totals, and says so to screen readers", async () => {
    renderApp(<HealthScreen />);
    const notion = await row("notion");
    expect(await within(notion).findByTestId("health-spark-text")).toHaveTextContent(
      "8 calls · 2 errors · p95 180 ms",
    );
    const spark = within(notion).getByTestId("health-sparkline");
    expect(spark).toHaveAttribute("data-points", "24");
    expect(chartSeries(spark)[0]?.slice(0, 3)).toEqual([3, 0, 5]);
    expect(spark).toHaveAccessibleName(
      "notion: 8 calls and 2 errors in the last 24 hours, median latency 40 ms, p95 180 ms",
    );
    expect(within(await row("quiet")).getByTestId("health-spark-text")).toHaveTextContent(
      "No calls",
    );
    expect(backend.health_series).toHaveBeenCalledWith({ window: "24h" });
  });

  it("switches to 7 days, and opens an action's larger chart from its sparkline", async () => {
    const user = userEvent.setup();
    renderApp(<HealthScreen />);
    await within(await row("notion")).findByTestId("health-spark-text");
    await user.click(screen.getByTestId("health-window-7d"));
    await waitFor(() =>
      expect(
        within(screen.getAllByTestId("health-row")[0]!).getByTestId("health-sparkline"),
      ).toHaveAttribute("data-points", "168"),
    );
    expect(screen.getByRole("columnheader", { name: "Calls, last 7 days" })).toBeInTheDocument();

    const toggle = within(await row("notion")).getByTestId("health-spark-toggle");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    await user.click(toggle);
    const chart = await screen.findByTestId("health-chart");
    expect(chart).toHaveAttribute("data-name", "notion");
    expect(within(chart).getByTestId("health-chart-totals")).toHaveTextContent(
      "Calls4Errors0p5040 msp95180 ms",
    );
    // Calls, errors, p50 and p95: four series over 168 hours.
    const plot = within(chart).getByTestId("health-chart-plot");
    expect(plot).toHaveAttribute("data-points", "168");
    expect(chartSeries(plot)).toHaveLength(4);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    await user.click(toggle);
    expect(screen.queryByTestId("health-chart")).not.toBeInTheDocument();
  });

  it("shows a dash, not an error, when the series cannot be read", async () => {
    backend.health_series.mockRejectedValue({ code: "database", message: "locked" });
    renderApp(<HealthScreen />);
    const notion = await row("notion");
    await waitFor(() => expect(backend.health_series).toHaveBeenCalled());
    expect(within(notion).queryByTestId("health-sparkline")).not.toBeInTheDocument();
    expect(notion).toHaveTextContent("—");
  });
});

describe("an action's edit page", () => {
  it("shows its calls over time, 24 hours or 7 days", async () => {
    const user = userEvent.setup();
    const { ActionHistory } = await import("./ActionHistory");
    renderApp(<ActionHistory name="NOTION" />);
    const chart = await screen.findByTestId("health-chart");
    expect(chart).toHaveAttribute("data-name", "notion");
    expect(within(chart).getByTestId("health-chart-plot")).toHaveAttribute("data-points", "24");
    await user.click(screen.getByTestId("action-history-window-7d"));
    await waitFor(() =>
      expect(
        within(screen.getByTestId("health-chart")).getByTestId("health-chart-plot"),
      ).toHaveAttribute("data-points", "168"),
    );
  });

  it("shows nothing for an action the series does not know", async () => {
    const { ActionHistory } = await import("./ActionHistory");
    renderApp(<ActionHistory name="brand-new" />);
    await waitFor(() => expect(backend.health_series).toHaveBeenCalled());
    expect(screen.queryByTestId("action-history")).not.toBeInTheDocument();
  });
});
