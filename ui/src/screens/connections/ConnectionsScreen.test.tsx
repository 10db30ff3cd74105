import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { clearToasts, Toaster } from "../../components/kit";
import { makeGrant, makePublicJwk } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { ConnectionsScreen } from "./ConnectionsScreen";
import { makeConnection } from "./fixtures";

const LOOPBACK = "http://127.0.0.1:47615/callback";
const APP_LINK = "dev.patchbay.app:/oauth/callback";

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.list_connections.mockResolvedValue([]);
  backend.callback_urls.mockResolvedValue({ loopback: LOOPBACK, port: 47615, appLink: APP_LINK });
  backend.oauth_status.mockResolvedValue(makeGrant());
  backend.cancel_connect.mockResolvedValue(true);
});

afterEach(() => clearToasts());

function renderScreen() {
  return renderApp(
    <>
      <ConnectionsScreen />
      <Toaster />
    </>,
  );
}

function row(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(
    `[data-testid="connection-row"][data-name="${name}"]`,
  );
  if (!el) throw new Error(`no row named ${name}`);
  return el;
}

function field(name: string): HTMLInputElement {
  const dialog = screen.getByTestId("connection-dialog");
  const el = dialog.querySelector<HTMLInputElement>(`[name="${name}"]`);
  if (!el) throw new Error(`no field named ${name}`);
  return el;
}

type User = ReturnType<typeof renderApp>["user"];

/** Types by pasting (one input event): the same for the form, much faster than key by key. */
async function put(user: User, name: string, text: string) {
  await user.click(field(name));
  await user.paste(text);
}

async function fillRequired(user: User) {
  await put(user, "name", "hubspot-sales");
  await put(user, "provider", "HubSpot");
  await put(user, "clientId", "client-123");
  await put(user, "clientSecret", "s3cret");
  await put(user, "authorizationUrl", "https://app.hubspot.com/oauth/authorize");
  await put(user, "tokenUrl", "https://api.hubapi.com/oauth/v1/token");
}

async function openMenuItem(user: User, name: string, item: string) {
  await user.click(within(row(name)).getByTestId("connection-menu"));
  await user.click(await screen.findByTestId(item));
}

describe("Connections screen", () => {
  it("shows both callback URLs with copy buttons", async () => {
    const { user } = renderScreen();
    const panel = screen.getByTestId("callback-urls");
    expect(within(panel).getByText(/register this as the redirect URI/i)).toBeInTheDocument();
    const loopback = await screen.findByTestId("callback-loopback");
    const appLink = screen.getByTestId("callback-app-link");
    expect(loopback).toHaveTextContent(LOOPBACK);
    expect(appLink).toHaveTextContent(APP_LINK);
    expect(within(panel).getByText(/works for every sign-in/i)).toBeInTheDocument();
    expect(within(panel).getByText(/only for sign-ins started in this app/i)).toBeInTheDocument();

    await user.click(within(appLink).getByRole("button", { name: "Copy App link" }));
    expect(await navigator.clipboard.readText()).toBe(APP_LINK);
    await user.click(within(loopback).getByRole("button", { name: "Copy Loopback" }));
    expect(await navigator.clipboard.readText()).toBe(LOOPBACK);
  });

  it("explains connections when there are none", async () => {
    const { user } = renderScreen();
    const empty = await screen.findByTestId("connections-empty");
    expect(empty).toHaveTextContent(/OAuth app you registered with a provider/);
    await user.click(within(empty).getByRole("button", { name: "Add connection" }));
    expect(await screen.findByTestId("connection-dialog")).toBeInTheDocument();
  });

  it("shows a spinner while loading", () => {
    backend.list_connections.mockReturnValue(new Promise(() => {}));
    renderScreen();
    expect(screen.getByText("Loading connections…").closest("[role=status]")).toBeInTheDocument();
    expect(screen.queryByTestId("connections-empty")).not.toBeInTheDocument();
  });

  it("shows the list error with its code and a retry", async () => {
    backend.list_connections.mockRejectedValueOnce(wireError("database", "database is locked"));
    const { user } = renderScreen();
    const error = await screen.findByTestId("connections-error");
    expect(error).toHaveAttribute("data-code", "database");
    backend.list_connections.mockResolvedValue([makeConnection()]);
    await user.click(within(error).getByRole("button", { name: "Retry" }));
    expect(await screen.findByTestId("connection-row")).toBeInTheDocument();
  });

  it("lists connections grouped by provider with their sign-in state and users", async () => {
    backend.list_connections.mockResolvedValue([
      makeConnection({ name: "hubspot-sales", usedBy: ["crm", "deals"] }),
      makeConnection({ name: "hubspot-support", tokenAuthMethod: "none", publicClient: true }),
      makeConnection({ name: "gh", provider: "GitHub", scopes: [] }),
    ]);
    backend.oauth_status.mockImplementation(({ name }) =>
      Promise.resolve(
        name === "hubspot-sales"
          ? makeGrant({ connected: true, account: "ada@example.com" })
          : name === "gh"
            ? makeGrant({ needsReconnect: true, reconnectReason: "refresh token refused" })
            : makeGrant(),
      ),
    );
    renderScreen();
    await screen.findAllByTestId("connection-row");
    expect(screen.getByTestId("connections-count")).toHaveTextContent("3");
    const groups = screen.getAllByRole("region").filter((r) => r.classList.contains("conn-group"));
    expect(groups.map((g) => g.getAttribute("aria-label"))).toEqual(["GitHub", "HubSpot"]);

    const sales = row("hubspot-sales");
    expect(sales).toHaveTextContent("client-123");
    expect(sales).toHaveTextContent("Confidential");
    expect(sales).toHaveTextContent("crm.objects.contacts.read oauth");
    expect(within(sales).getByTestId("connection-used-by")).toHaveTextContent("crm, deals");
    await waitFor(() =>
      expect(within(sales).getByTestId("connection-state")).toHaveTextContent(
        "Connected as ada@example.com",
      ),
    );
    expect(row("hubspot-support")).toHaveTextContent("Public (PKCE)");
    await waitFor(() =>
      expect(within(row("hubspot-support")).getByTestId("connection-state")).toHaveTextContent(
        "Not connected",
      ),
    );
    await waitFor(() =>
      expect(within(row("gh")).getByTestId("connection-state")).toHaveAttribute(
        "data-state",
        "reconnect",
      ),
    );
    expect(row("gh")).toHaveTextContent("Reconnect needed");
    expect(row("gh")).toHaveTextContent("refresh token refused");
    expect(backend.oauth_status).toHaveBeenCalledWith({ kind: "connection", name: "gh" });
  });

  it("connects from the row menu, shows the wait and can cancel it", async () => {
    backend.list_connections.mockResolvedValue([makeConnection()]);
    backend.connect.mockReturnValue(new Promise(() => {}));
    const { user } = renderScreen();
    await screen.findByTestId("connection-row");
    await waitFor(() =>
      expect(within(row("hubspot-sales")).getByTestId("connection-state")).toHaveTextContent(
        "Not connected",
      ),
    );
    await openMenuItem(user, "hubspot-sales", "connection-connect");
    expect(backend.connect).toHaveBeenCalledWith({ kind: "connection", name: "hubspot-sales" });
    const waiting = await within(row("hubspot-sales")).findByTestId("connection-waiting");
    expect(waiting).toHaveTextContent("Waiting for the browser…");
    await user.click(within(waiting).getByRole("button", { name: "Cancel" }));
    expect(backend.cancel_connect).toHaveBeenCalledWith({
      kind: "connection",
      name: "hubspot-sales",
    });
    expect(
      within(row("hubspot-sales")).queryByTestId("connection-waiting"),
    ).not.toBeInTheDocument();
  });

  it("explains which actions block a delete", async () => {
    backend.list_connections.mockResolvedValue([makeConnection({ usedBy: ["crm", "deals"] })]);
    backend.remove_connection.mockRejectedValue(
      wireError("in_use", "connection 'hubspot-sales' is used by 2 actions"),
    );
    const { user } = renderScreen();
    await screen.findByTestId("connection-row");
    await openMenuItem(user, "hubspot-sales", "connection-delete");
    const confirm = await screen.findByTestId("confirm-dialog");
    expect(confirm).toHaveTextContent("Used by crm, deals");
    await user.click(within(confirm).getByTestId("confirm-ok"));
    expect(backend.remove_connection).toHaveBeenCalledWith({ name: "hubspot-sales" });
    const notice = await screen.findByTestId("connections-notice");
    expect(notice).toHaveAttribute("data-code", "in_use");
    expect(within(notice).getByTestId("connection-in-use")).toHaveTextContent(
      "Used by crm, deals. Edit those actions",
    );
  });

  it("disconnects after confirming", async () => {
    backend.list_connections.mockResolvedValue([makeConnection()]);
    backend.oauth_status.mockResolvedValue(makeGrant({ connected: true, account: "ada" }));
    backend.disconnect.mockResolvedValue({
      ...makeGrant(),
      wasConnected: true,
      revocation: { outcome: "revoked", revoked: ["refresh_token"], message: null },
    });
    const { user } = renderScreen();
    await waitFor(() =>
      expect(within(row("hubspot-sales")).getByTestId("connection-state")).toHaveTextContent(
        "Connected as ada",
      ),
    );
    await openMenuItem(user, "hubspot-sales", "connection-disconnect");
    await user.click(
      within(await screen.findByTestId("disconnect-dialog")).getByTestId("confirm-ok"),
    );
    expect(backend.disconnect).toHaveBeenCalledWith({ kind: "connection", name: "hubspot-sales" });
    const toast = await screen.findByTestId("toast");
    expect(toast).toHaveAttribute("data-tone", "success");
    expect(toast).toHaveTextContent("Disconnected hubspot-sales");
    expect(toast).toHaveTextContent("The provider revoked its tokens.");
  });

  it("toasts who signed in after a connect from the row", async () => {
    backend.list_connections.mockResolvedValue([makeConnection()]);
    const grant = makeGrant({ connected: true, account: "ada@example.com" });
    backend.connect.mockResolvedValue(grant);
    // The backend answers for the new grant once the sign-in happened.
    backend.oauth_status.mockImplementation(() =>
      Promise.resolve(backend.connect.mock.calls.length > 0 ? grant : makeGrant()),
    );
    const { user } = renderScreen();
    await screen.findByTestId("connection-row");
    await openMenuItem(user, "hubspot-sales", "connection-connect");
    expect(await screen.findByTestId("toast")).toHaveTextContent("Connected as ada@example.com");
    await waitFor(() =>
      expect(within(row("hubspot-sales")).getByTestId("connection-state")).toHaveTextContent(
        "Connected as ada@example.com",
      ),
    );
  });

  it("shows a failed connect in the row with Try again", async () => {
    backend.list_connections.mockResolvedValue([makeConnection()]);
    backend.connect.mockRejectedValueOnce(wireError("consent_timeout", "no answer in 5 minutes"));
    const { user } = renderScreen();
    await screen.findByTestId("connection-row");
    await openMenuItem(user, "hubspot-sales", "connection-connect");
    const error = await within(row("hubspot-sales")).findByTestId("connection-signin-error");
    expect(error).toHaveAttribute("data-code", "consent_timeout");
    backend.connect.mockResolvedValueOnce(makeGrant({ connected: true }));
    await user.click(within(error).getByRole("button", { name: "Try again" }));
    expect(backend.connect).toHaveBeenCalledTimes(2);
    await waitFor(() =>
      expect(
        within(row("hubspot-sales")).queryByTestId("connection-signin-error"),
      ).not.toBeInTheDocument(),
    );
  });
});

describe("Connection dialog", () => {
  it("validates required fields inline and sends nothing", async () => {
    const { user } = renderScreen();
    await user.click(screen.getByTestId("add-connection"));
    await screen.findByTestId("connection-dialog");
    await user.click(screen.getByTestId("connection-save"));
    for (const name of ["name", "provider", "clientId", "authorizationUrl", "tokenUrl"]) {
      expect(field(name), name).toHaveAttribute("aria-invalid", "true");
    }
    expect(field("clientSecret")).not.toHaveAttribute("aria-invalid");
    expect(field("name")).toHaveFocus();
    await put(user, "tokenUrl", "http://example.com/token");
    expect(screen.getByText(/plain http is allowed only on 127.0.0.1/)).toBeInTheDocument();
    expect(backend.save_connection).not.toHaveBeenCalled();
  });

  it("sends the whole form and closes on Save", async () => {
    backend.save_connection.mockResolvedValue(makeConnection());
    const { user } = renderScreen();
    await user.click(screen.getByTestId("add-connection"));
    await screen.findByTestId("connection-dialog");
    await fillRequired(user);
    await put(user, "revocationUrl", "https://api.hubapi.com/oauth/v1/revoke");
    await user.selectOptions(field("tokenAuthMethod"), "client_secret_post");
    await put(user, "scopes", "crm.objects.contacts.read, oauth");
    await user.click(screen.getByTestId("connection-save"));
    expect(backend.save_connection).toHaveBeenCalledWith({
      original: null,
      form: {
        name: "hubspot-sales",
        provider: "HubSpot",
        clientId: "client-123",
        clientSecret: "s3cret",
        clearClientSecret: false,
        authorizationUrl: "https://app.hubspot.com/oauth/authorize",
        tokenUrl: "https://api.hubapi.com/oauth/v1/token",
        revocationUrl: "https://api.hubapi.com/oauth/v1/revoke",
        registrationUrl: "",
        tokenAuthMethod: "client_secret_post",
        scopes: "crm.objects.contacts.read oauth",
        grant: "authorization-code",
      },
    });
    await waitFor(() => expect(screen.queryByTestId("connection-dialog")).not.toBeInTheDocument());
    expect(backend.connect).not.toHaveBeenCalled();
  });

  it("keeps what was typed when the save fails, with the error at its field", async () => {
    backend.save_connection.mockRejectedValue(
      wireError("conflict", "a connection named 'hubspot-sales' already exists", {
        field: "name",
      }),
    );
    const { user } = renderScreen();
    await user.click(screen.getByTestId("add-connection"));
    await screen.findByTestId("connection-dialog");
    await fillRequired(user);
    await user.click(screen.getByTestId("connection-save"));
    expect(await screen.findByText(/already exists/)).toBeInTheDocument();
    expect(field("name")).toHaveAttribute("aria-invalid", "true");
    expect(field("name")).toHaveValue("hubspot-sales");
    expect(field("clientSecret")).toHaveValue("s3cret");
    expect(field("tokenUrl")).toHaveValue("https://api.hubapi.com/oauth/v1/token");

    backend.save_connection.mockRejectedValueOnce(wireError("vault_locked", "keyring locked"));
    await user.clear(field("name"));
    await put(user, "name", "hubspot-2");
    await user.click(screen.getByTestId("connection-save"));
    const notice = await screen.findByTestId("connection-save-error");
    expect(notice).toHaveAttribute("data-code", "vault_locked");
    expect(field("clientSecret")).toHaveValue("s3cret");
  });

  it("saves then authorizes, shows a failure with Try again, then Connected as", async () => {
    backend.save_connection.mockResolvedValue(makeConnection());
    backend.connect.mockRejectedValueOnce(
      wireError("access_denied", "the user denied access at the provider"),
    );
    const { user } = renderScreen();
    await user.click(screen.getByTestId("add-connection"));
    await screen.findByTestId("connection-dialog");
    await fillRequired(user);
    await user.click(screen.getByTestId("connection-save-authorize"));

    const failed = await screen.findByTestId("connection-signin-error");
    expect(failed).toHaveTextContent("Authorization failed");
    expect(failed).toHaveAttribute("data-code", "access_denied");
    expect(backend.save_connection).toHaveBeenCalledTimes(1);
    expect(backend.save_connection.mock.invocationCallOrder[0]).toBeLessThan(
      backend.connect.mock.invocationCallOrder[0]!,
    );
    expect(backend.connect).toHaveBeenCalledWith({ kind: "connection", name: "hubspot-sales" });
    // Still the dialog, with everything typed except the now-stored secret.
    expect(field("provider")).toHaveValue("HubSpot");
    expect(field("clientSecret")).toHaveValue("");
    expect(field("clientSecret")).toHaveAttribute("placeholder", "Stored — leave empty to keep");

    let finish!: (g: ReturnType<typeof makeGrant>) => void;
    backend.connect.mockReturnValueOnce(new Promise((r) => (finish = r)));
    await user.click(screen.getByTestId("connection-try-again"));
    expect(backend.connect).toHaveBeenCalledTimes(2);
    expect(backend.save_connection).toHaveBeenCalledTimes(1);
    expect(await screen.findByText("Waiting for the browser…")).toBeInTheDocument();
    finish(makeGrant({ connected: true, account: "ada@example.com" }));
    const ok = await screen.findByText("Connected as ada@example.com");
    expect(ok.closest("[data-testid=connection-signin]")).toHaveAttribute(
      "data-phase",
      "connected",
    );

    // A later Save edits what was just created.
    await user.click(screen.getByTestId("connection-done"));
    await waitFor(() => expect(screen.queryByTestId("connection-dialog")).not.toBeInTheDocument());
  });

  it("shows a client credentials connection's grant and public key, and sends the grant", async () => {
    const jwk = makePublicJwk();
    backend.list_connections.mockResolvedValue([
      makeConnection({
        grant: "client-credentials",
        tokenAuthMethod: "private_key_jwt",
        clientSecretSet: false,
        publicJwk: jwk,
      }),
    ]);
    backend.save_connection.mockResolvedValue(makeConnection());
    const { user } = renderScreen();
    await screen.findByTestId("connection-row");
    await openMenuItem(user, "hubspot-sales", "connection-edit");
    await screen.findByTestId("connection-dialog");
    expect(field("grant")).toHaveValue("client-credentials");
    expect(field("tokenAuthMethod")).toHaveValue("private_key_jwt");
    expect(screen.getByTestId("connection-public-jwk")).toHaveTextContent(jwk.x);
    // A public client cannot use client credentials: refused before anything is sent.
    await user.selectOptions(field("tokenAuthMethod"), "none");
    await user.click(screen.getByTestId("connection-save"));
    expect(await screen.findByText(/need a confidential client/)).toBeInTheDocument();
    expect(backend.save_connection).not.toHaveBeenCalled();
    await user.selectOptions(field("tokenAuthMethod"), "private_key_jwt");
    await user.click(screen.getByTestId("connection-save"));
    await waitFor(() => expect(backend.save_connection).toHaveBeenCalledTimes(1));
    expect(backend.save_connection).toHaveBeenCalledWith({
      original: "hubspot-sales",
      form: expect.objectContaining({
        grant: "client-credentials",
        tokenAuthMethod: "private_key_jwt",
        clientSecret: null,
      }) as unknown,
    });
  });

  it("edits with the stored values, keeps an empty secret and sends the original name", async () => {
    backend.list_connections.mockResolvedValue([
      makeConnection({ revocationUrl: "https://x.example/revoke" }),
    ]);
    backend.save_connection.mockResolvedValue(makeConnection({ name: "hubspot-main" }));
    const { user } = renderScreen();
    await screen.findByTestId("connection-row");
    await openMenuItem(user, "hubspot-sales", "connection-edit");
    await screen.findByTestId("connection-dialog");
    expect(field("name")).toHaveValue("hubspot-sales");
    expect(field("clientSecret")).toHaveValue("");
    expect(field("clientSecret")).toHaveAttribute("placeholder", "Stored — leave empty to keep");
    expect(field("tokenAuthMethod")).toHaveValue("client_secret_basic");
    expect(field("revocationUrl")).toHaveValue("https://x.example/revoke");
    await user.clear(field("name"));
    await put(user, "name", "hubspot-main");
    await user.click(screen.getByTestId("connection-save"));
    expect(backend.save_connection).toHaveBeenCalledWith({
      original: "hubspot-sales",
      form: expect.objectContaining({
        name: "hubspot-main",
        clientSecret: null,
        clearClientSecret: false,
        tokenAuthMethod: "client_secret_basic",
        scopes: "crm.objects.contacts.read oauth",
      }) as unknown,
    });
  });

  it("can remove a stored secret", async () => {
    backend.list_connections.mockResolvedValue([makeConnection()]);
    backend.save_connection.mockResolvedValue(makeConnection());
    const { user } = renderScreen();
    await screen.findByTestId("connection-row");
    await openMenuItem(user, "hubspot-sales", "connection-edit");
    await screen.findByTestId("connection-dialog");
    await user.click(field("clearClientSecret"));
    await user.click(screen.getByTestId("connection-save"));
    // client_secret_basic without a secret can't work: the form says so first.
    expect(backend.save_connection).not.toHaveBeenCalled();
    expect(field("clientSecret")).toHaveAttribute("aria-invalid", "true");
    await user.selectOptions(field("tokenAuthMethod"), "none");
    await user.click(screen.getByTestId("connection-save"));
    expect(backend.save_connection).toHaveBeenCalledWith({
      original: "hubspot-sales",
      form: expect.objectContaining({
        clientSecret: null,
        clearClientSecret: true,
        tokenAuthMethod: "none",
      }) as unknown,
    });
  });
});
