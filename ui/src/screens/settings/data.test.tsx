import { render, waitFor } from "@testing-library/react";
import { StrictMode } from "react";
import { describe, expect, it, vi } from "vitest";

import type * as ipc from "../../ipc";
import { appReady } from "../../ipc";
import { startupTime, useReportReady } from "./data";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof ipc>()),
  appReady: vi.fn(() => Promise.resolve(420)),
}));

function Probe({ rendered }: { rendered: boolean }) {
  useReportReady(rendered);
  return null;
}

describe("useReportReady", () => {
  it("tells the app once, after the first screen rendered (also in StrictMode)", async () => {
    const { rerender } = render(
      <StrictMode>
        <Probe rendered={false} />
      </StrictMode>,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(appReady).not.toHaveBeenCalled();
    expect(startupTime()).toBeNull();

    rerender(
      <StrictMode>
        <Probe rendered />
      </StrictMode>,
    );
    await waitFor(() => expect(startupTime()).toBe(420));
    rerender(
      <StrictMode>
        <Probe rendered />
      </StrictMode>,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(appReady).toHaveBeenCalledTimes(1);
    // The page's marks for the benchmark's breakdown, in the order they happen.
    const [marks] = vi.mocked(appReady).mock.calls[0] ?? [];
    if (marks === undefined) throw new Error("app_ready was sent without marks");
    const order = ["script", "rendered", "listed", "frame", "now"].map((k) => marks[k] ?? NaN);
    expect(order.every((x) => Number.isFinite(x))).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });
});
