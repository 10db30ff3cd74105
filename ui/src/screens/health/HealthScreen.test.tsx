import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ActionView } from "../../bindings/ActionView";
import type { Health } from "../../bindings/Health";
import { clearToasts, Toaster } from "../../components/kit";
import { deferred } from "../../test/deferred";
import { makeAction, makeHealth } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { HealthScreen } from "./HealthScreen";

const healthy = (toolCount = 3): Health =>
  makeHealth({
    status: "healthy",
    checkedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    latencyMs: 120,
    toolCount,
  });

const ACTIONS = [
  makeAction({ name: "notion", health: healthy(7) }),
  makeAction({
    name: "linear",
    confirm: true,
    health: makeHealth({
      status: "unhealthy",
      reason: "needs_reconnect",
      message: "The refresh token was refused; sign in again.",
      checkedAt: new Date().toISOString(),
      latencyMs: 40,
    }),
    breaker: {
      state: "open",
      failures: 3,
      retryAt: new Date(Date.now() + 10 * 60_000).toISOString(),
    },
  }),
  makeAction({ name: "github" }),
  makeAction({ name: "stripe", enabled: false, health: healthy() }),
  makeAction({
    name: "asana",
    health: healthy(),
    breaker: { state: "half_open", failures: 2, retryAt: null },
  }),
];

let backend: Backend;

/** What the backend stores: listActions answers it, a test records its health here. */
let db: ActionView[] = [];

function serve(list: ActionView[]) {
  db = list;
  backend.list_actions.mockImplementation(() => Promise.resolve(db));
}

/** As the backend does: the health is stored and a passing test closes the breaker. */
function record(name: string, health: Health): Health {
  db = db.map((a) =>
    a.name === name
      ? {
          ...a,
          health,
          breaker:
            health.status === "healthy"
              ? { state: "closed", failures: 0, retryAt: null }
              : a.breaker,
        }
      : a,
  );
  return health;
}

beforeEach(() => {
  backend = mockBackend();
  serve(ACTIONS);
  backend.approval_counts.mockResolvedValue([
    { action: "linear", approved: 12, denied: 1, expired: 2, pending: 0 },
  ]);
});

afterEach(() => act(() => clearToasts()));

function renderScreen() {
  return renderApp(
    <>
      <HealthScreen />
      <Toaster />
    </>,
  );
}

const rows = () => screen.getAllByTestId("health-row");
const row = (name: string) => {
  const el = rows().find((r) => r.dataset.name === name);
  if (!el) throw new Error(`no row ${name}`);
  return el;
};

describe("Health screen", () => {
  it("lists every action, unhealthy first then by name, with its health, breaker and confirmations", async () => {
    renderScreen();
    await screen.findAllByTestId("health-row");
    expect(rows().map((r) => [r.dataset.name, r.dataset.status])).toEqual([
      ["linear", "unhealthy"],
      ["github", "unknown"],
      ["asana", "healthy"],
      ["notion", "healthy"],
      ["stripe", "healthy"],
    ]);

    const linear = row("linear");
    expect(linear).toHaveTextContent("The refresh token was refused; sign in again.");
    expect(linear).toHaveTextContent("40 ms");
    expect(linear).toHaveTextContent("just now");
    expect(within(linear).getByTestId("health-breaker")).toHaveTextContent(
      "Open · retry in 10 minutes",
    );
    expect(await within(linear).findByTestId("health-confirmations")).toHaveTextContent(
      "12 approved1 denied2 expired",
    );

    const notion = row("notion");
    expect(notion).toHaveTextContent("7");
    expect(notion).toHaveTextContent("120 ms");
    expect(notion).toHaveTextContent("5 minutes ago");
    expect(within(notion).getByTestId("health-breaker")).toHaveTextContent("Closed");
    expect(within(notion).queryByTestId("health-confirmations")).not.toBeInTheDocument();
    expect(within(row("asana")).getByTestId("health-breaker")).toHaveTextContent("Half-open");
    expect(row("github")).toHaveTextContent("Never");
    expect(row("stripe")).toHaveTextContent("disabled");

    const summary = screen.getByTestId("health-summary");
    expect(within(summary).getByTestId("health-summary-healthy")).toHaveTextContent("Healthy3");
    expect(within(summary).getByTestId("health-summary-unhealthy")).toHaveTextContent("Unhealthy1");
    expect(within(summary).getByTestId("health-summary-unknown")).toHaveTextContent("Unknown1");
  });

  it("Test all tests every enabled action, at most 4 at once, with progress and a result toast", async () => {
    const many = [...ACTIONS, makeAction({ name: "sentry" }), makeAction({ name: "vercel" })];
    serve(many);
    const pending = new Map<string, ReturnType<typeof deferred<Health>>>();
    let running = 0;
    let peak = 0;
    backend.test_action.mockImplementation(({ name }) => {
      const d = deferred<Health>();
      pending.set(name, d);
      running += 1;
      peak = Math.max(peak, running);
      return d.promise
        .then((h) => record(name, h))
        .finally(() => {
          running -= 1;
        });
    });
    const { user } = renderScreen();
    await screen.findAllByTestId("health-row");

    await user.click(screen.getByTestId("health-test-all"));
    await waitFor(() => expect(backend.test_action).toHaveBeenCalledTimes(4));
    expect(screen.getByTestId("health-progress")).toHaveTextContent("Tested 0 of 6");
    await waitFor(() =>
      expect(rows().filter((r) => r.dataset.status === "testing")).toHaveLength(4),
    );
    // Unhealthy first: the table's order.
    expect(backend.test_action.mock.calls.map(([args]) => args.name)).toEqual([
      "linear",
      "github",
      "sentry",
      "vercel",
    ]);
    expect(within(row("linear")).getByText("Testing…")).toBeInTheDocument();

    act(() => pending.get("linear")?.resolve(healthy()));
    await waitFor(() => expect(backend.test_action).toHaveBeenCalledTimes(5));
    expect(screen.getByTestId("health-progress")).toHaveTextContent("Tested 1 of 6");

    act(() => pending.get("github")?.reject(wireError("unreachable", "connection refused")));
    await waitFor(() => expect(backend.test_action).toHaveBeenCalledTimes(6));
    for (const name of ["sentry", "vercel", "asana", "notion"]) {
      act(() => pending.get(name)?.resolve(healthy()));
    }

    expect(await screen.findByText("Tested 6 actions: 5 healthy, 1 not")).toBeInTheDocument();
    expect(screen.getByText(/github: connection refused/)).toBeInTheDocument();
    expect(peak).toBe(4);
    expect(backend.test_action).not.toHaveBeenCalledWith({ name: "stripe" });
    expect(screen.queryByTestId("health-progress")).not.toBeInTheDocument();
    expect(row("linear").dataset.status).toBe("healthy");
    expect(screen.getByTestId("health-test-all")).toBeEnabled();
  });

  it("Cancel starts no new test and lets the running ones finish", async () => {
    backend.list_actions.mockResolvedValue([
      ...ACTIONS,
      makeAction({ name: "sentry" }),
      makeAction({ name: "vercel" }),
    ]);
    const pending: ReturnType<typeof deferred<Health>>[] = [];
    backend.test_action.mockImplementation(() => {
      const d = deferred<Health>();
      pending.push(d);
      return d.promise;
    });
    const { user } = renderScreen();
    await screen.findAllByTestId("health-row");
    await user.click(screen.getByTestId("health-test-all"));
    await waitFor(() => expect(backend.test_action).toHaveBeenCalledTimes(4));

    await user.click(screen.getByTestId("health-cancel"));
    expect(screen.getByTestId("health-cancel")).toHaveTextContent("Cancelling…");
    for (const d of pending) act(() => d.resolve(healthy()));

    expect(await screen.findByText("Test all cancelled after 4 of 6")).toBeInTheDocument();
    expect(backend.test_action).toHaveBeenCalledTimes(4);
  });

  it("the row's Test tests that action, reports it and shows the breaker it left", async () => {
    backend.test_action.mockImplementation(({ name }) =>
      Promise.resolve(record(name, healthy(12))),
    );
    serve(
      ACTIONS.map((a) =>
        a.name === "github"
          ? { ...a, breaker: { state: "half_open", failures: 3, retryAt: null } }
          : a,
      ),
    );
    const { user } = renderScreen();
    await screen.findAllByTestId("health-row");
    expect(within(row("github")).getByTestId("health-breaker")).toHaveTextContent("Half-open");
    await user.click(screen.getByRole("button", { name: "Test github" }));
    expect(backend.test_action).toHaveBeenCalledExactlyOnceWith({ name: "github" });
    expect(await screen.findByText("github is healthy (12 tools, 120 ms)")).toBeInTheDocument();
    await waitFor(() => expect(row("github").dataset.status).toBe("healthy"));
    await waitFor(() =>
      expect(within(row("github")).getByTestId("health-breaker")).toHaveTextContent("Closed"),
    );
  });

  it("redraws relative times as the clock moves, without refetching", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ["Date", "setInterval", "clearInterval"] });
    try {
      renderScreen();
      await screen.findAllByTestId("health-row");
      expect(row("notion")).toHaveTextContent("5 minutes ago");
      expect(within(row("linear")).getByTestId("health-breaker")).toHaveTextContent(
        "retry in 10 minutes",
      );
      act(() => {
        vi.advanceTimersByTime(3 * 60_000);
      });
      expect(row("notion")).toHaveTextContent("8 minutes ago");
      expect(within(row("linear")).getByTestId("health-breaker")).toHaveTextContent(
        "retry in 7 minutes",
      );
      expect(backend.list_actions).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows the empty, loading and error states", async () => {
    backend.list_actions.mockResolvedValue([]);
    const first = renderScreen();
    expect(await screen.findByTestId("health-empty")).toBeInTheDocument();
    expect(screen.getByTestId("health-test-all")).toBeDisabled();
    first.unmount();

    backend.list_actions.mockReturnValue(new Promise(() => {}));
    const second = renderScreen();
    expect(screen.getByTestId("health-loading")).toBeInTheDocument();
    second.unmount();

    backend.list_actions.mockRejectedValue(wireError("database", "database is locked"));
    renderScreen();
    expect(await screen.findByTestId("health-error")).toHaveTextContent("database is locked");
  });
});
