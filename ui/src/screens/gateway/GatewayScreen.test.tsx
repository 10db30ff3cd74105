import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { GatewayKeyForm } from "../../bindings/GatewayKeyForm";
import { clearToasts, Toaster } from "../../components/kit";
import { makeAction } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { GATEWAY_REFRESH_MS } from "./data";
import { KEYS, makeGatewayView, makeKey, newKey, PORT_BUSY, runningHere, TOOLS } from "./fixtures";
import { GatewayScreen } from "./GatewayScreen";
import { day } from "./model";

function renderScreen() {
  return renderApp(
    <>
      <GatewayScreen />
      <Toaster />
    </>,
  );
}

const ACTIONS = [
  makeAction({ name: "linear" }),
  makeAction({ name: "github", url: "https://api.github.com/user", kind: "http" }),
  makeAction({ name: "notion", enabled: false }),
];

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.list_actions.mockResolvedValue(ACTIONS);
  backend.gateway_status.mockResolvedValue(makeGatewayView());
  backend.list_gateway_keys.mockResolvedValue([]);
  backend.list_gateway_clients.mockResolvedValue([]);
  backend.add_gateway_key.mockImplementation(({ form }: { form: GatewayKeyForm }) =>
    Promise.resolve(newKey(form)),
  );
});

afterEach(() => {
  clearToasts();
  vi.clearAllMocks();
});

const keyRow = (name: string) =>
  screen.getAllByTestId("gateway-key-row").find((r) => r.dataset.name === name) as HTMLElement;

describe("Gateway screen", () => {
  it("turns the gateway on and shows where it answers, for every action and each enabled one", async () => {
    backend.set_gateway_enabled.mockResolvedValue(runningHere());
    const { user } = renderScreen();
    expect(await screen.findByTestId("gateway-state")).toHaveTextContent("Off");
    expect(screen.getByTestId("gateway-state-text")).toHaveTextContent(/patchbay gateway serve/);
    const toggle = screen.getByRole("switch", { name: "Serve the gateway while Patchbay is open" });
    expect(toggle).not.toBeChecked();

    await user.click(toggle);
    expect(backend.set_gateway_enabled).toHaveBeenCalledExactlyOnceWith({ enabled: true });
    expect(await screen.findByText("Running")).toBeInTheDocument();
    expect(toggle).toBeChecked();
    expect(screen.getByTestId("gateway-status").dataset.state).toBe("here");
    expect(screen.getByTestId("gateway-url")).toHaveTextContent("http://127.0.0.1:47616/mcp");
    expect(screen.getByTestId("gateway-url-linear")).toHaveTextContent(
      "http://127.0.0.1:47616/a/linear/mcp",
    );
    expect(screen.getByTestId("gateway-url-github")).toHaveTextContent("/a/github/mcp");
    expect(screen.queryByTestId("gateway-url-notion")).not.toBeInTheDocument();
    expect(
      screen.getByRole("button", { name: "Copy linear only (its own tool names)" }),
    ).toBeEnabled();
    expect(screen.getByRole("link", { name: "Change it in Settings" })).toHaveAttribute(
      "href",
      "#/settings",
    );
    expect(screen.getByTestId("gateway-key-count")).toHaveTextContent("2 access keys work");
  });

  it("shows why the gateway couldn't start, in words, and tries again", async () => {
    backend.gateway_status.mockResolvedValue(makeGatewayView({ enabled: true, error: PORT_BUSY }));
    backend.set_gateway_enabled.mockResolvedValue(runningHere());
    const { user } = renderScreen();
    const notice = await screen.findByTestId("gateway-start-error");
    expect(notice.dataset.code).toBe("port_busy");
    expect(notice).toHaveTextContent("The gateway couldn’t start");
    expect(notice).toHaveTextContent("port 47616 on 127.0.0.1 (setting gatewayPort) is in use");
    expect(notice).toHaveTextContent("Details: stop what uses it, or choose another port");
    expect(notice).toHaveTextContent("choose another gateway port in Settings");
    expect(screen.getByTestId("gateway-state")).toHaveTextContent("Couldn’t start");
    expect(screen.getByRole("switch")).toBeChecked();

    await user.click(within(notice).getByTestId("gateway-retry"));
    expect(backend.set_gateway_enabled).toHaveBeenCalledExactlyOnceWith({ enabled: true });
    expect(await screen.findByText("Running")).toBeInTheDocument();
    expect(screen.queryByTestId("gateway-start-error")).not.toBeInTheDocument();
  });

  it("says when another process serves the gateway, with its pid, and why the app didn't", async () => {
    backend.gateway_status.mockResolvedValue(
      makeGatewayView({
        enabled: true,
        error: {
          code: "invalid_input",
          message:
            "this profile's gateway is already running: process 999 serves it at http://127.0.0.1:47616/mcp",
          hint: "use that one, or stop it first (one gateway per profile)",
        },
        status: {
          running: true,
          url: "http://127.0.0.1:47616/mcp",
          port: 47616,
          pid: 999,
          keys: 1,
          clients: [],
        },
      }),
    );
    renderScreen();
    expect(await screen.findByTestId("gateway-state")).toHaveTextContent(
      "Running in another process",
    );
    expect(screen.getByTestId("gateway-state-text")).toHaveTextContent("(pid 999)");
    const notice = screen.getByTestId("gateway-start-error");
    expect(notice).toHaveTextContent("Patchbay didn’t start a second gateway");
    expect(notice).toHaveTextContent("already running: process 999");
    expect(notice).toHaveTextContent("Once it stops (Ctrl-C where it runs), Patchbay takes over");
    expect(screen.getByTestId("gateway-key-count")).toHaveTextContent("1 access key works");
  });

  it("reports a switch that failed and leaves it as it was", async () => {
    backend.set_gateway_enabled.mockRejectedValue(wireError("database", "database is locked"));
    const { user } = renderScreen();
    const toggle = await screen.findByRole("switch");
    await user.click(toggle);
    expect(await screen.findByTestId("gateway-toggle-error")).toHaveTextContent(
      "Couldn’t turn the gateway on",
    );
    expect(screen.getByTestId("gateway-toggle-error")).toHaveTextContent("database is locked");
    expect(toggle).not.toBeChecked();
  });

  it("lists recent clients and asks again every few seconds while shown", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ["Date", "setInterval", "clearInterval"] });
    try {
      backend.gateway_status.mockResolvedValue(runningHere());
      const view = renderScreen();
      const row = await screen.findByTestId("gateway-client-row");
      expect(row).toHaveTextContent("codex");
      expect(row).toHaveTextContent("Access key");
      expect(row).toHaveTextContent("2 minutes ago");
      expect(row).toHaveTextContent("linear__search_issues");
      expect(backend.gateway_status).toHaveBeenCalledTimes(1);

      const later = runningHere();
      later.status.clients = [
        ...later.status.clients,
        { name: "n8n", kind: "oauth", lastCallAt: new Date().toISOString(), lastTool: "github" },
      ];
      backend.gateway_status.mockResolvedValue(later);
      act(() => {
        vi.advanceTimersByTime(GATEWAY_REFRESH_MS);
      });
      await waitFor(() => expect(screen.getAllByTestId("gateway-client-row")).toHaveLength(2));
      const oauth = screen
        .getAllByTestId("gateway-client-row")
        .find((r) => r.textContent?.includes("n8n"));
      expect(oauth).toHaveTextContent("OAuth client");
      expect(backend.gateway_status).toHaveBeenCalledTimes(2);

      view.unmount();
      act(() => {
        vi.advanceTimersByTime(GATEWAY_REFRESH_MS * 3);
      });
      expect(backend.gateway_status).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("lists access keys by state and revokes one after asking", async () => {
    backend.list_gateway_keys.mockResolvedValue(KEYS);
    backend.revoke_gateway_key.mockImplementation(({ name }) =>
      Promise.resolve(makeKey({ name, revokedAt: new Date().toISOString() })),
    );
    const { user } = renderScreen();
    await screen.findByTestId("gateway-keys-table");
    expect(screen.getAllByTestId("gateway-key-row").map((r) => r.dataset.name)).toEqual([
      "ci",
      "codex",
      "old-laptop",
    ]);
    expect(keyRow("ci")).toHaveTextContent("Every action, present and future");
    expect(keyRow("ci")).toHaveTextContent("Never");
    expect(keyRow("ci")).toHaveTextContent(day(KEYS[1]?.expiresAt ?? ""));
    expect(keyRow("codex")).toHaveTextContent("linear, github");
    expect(keyRow("codex")).toHaveTextContent("only linear__search_issues");
    expect(keyRow("old-laptop").dataset.state).toBe("revoked");
    expect(within(keyRow("old-laptop")).queryByTestId("gateway-key-revoke")).toBeNull();

    await user.click(within(keyRow("codex")).getByRole("button", { name: "Revoke codex" }));
    const dialog = await screen.findByTestId("gateway-revoke-dialog");
    expect(dialog).toHaveTextContent("Revoke codex?");
    expect(dialog).toHaveTextContent("refused from their next request");
    expect(backend.revoke_gateway_key).not.toHaveBeenCalled();
    await user.click(within(dialog).getByTestId("confirm-ok"));
    expect(backend.revoke_gateway_key).toHaveBeenCalledExactlyOnceWith({ name: "codex" });
    await waitFor(() => expect(keyRow("codex").dataset.state).toBe("revoked"));
    expect(within(keyRow("codex")).getByTestId("gateway-key-state")).toHaveTextContent("Revoked");
    expect(await screen.findByText("Revoked codex")).toBeInTheDocument();
  });

  it("creates a key for some actions and tools, then shows it once with a warning and snippets", async () => {
    backend.gateway_status.mockResolvedValue(runningHere());
    backend.gateway_tools.mockResolvedValue(TOOLS);
    const { user } = renderScreen();
    expect(await screen.findByTestId("gateway-keys-empty")).toBeInTheDocument();
    await user.click(screen.getByTestId("gateway-create-key"));
    const dialog = await screen.findByTestId("gateway-key-dialog");

    // Nothing filled in: the problems show and nothing is sent.
    await user.click(within(dialog).getByTestId("gateway-key-save"));
    expect(within(dialog).getByText("Enter a name.")).toBeInTheDocument();
    expect(
      within(dialog).getByText("Pick the actions this key opens, or every action."),
    ).toBeInTheDocument();
    expect(backend.add_gateway_key).not.toHaveBeenCalled();

    await user.type(within(dialog).getByLabelText(/^Name/), "codex");
    await user.click(within(dialog).getByLabelText("linear"));
    await user.click(within(dialog).getByLabelText("github"));
    expect(
      within(dialog)
        .getByText(/notion/)
        .closest(".checkbox"),
    ).toHaveTextContent("disabled: not served until enabled");
    // Tool limits are for MCP actions (github is an HTTP endpoint: one tool).
    expect(within(dialog).queryByLabelText("Limit github to some tools")).toBeNull();
    await user.click(within(dialog).getByLabelText("Limit linear to some tools"));
    expect(backend.gateway_tools).toHaveBeenCalledExactlyOnceWith({ name: "linear" });
    await user.click(await within(dialog).findByLabelText("search_issues"));
    await user.click(within(dialog).getByTestId("gateway-key-expiry-30d"));
    await user.click(within(dialog).getByTestId("gateway-key-save"));

    expect(backend.add_gateway_key).toHaveBeenCalledExactlyOnceWith({
      form: {
        name: "codex",
        actions: ["linear", "github"],
        tools: ["linear__search_issues"],
        expires: "30d",
      },
    });
    const created = await screen.findByTestId("gateway-key-created");
    const key = newKey({ name: "codex", actions: [], tools: [], expires: null }).key;
    expect(key).toMatch(/^pbk_[A-Za-z0-9_-]{43}$/);
    expect(within(created).getByTestId("gateway-new-key")).toHaveTextContent(key);
    expect(within(created).getByTestId("gateway-key-warning")).toHaveTextContent(
      "it can’t be shown again",
    );
    expect(within(created).getByTestId("gateway-snippet-header")).toHaveTextContent(
      `Authorization: Bearer ${key}`,
    );
    expect(within(created).getByTestId("gateway-snippet-claude-code")).toHaveTextContent(
      `claude mcp add --transport http patchbay http://127.0.0.1:47616/mcp --header "Authorization: Bearer ${key}"`,
    );
    expect(screen.queryByTestId("gateway-key-dialog")).not.toBeInTheDocument();

    await user.click(within(created).getByTestId("gateway-key-done"));
    await waitFor(() => expect(screen.queryByTestId("gateway-key-created")).toBeNull());
    expect(screen.queryByText(key)).toBeNull();
  });

  it("lets tool names be typed when the server can't be reached, and every action be opened", async () => {
    backend.gateway_tools.mockRejectedValue(
      wireError("unreachable", "cannot reach https://mcp.linear.app/mcp: connection refused"),
    );
    const { user } = renderScreen();
    await user.click(await screen.findByTestId("gateway-create-key"));
    const dialog = await screen.findByTestId("gateway-key-dialog");
    await user.type(within(dialog).getByLabelText(/^Name/), "ci");
    await user.click(within(dialog).getByLabelText("Every action, present and future"));
    expect(within(dialog).queryByLabelText("linear")).toBeNull();
    await user.click(within(dialog).getByLabelText("Limit linear to some tools"));
    const failed = await within(dialog).findByTestId("gateway-key-tools-failed-linear");
    expect(failed).toHaveTextContent("Couldn’t list the tools of linear");
    expect(failed).toHaveTextContent("connection refused");
    expect(failed).toHaveTextContent("Type the tool names below, or try again.");

    // A limit with no tool is a problem, not a key that opens nothing.
    await user.click(within(dialog).getByTestId("gateway-key-save"));
    expect(within(dialog).getByTestId("gateway-key-tools-error")).toHaveTextContent(
      "Pick or type at least one tool of linear",
    );
    await user.type(within(dialog).getByLabelText("Tool names"), "search_issues, create_issue");
    await user.click(within(dialog).getByTestId("gateway-key-expiry-custom"));
    const expires = within(dialog).getByLabelText("Works for");
    await user.type(expires, "soon");
    await user.click(within(dialog).getByTestId("gateway-key-save"));
    expect(
      within(dialog).getByText("Write a number and a unit: 30m, 12h, 7d, 6 weeks."),
    ).toBeInTheDocument();
    expect(backend.add_gateway_key).not.toHaveBeenCalled();
    await user.clear(expires);
    await user.type(expires, "12h");
    await user.click(within(dialog).getByTestId("gateway-key-save"));
    expect(backend.add_gateway_key).toHaveBeenCalledExactlyOnceWith({
      form: {
        name: "ci",
        actions: ["*"],
        tools: ["linear__search_issues", "linear__create_issue"],
        expires: "12h",
      },
    });
    expect(await screen.findByTestId("gateway-key-created")).toHaveTextContent(
      "Opens every action, present and future",
    );
  });

  it("puts the backend's refusal next to the field it names", async () => {
    backend.add_gateway_key.mockRejectedValueOnce(
      wireError("conflict", "an access key named 'codex' already exists", { field: "name" }),
    );
    const { user } = renderScreen();
    await user.click(await screen.findByTestId("gateway-create-key"));
    const dialog = await screen.findByTestId("gateway-key-dialog");
    const name = within(dialog).getByLabelText(/^Name/);
    await user.type(name, "codex");
    await user.click(within(dialog).getByLabelText("linear"));
    await user.click(within(dialog).getByTestId("gateway-key-save"));
    expect(
      await within(dialog).findByText("an access key named 'codex' already exists"),
    ).toBeInTheDocument();
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveFocus();
    expect(screen.queryByTestId("gateway-key-save-error")).toBeNull();

    backend.add_gateway_key.mockRejectedValueOnce(
      wireError("invalid_input", "'5x' is not a duration", { field: "expires" }),
    );
    await user.type(name, "-2");
    await user.click(within(dialog).getByTestId("gateway-key-expiry-custom"));
    await user.type(within(dialog).getByLabelText("Works for"), "5d");
    await user.click(within(dialog).getByTestId("gateway-key-save"));
    expect(await within(dialog).findByText("'5x' is not a duration")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Works for")).toHaveAttribute("aria-invalid", "true");

    backend.add_gateway_key.mockRejectedValueOnce(wireError("database", "database is locked"));
    await user.clear(within(dialog).getByLabelText("Works for"));
    await user.type(within(dialog).getByLabelText("Works for"), "6d");
    await user.click(within(dialog).getByTestId("gateway-key-save"));
    expect(await within(dialog).findByTestId("gateway-key-save-error")).toHaveTextContent(
      "database is locked",
    );
    expect(screen.getByTestId("gateway-key-dialog")).toBeInTheDocument();
  });
});
