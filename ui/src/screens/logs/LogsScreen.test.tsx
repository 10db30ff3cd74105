import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { LogEntry } from "../../bindings/LogEntry";
import type { LogQuery } from "../../bindings/LogQuery";
import { Toaster } from "../../components/kit";
import { makeAction } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { logRow } from "./fixtures";
import { LogsScreen } from "./LogsScreen";

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
function answering(rows: LogEntry[]) {
  return ({ query: q }: { query: LogQuery }) =>
    Promise.resolve(
      q.afterId === null
        ? q.brief
          ? rows.map((r) => ({ ...r, request: null, response: null }))
          : rows
        : [],
    );
}

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  // jsdom lays nothing out: give the scroller a 600 px high viewport.
  vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
  vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(900);
  backend.list_actions.mockResolvedValue([
    makeAction({ name: "linear" }),
    makeAction({ name: "github" }),
  ]);
  backend.list_logs.mockImplementation(answering(ROWS));
  backend.get_log.mockImplementation(({ id }) =>
    Promise.resolve(ROWS.find((r) => r.id === id) ?? null),
  );
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
    expect(backend.list_logs).toHaveBeenCalledWith({
      query: expect.objectContaining({ afterId: null, limit: COUNT, brief: true }) as unknown,
    });
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
      expect(backend.list_logs).toHaveBeenLastCalledWith({
        query: expect.objectContaining({ search: "401 Unauth", afterId: null }) as unknown,
      }),
    );
    // Debounced: no query for the partial words.
    const searches = backend.list_logs.mock.calls.map(([{ query }]) => query.search);
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
      expect(backend.list_logs).toHaveBeenLastCalledWith({
        query: expect.objectContaining({
          subject: "github",
          kind: "token_fetch",
          outcome: "error",
          since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        }) as unknown,
      }),
    );
  });

  it("live tail asks for rows after the last one and shows them", async () => {
    const small = ROWS.slice(0, 50);
    let tailCalls = 0;
    backend.list_logs.mockImplementation(({ query: q }) => {
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
    expect(backend.list_logs).toHaveBeenCalledWith({
      query: expect.objectContaining({ afterId: 50 }) as unknown,
    });
  });

  it("exports what the filters select, whole, into a file the toast names", async () => {
    backend.export_logs.mockResolvedValue({
      path: "/home/me/Downloads/patchbay-logs-20261124T093000Z.jsonl",
      rows: 100_000,
    });
    const { user } = renderScreen();
    await loaded(/100,000 rows/);
    await user.selectOptions(screen.getByTestId("logs-outcome"), "error");
    await waitFor(() =>
      expect(backend.list_logs).toHaveBeenCalledWith({
        query: expect.objectContaining({ outcome: "error" }) as unknown,
      }),
    );
    await user.click(screen.getByTestId("logs-export"));
    await waitFor(() =>
      expect(backend.export_logs).toHaveBeenCalledWith({
        query: expect.objectContaining({ outcome: "error", afterId: null, brief: null }) as unknown,
      }),
    );
    expect(await screen.findByText("Exported 100,000 rows")).toBeInTheDocument();
    expect(screen.getAllByText(/patchbay-logs-20261124T093000Z\.jsonl/).length).toBeGreaterThan(0);
  });

  it("says why an export failed", async () => {
    backend.export_logs.mockRejectedValue(
      wireError("io", "creating /home/me/Downloads: read-only"),
    );
    const { user } = renderScreen();
    await loaded(/100,000 rows/);
    await user.click(screen.getByTestId("logs-export"));
    expect(await screen.findByText(/Couldn’t export the logs/)).toBeInTheDocument();
    expect(screen.getAllByText(/read-only/).length).toBeGreaterThan(0);
  });

  it("says so when the selected row is gone from the store", async () => {
    backend.get_log.mockResolvedValue(null);
    const { user } = renderScreen();
    await waitFor(() => expect(rendered().length).toBeGreaterThan(2));
    const first = rendered()[0];
    if (!first) throw new Error("no row");
    await user.click(first);
    expect(await screen.findByText(/log retention removed it/)).toBeInTheDocument();
  });

  it("says so when nothing is logged, and when filters match nothing", async () => {
    backend.list_logs.mockResolvedValue([]);
    const { user } = renderScreen();
    expect(await screen.findByTestId("logs-empty")).toHaveTextContent(/Nothing logged yet/);
    expect(screen.getByTestId("logs-export")).toBeDisabled();
    await user.selectOptions(screen.getByTestId("logs-outcome"), "error");
    expect(await screen.findByText("No rows match")).toBeInTheDocument();
  });

  it("shows the error with a Retry", async () => {
    backend.list_logs.mockRejectedValueOnce(wireError("database", "database is locked"));
    const { user } = renderScreen();
    const error = await screen.findByTestId("logs-error");
    expect(error).toHaveTextContent("database is locked");
    backend.list_logs.mockImplementation(answering(ROWS.slice(0, 5)));
    await user.click(within(error).getByRole("button", { name: /Retry/ }));
    await loaded("5 rows");
  });
});
