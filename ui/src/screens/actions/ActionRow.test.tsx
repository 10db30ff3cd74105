import { act, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ActionView } from "../../bindings/ActionView";
import type { GrantView } from "../../bindings/GrantView";
import type { Health } from "../../bindings/Health";
import { clearToasts } from "../../components/kit";
import { deferred } from "../../test/deferred";
import { makeAction, makeGrant, makeHealth } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";

// The form has its own tests; here only the route matters.
vi.mock("../action-form/ActionForm", () => ({
  ActionForm: ({ original }: { original: string | null }) => (
    <section data-testid="action-form">{original ?? "New action"}</section>
  ),
}));

const GRANT_OFF = makeGrant();
const GRANT_ON = makeGrant({
  connected: true,
  account: "ada@example.com",
  connectedAt: "2026-11-24T08:00:00Z",
  hasRefreshToken: true,
});

let backend: Backend;

beforeEach(() => {
  act(() => clearToasts());
  backend = mockBackend();
  backend.answerShell();
  backend.oauth_status.mockResolvedValue(GRANT_OFF);
});

function row(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-testid="action-row"][data-name="${name}"]`);
  if (!el) throw new Error(`no row named ${name}`);
  return el;
}

async function setup(actions: ActionView[]) {
  backend.list_actions.mockResolvedValue(actions);
  const r = renderApp();
  await screen.findByTestId("actions-table");
  return r;
}

async function openMenu(user: ReturnType<typeof renderApp>["user"], name: string) {
  await user.click(within(row(name)).getByTestId("action-menu"));
  return screen.findByRole("menu");
}

function menuIds(menu: HTMLElement) {
  return within(menu)
    .getAllByRole("menuitem")
    .map((i) => i.dataset.testid);
}

describe("header", () => {
  it("Add Custom Action opens the form, from the header and from the empty state", async () => {
    const { user } = renderApp();
    await screen.findByTestId("actions-empty");
    await user.click(screen.getByTestId("empty-add-action"));
    expect(window.location.hash).toBe("#/actions/new");
    expect(await screen.findByTestId("action-form")).toBeInTheDocument();

    window.location.hash = "#/actions";
    await user.click(await screen.findByTestId("add-action"));
    expect(window.location.hash).toBe("#/actions/new");
  });

  it("#/actions/NAME/edit renders the form for NAME", async () => {
    window.location.hash = "#/actions/linear/edit";
    renderApp();
    expect(await screen.findByTestId("action-form")).toHaveTextContent("linear");
    expect(screen.queryByTestId("actions-table")).not.toBeInTheDocument();
  });
});

describe("row menu", () => {
  it("offers connect and disconnect only for OAuth actions", async () => {
    backend.oauth_status.mockResolvedValue(GRANT_ON);
    const { user } = await setup([
      makeAction({ name: "plain", auth: { type: "none", ref: null } }),
      makeAction({ name: "tok", auth: { type: "token", ref: "PAT" } }),
      makeAction({ name: "oa", auth: { type: "oauth", ref: null } }),
    ]);
    expect(menuIds(await openMenu(user, "plain"))).toEqual([
      "menu-edit",
      "menu-test",
      "menu-diagnose",
      "menu-export",
      "menu-toggle",
      "menu-delete",
    ]);
    await user.keyboard("{Escape}");
    expect(menuIds(await openMenu(user, "tok"))).toEqual([
      "menu-edit",
      "menu-test",
      "menu-diagnose",
      "menu-export",
      "menu-toggle",
      "menu-delete",
    ]);
    await user.keyboard("{Escape}");
    await waitFor(() =>
      expect(backend.oauth_status).toHaveBeenCalledWith({ kind: "action", name: "oa" }),
    );
    const menu = await openMenu(user, "oa");
    expect(menuIds(menu)).toEqual([
      "menu-edit",
      "menu-test",
      "menu-diagnose",
      "menu-connect",
      "menu-connect-code",
      "menu-disconnect",
      "menu-export",
      "menu-toggle",
      "menu-delete",
    ]);
    expect(within(menu).getByTestId("menu-connect")).toHaveTextContent("Reconnect");
    expect(within(menu).getByTestId("menu-toggle")).toHaveTextContent("Disable");
    expect(backend.oauth_status).not.toHaveBeenCalledWith({ kind: "action", name: "plain" });
  });

  it("says Connect for a never-connected OAuth action, Reconnect when it needs it", async () => {
    const { user } = await setup([
      makeAction({ name: "fresh", auth: { type: "oauth", ref: null } }),
      makeAction({
        name: "stale",
        auth: { type: "oauth", ref: null },
        health: makeHealth({ status: "unhealthy", reason: "needs_reconnect" }),
      }),
    ]);
    await waitFor(() => expect(backend.oauth_status).toHaveBeenCalledTimes(2));
    let menu = await openMenu(user, "fresh");
    expect(within(menu).getByTestId("menu-connect")).toHaveTextContent(/^Connect$/);
    expect(within(menu).queryByTestId("menu-disconnect")).not.toBeInTheDocument();
    await user.keyboard("{Escape}");
    menu = await openMenu(user, "stale");
    expect(within(menu).getByTestId("menu-connect")).toHaveTextContent("Reconnect");
  });

  it("offers Export… for enabled MCP actions only, opening the Export screen for that action", async () => {
    const { user } = await setup([
      makeAction({ name: "linear", kind: "mcp", enabled: true }),
      makeAction({ name: "weather", kind: "http", enabled: true }),
      makeAction({ name: "paused", kind: "mcp", enabled: false }),
    ]);
    expect(
      within(await openMenu(user, "weather")).queryByTestId("menu-export"),
    ).not.toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(
      within(await openMenu(user, "paused")).queryByTestId("menu-export"),
    ).not.toBeInTheDocument();
    await user.keyboard("{Escape}");
    const menu = await openMenu(user, "linear");
    expect(within(menu).getByTestId("menu-export")).toHaveTextContent("Export…");
    await user.click(within(menu).getByTestId("menu-export"));
    expect(window.location.hash).toBe("#/export/linear");
  });

  it("is usable by keyboard", async () => {
    const { user } = await setup([makeAction({ name: "linear" })]);
    within(row("linear")).getByTestId("action-menu").focus();
    await user.keyboard("{Enter}");
    const menu = await screen.findByRole("menu");
    // The first item has the focus once the menu is shown.
    await waitFor(() => expect(within(menu).getAllByRole("menuitem")[0]).toHaveFocus());
    await user.keyboard("{Enter}"); // first item: Edit
    expect(window.location.hash).toBe("#/actions/linear/edit");
  });
});

describe("delete", () => {
  it("asks first and calls removeAction only after confirming", async () => {
    backend.remove_action.mockResolvedValue(makeAction({ name: "linear" }));
    const { user } = await setup([
      makeAction({ name: "linear", auth: { type: "connection", ref: "notion-work" } }),
    ]);
    await openMenu(user, "linear");
    await user.click(screen.getByTestId("menu-delete"));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveAccessibleName("Delete linear?");
    expect(dialog).toHaveTextContent(/secrets and tokens stored for it are removed/);
    expect(dialog).toHaveTextContent("The OAuth connection notion-work it uses is kept.");

    await user.click(within(dialog).getByTestId("confirm-cancel"));
    expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument();
    expect(backend.remove_action).not.toHaveBeenCalled();

    await openMenu(user, "linear");
    await user.click(screen.getByTestId("menu-delete"));
    await user.click(await screen.findByTestId("confirm-ok"));
    expect(backend.remove_action).toHaveBeenCalledWith({ name: "linear" });
    await waitFor(() => expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument());
    expect(document.querySelector('[data-name="linear"]')).not.toBeInTheDocument();
    expect(await screen.findByTestId("toast")).toHaveTextContent("Deleted linear");
  });

  it("keeps the row and explains a refusal", async () => {
    backend.remove_action.mockRejectedValue(wireError("vault_locked", "keyring is locked"));
    const { user } = await setup([makeAction({ name: "linear" })]);
    await openMenu(user, "linear");
    await user.click(screen.getByTestId("menu-delete"));
    await user.click(await screen.findByTestId("confirm-ok"));
    const t = await screen.findByTestId("toast");
    expect(t).toHaveAttribute("data-tone", "error");
    expect(t).toHaveTextContent("Couldn’t delete linear");
    expect(t).toHaveTextContent(/unlock your system keyring/i);
    expect(row("linear")).toBeInTheDocument();
  });
});

describe("enabled switch", () => {
  it("calls setActionEnabled and shows the new state at once", async () => {
    const d = deferred<ActionView>();
    backend.set_action_enabled.mockReturnValue(d.promise);
    const { user } = await setup([makeAction({ name: "linear", enabled: true })]);
    const sw = within(row("linear")).getByRole("switch", { name: "Enabled: linear" });
    expect(sw).toHaveAttribute("data-testid", "action-enabled");
    await user.click(sw);
    expect(backend.set_action_enabled).toHaveBeenCalledWith({ name: "linear", enabled: false });
    await waitFor(() => expect(sw).not.toBeChecked());
    expect(row("linear")).toHaveClass("is-disabled");
    d.resolve(makeAction({ name: "linear", enabled: false }));
    await waitFor(() => expect(backend.set_action_enabled).toHaveBeenCalledTimes(1));
    expect(sw).not.toBeChecked();
  });

  it("rolls back and shows an error toast when the backend refuses", async () => {
    const d = deferred<ActionView>();
    backend.set_action_enabled.mockReturnValue(d.promise);
    const { user } = await setup([makeAction({ name: "linear", enabled: true })]);
    const sw = within(row("linear")).getByRole("switch", { name: "Enabled: linear" });
    await user.click(sw);
    await waitFor(() => expect(sw).not.toBeChecked());
    await act(async () => {
      d.reject(wireError("database", "database is locked"));
      await Promise.resolve();
    });
    await waitFor(() => expect(sw).toBeChecked());
    const t = await screen.findByTestId("toast");
    expect(t).toHaveAttribute("data-tone", "error");
    expect(t).toHaveTextContent("Couldn’t disable linear");
    expect(t).toHaveTextContent("database is locked");
  });

  it("the menu's Enable does the same", async () => {
    backend.set_action_enabled.mockResolvedValue(makeAction({ name: "off", enabled: true }));
    const { user } = await setup([makeAction({ name: "off", enabled: false })]);
    const menu = await openMenu(user, "off");
    const item = within(menu).getByTestId("menu-toggle");
    expect(item).toHaveTextContent("Enable");
    await user.click(item);
    expect(backend.set_action_enabled).toHaveBeenCalledWith({ name: "off", enabled: true });
    await waitFor(() =>
      expect(within(row("off")).getByRole("switch", { name: "Enabled: off" })).toBeChecked(),
    );
  });
});

describe("test connection", () => {
  it("shows Testing… then the new health, and says how it went", async () => {
    const d = deferred<Health>();
    backend.test_action.mockReturnValue(d.promise);
    const { user } = await setup([makeAction({ name: "linear" })]);
    expect(within(row("linear")).getByTestId("health-badge")).toHaveAttribute(
      "data-status",
      "unknown",
    );
    await openMenu(user, "linear");
    await user.click(screen.getByTestId("menu-test"));
    expect(backend.test_action).toHaveBeenCalledWith({ name: "linear" });
    const badge = await within(row("linear")).findByText("Testing…");
    expect(badge.closest("[data-testid=health-badge]")).toHaveAttribute("data-status", "testing");

    await act(async () => {
      d.resolve(
        makeHealth({
          status: "healthy",
          checkedAt: new Date().toISOString(),
          toolCount: 12,
          latencyMs: 96,
        }),
      );
      await Promise.resolve();
    });
    await waitFor(() =>
      expect(within(row("linear")).getByTestId("health-badge")).toHaveAttribute(
        "data-status",
        "healthy",
      ),
    );
    expect(within(row("linear")).getByTestId("health-checked")).toHaveTextContent(
      "Checked just now",
    );
    const t = await screen.findByTestId("toast");
    expect(t).toHaveTextContent("linear is healthy (12 tools, 96 ms)");
    expect(t).toHaveAttribute("data-tone", "success");
  });

  it("reports an unhealthy result with its reason", async () => {
    backend.test_action.mockResolvedValue(
      makeHealth({ status: "unhealthy", reason: "auth", message: "401 from the server" }),
    );
    const { user } = await setup([makeAction({ name: "gh" })]);
    await openMenu(user, "gh");
    await user.click(screen.getByTestId("menu-test"));
    const t = await screen.findByTestId("toast");
    expect(t).toHaveTextContent("gh is unhealthy: auth");
    expect(t).toHaveTextContent("401 from the server");
    expect(within(row("gh")).getByTestId("health-badge")).toHaveTextContent("Unhealthy · auth");
  });
});

describe("sign in with a code", () => {
  const PROMPT = {
    verificationUri: "https://auth.example.com/device",
    verificationUriComplete: "https://auth.example.com/device?user_code=WDJB-MJHT",
    userCode: "WDJB-MJHT",
    expiresAt: "2026-12-05T10:30:00Z",
  };
  const oauthAction = () => makeAction({ name: "oa", auth: { type: "oauth", ref: null } });

  it("shows where to go and the code, each with Copy, then says who connected", async () => {
    const d = deferred<GrantView>();
    backend.connect_with_code.mockReturnValue(d.promise);
    const { user } = await setup([oauthAction()]);
    await openMenu(user, "oa");
    await user.click(await screen.findByTestId("menu-connect-code"));
    const dialog = await screen.findByTestId("device-code-dialog");
    expect(within(dialog).getByTestId("device-code-starting")).toHaveTextContent(
      "Asking oa’s server for a code",
    );
    await waitFor(() => expect(backend.listeners("device-code")).toBe(1));
    expect(backend.connect_with_code).toHaveBeenCalledWith({ kind: "action", name: "oa" });

    act(() => backend.emit("device-code", PROMPT));
    expect(await within(dialog).findByTestId("device-code-code")).toHaveTextContent("WDJB-MJHT");
    expect(within(dialog).getByTestId("device-code-url")).toHaveTextContent(
      "https://auth.example.com/device",
    );
    expect(within(dialog).getByTestId("device-code-url-copy")).toBeInTheDocument();
    expect(within(dialog).getByTestId("device-code-code-copy")).toBeInTheDocument();
    expect(within(dialog).getByTestId("device-code-complete")).toHaveTextContent(
      "user_code=WDJB-MJHT",
    );
    expect(within(dialog).getByTestId("device-code-expires")).toHaveAttribute(
      "datetime",
      PROMPT.expiresAt,
    );

    await act(async () => {
      d.resolve(GRANT_ON);
      await Promise.resolve();
    });
    expect(await screen.findByTestId("toast")).toHaveTextContent("Connected as ada@example.com");
    expect(screen.queryByTestId("device-code-dialog")).not.toBeInTheDocument();
    expect(backend.listeners("device-code")).toBe(0);
  });

  it("Cancel stops the polling and closes", async () => {
    const d = deferred<GrantView>();
    backend.connect_with_code.mockReturnValue(d.promise);
    backend.cancel_connect.mockImplementation(() => {
      d.reject(wireError("cancelled", "the sign-in was cancelled"));
      return Promise.resolve(true);
    });
    const { user } = await setup([oauthAction()]);
    await openMenu(user, "oa");
    await user.click(await screen.findByTestId("menu-connect-code"));
    await user.click(await screen.findByTestId("device-code-cancel"));
    expect(backend.cancel_connect).toHaveBeenCalledWith({ kind: "action", name: "oa" });
    await waitFor(() => expect(screen.queryByTestId("device-code-dialog")).not.toBeInTheDocument());
  });

  it("a refused or expired code says so and gets a new one", async () => {
    backend.connect_with_code
      .mockRejectedValueOnce(wireError("consent_timeout", "the code WDJB-MJHT expired"))
      .mockReturnValueOnce(new Promise<GrantView>(() => {}));
    const { user } = await setup([oauthAction()]);
    await openMenu(user, "oa");
    await user.click(await screen.findByTestId("menu-connect-code"));
    const error = await screen.findByTestId("device-code-error");
    expect(error).toHaveTextContent("the code WDJB-MJHT expired");
    await user.click(screen.getByTestId("device-code-retry"));
    expect(await screen.findByTestId("device-code-starting")).toBeInTheDocument();
    await waitFor(() => expect(backend.connect_with_code).toHaveBeenCalledTimes(2));
  });

  it("is not offered for a client credentials action (no user signs in)", async () => {
    const { user } = await setup([
      makeAction({ name: "oa", auth: { type: "oauth", ref: null }, grant: "client-credentials" }),
    ]);
    const menu = await openMenu(user, "oa");
    expect(within(menu).queryByTestId("menu-connect-code")).not.toBeInTheDocument();
  });
});

describe("connect", () => {
  it("waits for the browser with a Cancel, then says who it connected as", async () => {
    const d = deferred<GrantView>();
    backend.connect.mockReturnValue(d.promise);
    backend.cancel_connect.mockResolvedValue(true);
    const { user } = await setup([makeAction({ name: "oa", auth: { type: "oauth", ref: null } })]);
    await openMenu(user, "oa");
    await user.click(await screen.findByTestId("menu-connect"));
    expect(backend.connect).toHaveBeenCalledWith({ kind: "action", name: "oa" });
    const waiting = await within(row("oa")).findByTestId("connect-waiting");
    expect(waiting).toHaveTextContent("Waiting for the browser…");

    await act(async () => {
      d.resolve(GRANT_ON);
      await Promise.resolve();
    });
    expect(await screen.findByTestId("toast")).toHaveTextContent("Connected as ada@example.com");
    expect(within(row("oa")).queryByTestId("connect-waiting")).not.toBeInTheDocument();
    const menu = await openMenu(user, "oa");
    expect(within(menu).getByTestId("menu-disconnect")).toBeInTheDocument();
    expect(within(menu).getByTestId("menu-connect")).toHaveTextContent("Reconnect");
  });

  it("Cancel stops the sign-in", async () => {
    const d = deferred<GrantView>();
    backend.connect.mockReturnValue(d.promise);
    backend.cancel_connect.mockImplementation(() => {
      d.reject(wireError("cancelled", "sign-in cancelled"));
      return Promise.resolve(true);
    });
    const { user } = await setup([makeAction({ name: "oa", auth: { type: "oauth", ref: null } })]);
    await openMenu(user, "oa");
    await user.click(await screen.findByTestId("menu-connect"));
    await user.click(await screen.findByTestId("connect-cancel"));
    expect(backend.cancel_connect).toHaveBeenCalledWith({ kind: "action", name: "oa" });
    await waitFor(() =>
      expect(within(row("oa")).queryByTestId("connect-waiting")).not.toBeInTheDocument(),
    );
    expect(await screen.findByTestId("toast")).toHaveAttribute("data-tone", "info");
  });

  it("explains a denial with what to do", async () => {
    backend.connect.mockRejectedValue(wireError("access_denied", "the user said no"));
    const { user } = await setup([makeAction({ name: "oa", auth: { type: "oauth", ref: null } })]);
    await openMenu(user, "oa");
    await user.click(await screen.findByTestId("menu-connect"));
    const t = await screen.findByTestId("toast");
    expect(t).toHaveAttribute("data-tone", "error");
    expect(t).toHaveTextContent("the user said no");
    expect(t).toHaveTextContent(/try again and allow access/i);
  });

  it("Disconnect reports the revocation", async () => {
    backend.oauth_status.mockResolvedValue(GRANT_ON);
    backend.disconnect.mockResolvedValue({
      ...GRANT_OFF,
      wasConnected: true,
      revocation: { outcome: "unsupported", revoked: [], message: null },
    });
    const { user } = await setup([makeAction({ name: "oa", auth: { type: "oauth", ref: null } })]);
    await waitFor(() => expect(backend.oauth_status).toHaveBeenCalled());
    await openMenu(user, "oa");
    await user.click(await screen.findByTestId("menu-disconnect"));
    expect(backend.disconnect).toHaveBeenCalledWith({ kind: "action", name: "oa" });
    const t = await screen.findByTestId("toast");
    expect(t).toHaveTextContent("Disconnected oa");
    expect(t).toHaveTextContent("can’t revoke tokens");
  });
});

describe("health details", () => {
  it("shows when it was checked and an open breaker", async () => {
    await setup([
      makeAction({
        name: "flaky",
        health: makeHealth({
          status: "unhealthy",
          reason: "network",
          checkedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
        }),
        breaker: {
          state: "open",
          failures: 5,
          retryAt: new Date(Date.now() + 3 * 60_000).toISOString(),
        },
      }),
    ]);
    expect(within(row("flaky")).getByTestId("health-checked")).toHaveTextContent(
      "Checked 5 minutes ago",
    );
    const breaker = within(row("flaky")).getByTestId("breaker-badge");
    expect(breaker).toHaveTextContent("Paused · retry in 3 minutes");
    expect(breaker).toHaveAttribute("title", expect.stringContaining("5 failures in a row"));
  });
});
