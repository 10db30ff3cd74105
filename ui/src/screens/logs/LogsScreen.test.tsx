import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { LogEntry } from "../../bindings/LogEntry";
import type { LogQuery } from "../../bindings/LogQuery";
import type * as ipc from "../../ipc";
import { exportLogs, getLog, IpcError, listActions, listLogs } from "../../ipc";
import { Toaster } from "../../components/kit";
import { makeAction } from "../../test/fixtures";
import { renderApp } from "../../test/render";
import { logRow } from "./fixtures";
import { LogsScreen } from "./LogsScreen";

vi.mock("../../ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof ipc>()),
  listActions: vi.fn(),
  listLogs: vi.fn(),
  getLog: vi.fn(),
  exportLogs: vi.fn(),
}));

const COUNT = 100_000;
const ROWS: LogEntry[] = Array.from({ length: COUNT }, (_, i) =>
  logRow(i + 1, {
    subject: i % 2 === 0 ? "linear" : "github",
    summary: `call #${i + 1}`,
    request: { url: `https://mcp.example/${i + 1}`, headers: [["Authorization", "[redacted]"]] },
  }),
);

/** What the backend answers: everything for a first load, nothing newer when following. */
/** The list's brief rows (no request / response), as the backend answers `brief: true`. */
function backend(rows: LogEntry[]) {
  return (q: LogQuery) =>
    Promise.resolve(
      q.afterId === null
        ? q.brief
          ? rows.map((r) => ({ ...r, request: null, response: null }))
          : rows
        : [],
    );
}

beforeEach(() => {
  // jsdom lays nothing out: give the scroller a 600 px high viewport.
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(900);
  vi.mocked(listActions)
    .mockReset()
    .mockResolvedValue([makeAction({ name: "linear" }), makeAction({ name: "github" })]);
  vi.mocked(listLogs).mockReset().mockImplementation(backend(ROWS));
  vi.mocked(getLog)
    .mockReset()
    .mockImplementation((id) => Promise.resolve(ROWS.find((r) => r.id === id) ?? null));
});

afterEach(() => {
  vi.restoreAllMocks();
});

function renderScreen() {
  window.location.hash = "#/logs";
  return renderApp(
    <>
      <LogsScreen />
      <Toaster />
    </>,
  );
}

/** Waits until the row count says `text`. */
async function loaded(text: string | RegExp) {
  await waitFor(() => expect(screen.getByTestId("logs-count")).toHaveTextContent(text));
}

const rendered = () => screen.queryAllByTestId("log-row");

describe("Logs screen", () => {
  it("renders only a window of rows out of 100,000", async () => {
    renderScreen();
    await loaded(/100,000 rows/);
    await waitFor(() => expect(rendered().length).toBeGreaterThan(0));
    const rows = rendered();
    // 600 px of 32 px rows plus the overscan: tens of rows, not thousands.
    expect(rows.length).toBeLessThan(80);
    const ids = rows.map((r) => Number(r.dataset.id));
    // A contiguous run of ids.
    expect(ids).toEqual(ids.map((_, i) => (ids[0] ?? 0) + i));
    expect(listLogs).toHaveBeenCalledWith(
      expect.objectContaining({ afterId: null, limit: COUNT, brief: true }),
    );
  });

  it("shows the selected row's redacted request and response, and arrow keys move it", async () => {
    const { user } = renderScreen();
    await waitFor(() => expect(rendered().length).toBeGreaterThan(2));
    expect(screen.getByTestId("log-details")).toHaveTextContent(/Select a row/);

    const first = rendered()[0];
    if (!first) throw new Error("no row");
    const id = Number(first.dataset.id);
    await user.click(first);
    expect(first).toHaveAttribute("aria-selected", "true");
    const details = screen.getByTestId("log-details");
    // The list holds brief rows; the pane fetches the whole one.
    expect(await within(details).findByTestId("log-request")).toHaveTextContent(
      `"url": "https://mcp.example/${id}"`,
    );
    expect(within(details).getByTestId("log-request")).toHaveTextContent("[redacted]");
    expect(within(details).getByTestId("log-response")).toHaveTextContent('"status": 200');

    fireEvent.keyDown(screen.getByTestId("logs-scroll"), { key: "ArrowDown" });
    await waitFor(() =>
      expect(
        screen.getByTestId("log-details").querySelector("[data-testid=log-request]"),
      ).toHaveTextContent(`https://mcp.example/${id + 1}"`),
    );
    const next = rendered().find((r) => Number(r.dataset.id) === id + 1);
    expect(next).toHaveAttribute("aria-selected", "true");
  });

  it("sends the search to the backend once typing stops", async () => {
    const { user } = renderScreen();
    await loaded(/rows/);
    await user.type(screen.getByTestId("logs-search"), "401 Unauth");
    await waitFor(() =>
      expect(listLogs).toHaveBeenLastCalledWith(
        expect.objectContaining({ search: "401 Unauth", afterId: null }),
      ),
    );
    // Debounced: no query for the partial words.
    const searches = vi.mocked(listLogs).mock.calls.map(([q]) => q.search);
    expect(searches).not.toContain("4");
    expect(searches).not.toContain("401 U");
  });

  it("passes the filters to the backend", async () => {
    const { user } = renderScreen();
    await loaded(/rows/);
    await waitFor(() =>
      expect(within(screen.getByTestId("logs-action")).getAllByRole("option")).toHaveLength(3),
    );
    await user.selectOptions(screen.getByTestId("logs-action"), "github");
    await user.selectOptions(screen.getByTestId("logs-kind"), "token_fetch");
    await user.selectOptions(screen.getByTestId("logs-outcome"), "error");
    await user.selectOptions(screen.getByTestId("logs-range"), "15m");
    await waitFor(() =>
      expect(listLogs).toHaveBeenLastCalledWith(
        expect.objectContaining({
          subject: "github",
          kind: "token_fetch",
          outcome: "error",
          since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        }),
      ),
    );
  });

  it("live tail asks for rows after the last one and shows them", async () => {
    const small = ROWS.slice(0, 50);
    let tailCalls = 0;
    vi.mocked(listLogs).mockImplementation((q) => {
      if (q.afterId === null) return Promise.resolve(small);
      tailCalls += 1;
      return Promise.resolve(q.afterId === 50 ? [logRow(51, { summary: "the newest call" })] : []);
    });
    const { user } = renderScreen();
    await loaded("50 rows");
    await user.click(screen.getByTestId("logs-tail"));
    expect(screen.getByTestId("logs-tail")).toHaveAttribute("aria-checked", "true");
    await waitFor(() => expect(screen.getByTestId("logs-count")).toHaveTextContent("51 rows"), {
      timeout: 3000,
    });
    expect(tailCalls).toBeGreaterThan(0);
    expect(listLogs).toHaveBeenCalledWith(expect.objectContaining({ afterId: 50 }));
  });

  it("exports what the filters select, whole, into a file the toast names", async () => {
    vi.mocked(exportLogs).mockResolvedValue({
      path: "/home/me/Downloads/patchbay-logs-20261124T093000Z.jsonl",
      rows: 100_000,
    });
    const { user } = renderScreen();
    await loaded(/100,000 rows/);
    await user.selectOptions(screen.getByTestId("logs-outcome"), "error");
    await waitFor(() =>
      expect(listLogs).toHaveBeenCalledWith(expect.objectContaining({ outcome: "error" })),
    );
    await user.click(screen.getByTestId("logs-export"));
    await waitFor(() =>
      expect(exportLogs).toHaveBeenCalledWith(
        expect.objectContaining({ outcome: "error", afterId: null, brief: null }),
      ),
    );
    expect(await screen.findByText("Exported 100,000 rows")).toBeInTheDocument();
    expect(screen.getAllByText(/patchbay-logs-20261124T093000Z\.jsonl/).length).toBeGreaterThan(0);
  });

  it("says why an export failed", async () => {
    vi.mocked(exportLogs).mockRejectedValue(
      new IpcError("io", "creating /home/me/Downloads: read-only"),
    );
    const { user } = renderScreen();
    await loaded(/100,000 rows/);
    await user.click(screen.getByTestId("logs-export"));
    expect(await screen.findByText(/Couldn’t export the logs/)).toBeInTheDocument();
    expect(screen.getAllByText(/read-only/).length).toBeGreaterThan(0);
  });

  it("says so when the selected row is gone from the store", async () => {
    vi.mocked(getLog).mockResolvedValue(null);
    const { user } = renderScreen();
    await waitFor(() => expect(rendered().length).toBeGreaterThan(2));
    const first = rendered()[0];
    if (!first) throw new Error("no row");
    await user.click(first);
    expect(await screen.findByText(/log retention removed it/)).toBeInTheDocument();
  });

  it("says so when nothing is logged, and when filters match nothing", async () => {
    vi.mocked(listLogs).mockResolvedValue([]);
    const { user } = renderScreen();
    expect(await screen.findByTestId("logs-empty")).toHaveTextContent(/Nothing logged yet/);
    expect(screen.getByTestId("logs-export")).toBeDisabled();
    await user.selectOptions(screen.getByTestId("logs-outcome"), "error");
    expect(await screen.findByText("No rows match")).toBeInTheDocument();
  });

  it("shows the error with a Retry", async () => {
    vi.mocked(listLogs).mockRejectedValueOnce(new IpcError("database", "database is locked"));
    const { user } = renderScreen();
    const error = await screen.findByTestId("logs-error");
    expect(error).toHaveTextContent("database is locked");
    vi.mocked(listLogs).mockImplementation(backend(ROWS.slice(0, 5)));
    await user.click(within(error).getByRole("button", { name: /Retry/ }));
    await loaded("5 rows");
  });
});
