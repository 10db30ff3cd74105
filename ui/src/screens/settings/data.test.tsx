import { render, screen, waitFor } from "@testing-library/react";
import { StrictMode } from "react";
import { describe, expect, it } from "vitest";

import { mockBackend } from "../../test/ipcMock";
import { startupTime, useReportReady, useStartupTime } from "./data";

function Probe({ rendered }: { rendered: boolean }) {
  useReportReady(rendered);
  return null;
}

/** Shows the start-up time as a screen opened before it arrived does. */
function Shown() {
  const ms = useStartupTime();
  return <p data-testid="shown">{ms === null ? "not yet" : `first screen in ${ms} ms`}</p>;
}

describe("useReportReady", () => {
  it("tells the app once, after the first screen rendered (also in StrictMode)", async () => {
    const backend = mockBackend();
    backend.app_ready.mockResolvedValue(420);
    const { rerender } = render(
      <StrictMode>
        <Probe rendered={false} />
        <Shown />
      </StrictMode>,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.app_ready).not.toHaveBeenCalled();
    expect(startupTime()).toBeNull();
    expect(screen.getByTestId("shown")).toHaveTextContent("not yet");

    rerender(
      <StrictMode>
        <Probe rendered />
        <Shown />
      </StrictMode>,
    );
    await waitFor(() => expect(startupTime()).toBe(420));
    // A screen already open shows it without anything else re-rendering it.
    await waitFor(() =>
      expect(screen.getByTestId("shown")).toHaveTextContent("first screen in 420 ms"),
    );
    rerender(
      <StrictMode>
        <Probe rendered />
        <Shown />
      </StrictMode>,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(backend.app_ready).toHaveBeenCalledTimes(1);
    // The page's marks for the benchmark's breakdown, in the order they happen.
    const marks = backend.app_ready.mock.calls[0]?.[0].marks;
    if (!marks) throw new Error("app_ready was sent without marks");
    const order = ["script", "rendered", "listed", "frame", "now"].map((k) => marks[k] ?? NaN);
    expect(order.every((x) => Number.isFinite(x))).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });
});
