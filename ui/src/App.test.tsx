import { act, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ActionView } from "./bindings/ActionView";
import { DATA_CHANGED_EVENT, DEEP_LINK_EVENT } from "./ipc";
import { ADD_ACTION_COMMAND } from "./screens/actions/ActionsStates";
import { deferred } from "./test/deferred";
import { makeAction, makeHealth, makeStatus } from "./test/fixtures";
import { mockBackend, wireError, type Backend } from "./test/ipcMock";
import { renderApp } from "./test/render";

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.answerShell();
});

const emitDataChanged = () => backend.emit(DATA_CHANGED_EVENT);
const emitDeepLink = (url: string) => backend.emit(DEEP_LINK_EVENT, url);

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function rows() {
  const table = await screen.findByTestId("actions-table");
  return within(table).queryAllByTestId("action-row");
}

function row(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-testid="action-row"][data-name="${name}"]`);
  if (!el) throw new Error(`no row named ${name}`);
  return el;
}

describe("shell", () => {
  it("offers only the screens that exist, with the current one marked", async () => {
    renderApp();
    const nav = screen.getByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((l) => l.textContent)).toEqual([
      "Actions",
      "OAuth Connections",
      "Tokens",
      "Export",
      "Gateway",
      "Provider gallery",
      "Health",
      "Logs",
      "Settings",
    ]);
    expect(links[0]).toHaveAttribute("aria-current", "page");
    expect(links[0]).toHaveAttribute("href", "#/actions");
    expect(await screen.findByText("Version 1.2.3")).toBeInTheDocument();
  });
});

describe("Actions screen", () => {
  it("shows the empty state with the terminal command when there are no actions", async () => {
    renderApp();
    const empty = await screen.findByTestId("actions-empty");
    expect(within(empty).getByRole("heading", { name: "No actions yet" })).toBeInTheDocument();
    expect(within(empty).getByText(ADD_ACTION_COMMAND)).toBeInTheDocument();
    expect(ADD_ACTION_COMMAND).toBe("patchbay action add my-server --url https://example.com/mcp");
    expect(screen.queryByTestId("actions-table")).not.toBeInTheDocument();
    expect(screen.queryByTestId("actions-search")).not.toBeInTheDocument();
    expect(screen.getByTestId("actions-count")).toHaveTextContent("0");
  });

  it("copies the command to the clipboard", async () => {
    const { user } = renderApp();
    await user.click(await screen.findByRole("button", { name: "Copy" }));
    expect(await navigator.clipboard.readText()).toBe(ADD_ACTION_COMMAND);
    expect(screen.getByRole("button", { name: "Copied" })).toBeInTheDocument();
  });

  it("falls back to execCommand when the Clipboard API fails", async () => {
    const { user } = renderApp();
    const button = await screen.findByRole("button", { name: "Copy" });
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new Error("denied"));
    const execCommand = vi.fn((_command: string) => true);
    Object.defineProperty(document, "execCommand", { value: execCommand, configurable: true });
    try {
      await user.click(button);
      expect(await screen.findByRole("button", { name: "Copied" })).toBeInTheDocument();
      expect(execCommand).toHaveBeenCalledWith("copy");
    } finally {
      Reflect.deleteProperty(document, "execCommand");
    }
  });

  it("shows loading skeleton rows until the list arrives", async () => {
    const list = deferred<ActionView[]>();
    backend.list_actions.mockReturnValue(list.promise);
    renderApp();
    expect(screen.getByText("Loading actions…")).toBeInTheDocument();
    expect(screen.getAllByTestId("skeleton-row").length).toBeGreaterThan(0);
    expect(screen.queryByTestId("actions-table")).not.toBeInTheDocument();

    list.resolve([makeAction({ name: "linear" })]);
    expect(await rows()).toHaveLength(1);
    expect(screen.queryByTestId("skeleton-row")).not.toBeInTheDocument();
  });

  it("renders a row per action with human auth labels", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({ name: "a-none", auth: { type: "none", ref: null } }),
      makeAction({ name: "a-oauth", auth: { type: "oauth", ref: null } }),
      makeAction({ name: "a-token", auth: { type: "token", ref: "GITHUB_PAT" } }),
      makeAction({ name: "a-http", auth: { type: "http-token", ref: "METEO_KEY" } }),
      makeAction({ name: "a-conn", auth: { type: "connection", ref: "notion-work" } }),
    ]);
    renderApp();
    expect((await rows()).map((r) => r.dataset.name)).toEqual([
      "a-none",
      "a-oauth",
      "a-token",
      "a-http",
      "a-conn",
    ]);
    expect(within(row("a-none")).getByText("None")).toBeInTheDocument();
    expect(within(row("a-oauth")).getByText("OAuth 2.1")).toBeInTheDocument();
    expect(within(row("a-token")).getByText("Token · GITHUB_PAT")).toBeInTheDocument();
    expect(within(row("a-http")).getByText("HTTP token · METEO_KEY")).toBeInTheDocument();
    expect(within(row("a-conn")).getByText("Connection · notion-work")).toBeInTheDocument();
    expect(screen.getByTestId("actions-count")).toHaveTextContent("5");
  });

  it("shows kind, URL, description and enabled state; dims disabled rows", async () => {
    const url = "https://api.example.com/v1/a/very/long/path?with=query";
    backend.list_actions.mockResolvedValue([
      makeAction({ name: "on", kind: "mcp", description: "Issue tracker", enabled: true }),
      makeAction({ name: "off", kind: "http", url, enabled: false }),
    ]);
    renderApp();
    await rows();
    const on = row("on");
    const off = row("off");
    expect(within(on).getByText("MCP")).toBeInTheDocument();
    expect(within(on).getByText("Issue tracker")).toBeInTheDocument();
    expect(within(on).getByRole("switch", { name: "Enabled: on" })).toBeChecked();
    expect(on).not.toHaveClass("is-disabled");
    expect(within(off).getByText("HTTP")).toBeInTheDocument();
    expect(within(off).getByText(url)).toHaveAttribute("title", url);
    expect(within(off).getByRole("switch", { name: "Enabled: off" })).not.toBeChecked();
    expect(off).toHaveClass("is-disabled");
  });

  it("shows health badges with reason, message and last-checked time", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({
        name: "ok",
        health: makeHealth({
          status: "healthy",
          checkedAt: minutesAgo(5),
          toolCount: 12,
          latencyMs: 240,
        }),
      }),
      makeAction({
        name: "bad",
        health: makeHealth({
          status: "unhealthy",
          reason: "needs_reconnect",
          message: "Refresh token expired. Reconnect notion.",
          checkedAt: minutesAgo(120),
        }),
      }),
      makeAction({ name: "new" }),
    ]);
    renderApp();
    await rows();

    const ok = within(row("ok")).getByTestId("health-badge");
    expect(ok).toHaveTextContent(/^Healthy$/);
    expect(ok).toHaveAttribute("data-status", "healthy");
    expect(ok).toHaveAttribute("title", "12 tools · 240 ms\nLast checked 5 minutes ago");

    const bad = within(row("bad")).getByTestId("health-badge");
    expect(bad).toHaveTextContent("Unhealthy · needs reconnect");
    expect(bad).toHaveAttribute("data-status", "unhealthy");
    expect(bad).toHaveAttribute(
      "title",
      "Refresh token expired. Reconnect notion.\nLast checked 2 hours ago",
    );

    const unknown = within(row("new")).getByTestId("health-badge");
    expect(unknown).toHaveTextContent(/^Unknown$/);
    expect(unknown).toHaveAttribute("title", "Not checked yet");
  });

  it("filters by name, URL and description, and can clear the search", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({ name: "linear", url: "https://mcp.linear.app/mcp", description: "Issues" }),
      makeAction({
        name: "github",
        url: "https://api.githubcopilot.com/mcp/",
        description: "Code",
      }),
      makeAction({
        name: "weather",
        url: "https://api.meteo.example/v1",
        description: "Forecasts",
      }),
    ]);
    const { user } = renderApp();
    await rows();
    const search = screen.getByTestId("actions-search");
    expect(search).toHaveAccessibleName("Search actions");

    await user.type(search, "GITHUB");
    expect((await rows()).map((r) => r.dataset.name)).toEqual(["github"]);
    expect(screen.getByTestId("actions-count")).toHaveTextContent("1 of 3");

    await user.clear(search);
    await user.type(search, "meteo.example");
    expect((await rows()).map((r) => r.dataset.name)).toEqual(["weather"]);

    await user.clear(search);
    await user.type(search, "issues");
    expect((await rows()).map((r) => r.dataset.name)).toEqual(["linear"]);

    await user.type(search, "{Escape}");
    expect(search).toHaveValue("");
    expect(await rows()).toHaveLength(3);

    await user.type(search, "nothing-like-this");
    expect(await rows()).toHaveLength(0);
    expect(screen.getByText("No actions match “nothing-like-this”.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Clear search" }));
    expect(search).toHaveValue("");
    expect(await rows()).toHaveLength(3);
  });

  it("shows the error from the backend and refetches on Retry", async () => {
    backend.list_actions
      .mockRejectedValueOnce(wireError("database", "database is locked"))
      .mockResolvedValueOnce([makeAction({ name: "linear" })]);
    const { user } = renderApp();

    const error = await screen.findByTestId("actions-error");
    expect(error).toHaveTextContent("database is locked");
    expect(error).toHaveTextContent("database");
    expect(screen.queryByTestId("actions-table")).not.toBeInTheDocument();
    expect(backend.list_actions).toHaveBeenCalledTimes(1);

    await user.click(within(error).getByRole("button", { name: "Retry" }));
    expect((await rows()).map((r) => r.dataset.name)).toEqual(["linear"]);
    expect(backend.list_actions).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId("actions-error")).not.toBeInTheDocument();
  });
});

describe("vault banner", () => {
  it("shows a locked keychain with the backend's fix, above a working list", async () => {
    backend.app_status.mockResolvedValue(
      makeStatus({ state: "locked", message: "Unlock the login keychain, then try again." }),
    );
    backend.list_actions.mockResolvedValue([makeAction({ name: "linear" })]);
    renderApp();
    const banner = await screen.findByTestId("vault-banner");
    expect(banner).toHaveTextContent("Keychain locked.");
    expect(banner).toHaveTextContent("Unlock the login keychain, then try again.");
    expect(await rows()).toHaveLength(1);
  });

  it("shows an unavailable keychain, with a default explanation when there is no message", async () => {
    backend.app_status.mockResolvedValue(makeStatus({ state: "unavailable", message: null }));
    renderApp();
    const banner = await screen.findByTestId("vault-banner");
    expect(banner).toHaveTextContent("Keychain unavailable.");
    expect(banner).toHaveTextContent("can't reach a system keychain");
  });

  it("is absent when the keychain is ok", async () => {
    renderApp();
    await screen.findByText("Version 1.2.3");
    await screen.findByTestId("actions-empty");
    expect(screen.queryByTestId("vault-banner")).not.toBeInTheDocument();
  });
});

describe("db-changed", () => {
  it("refetches everything when the backend reports a change", async () => {
    backend.list_actions
      .mockResolvedValueOnce([])
      .mockResolvedValueOnce([makeAction({ name: "new-one" })]);
    backend.app_status
      .mockResolvedValueOnce(makeStatus())
      .mockResolvedValueOnce(makeStatus({ state: "locked", message: "Locked now." }));
    renderApp();
    await screen.findByTestId("actions-empty");
    await waitFor(() => expect(backend.listeners(DATA_CHANGED_EVENT)).toBe(1));
    expect(screen.queryByTestId("vault-banner")).not.toBeInTheDocument();

    act(() => emitDataChanged());

    expect((await rows()).map((r) => r.dataset.name)).toEqual(["new-one"]);
    expect(await screen.findByTestId("vault-banner")).toHaveTextContent("Locked now.");
    expect(backend.list_actions).toHaveBeenCalledTimes(2);
  });

  it("subscribes once and unsubscribes on unmount", async () => {
    const { unmount } = renderApp();
    await screen.findByTestId("actions-empty");
    await waitFor(() => expect(backend.listeners(DATA_CHANGED_EVENT)).toBe(1));
    unmount();
    expect(backend.listeners(DATA_CHANGED_EVENT)).toBe(0);
  });
});

describe("app links", () => {
  it("a patchbay://<screen> link opens that screen; others are ignored", async () => {
    window.location.hash = "#/nowhere";
    renderApp();
    await screen.findByTestId("actions-empty");
    await waitFor(() => expect(backend.listeners(DEEP_LINK_EVENT)).toBe(1));
    act(() => emitDeepLink("patchbay://unknown-screen"));
    expect(window.location.hash).toBe("#/nowhere");
    act(() => emitDeepLink("patchbay://actions"));
    expect(window.location.hash).toBe("#/actions");
  });
});
