import { screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ActionForm as ActionFormWire } from "../../bindings/ActionForm";
import type { GrantView } from "../../bindings/GrantView";
import type { OAuthView } from "../../bindings/OAuthView";
import { clearToasts, Toaster } from "../../components/kit";
import { deferred } from "../../test/deferred";
import { makeAction, makeGrant, makePublicJwk } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { makeHttpToken, makeTextToken } from "../tokens/fixtures";
import { ActionForm } from "./ActionForm";
import { CLIENT_DETAILS_MESSAGE } from "./clientDetails";

// Many keystrokes per test: give a loaded machine room.
vi.setConfig({ testTimeout: 20_000 });

let backend: Backend;

/** A connected sign-in (override what the test needs). */
function grant(over: Partial<GrantView> = {}): GrantView {
  return makeGrant({
    connected: true,
    account: "ada@example.com",
    scopes: ["read"],
    issuer: "https://auth.example.com",
    clientId: "cid",
    hasRefreshToken: true,
    connectedAt: "2026-11-24T08:00:00Z",
    ...over,
  });
}

beforeEach(() => {
  clearToasts();
  backend = mockBackend();
  backend.list_actions.mockResolvedValue([]);
  backend.save_action.mockImplementation(({ form }) =>
    Promise.resolve(
      makeAction({ name: form.name, kind: form.kind, url: form.url, auth: form.auth }),
    ),
  );
  backend.remove_action.mockResolvedValue(makeAction());
  backend.connect.mockResolvedValue(grant());
  backend.cancel_connect.mockResolvedValue(true);
  backend.oauth_status.mockResolvedValue(grant({ connected: false, account: null }));
  backend.disconnect.mockResolvedValue({
    ...grant({ connected: false, account: null }),
    wasConnected: true,
    revocation: { outcome: "revoked", revoked: ["refresh_token"], message: null },
  });
  backend.list_tokens.mockResolvedValue([
    makeTextToken({ name: "github-pat" }),
    makeHttpToken({ name: "open-meteo" }),
  ]);
  backend.list_connections.mockResolvedValue([]);
  backend.callback_urls.mockResolvedValue({
    loopback: "http://127.0.0.1:47615/callback",
    port: 47615,
    appLink: "dev.patchbay.app:/oauth/callback",
  });
});

function renderForm(original: string | null = null) {
  const onClose = vi.fn();
  const r = renderApp(
    <>
      <ActionForm original={original} onClose={onClose} />
      <Toaster />
    </>,
  );
  return { ...r, onClose };
}

function field(name: string): HTMLInputElement {
  const el = document.querySelector<HTMLInputElement>(
    `[data-testid="action-form"] [name="${name}"]:not([aria-hidden="true"])`,
  );
  if (!el) throw new Error(`no field named ${name}`);
  return el;
}

const describedText = (el: HTMLElement) =>
  (el.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent ?? "")
    .join(" ");

type User = ReturnType<typeof renderForm>["user"];

/** Types by pasting (fast, and `{` needs no escaping). */
async function fill(user: User, name: string, value: string) {
  await user.click(field(name));
  await user.paste(value);
}

async function fillBasics(user: User, name = "linear", url = "https://mcp.linear.app/mcp") {
  await fill(user, "name", name);
  await fill(user, "url", url);
}

/** An action's stored OAuth settings: nothing set but `over`. */
function oauthView(over: Partial<OAuthView> = {}): OAuthView {
  return {
    clientSecretSet: false,
    clientId: null,
    tokenAuthMethod: null,
    authorizationUrl: null,
    tokenUrl: null,
    registrationUrl: null,
    scopes: [],
    assumePkceS256: false,
    resourceOverride: null,
    omitResource: false,
    clientMetadataUrl: null,
    callback: "loopback",
    assertionFile: null,
    idp: null,
    ...over,
  };
}

/** The last `save_action`'s [original, form]. */
function lastSaved(): [string | null, ActionFormWire] {
  const call = backend.save_action.mock.calls.at(-1);
  if (!call) throw new Error("saveAction was not called");
  return [call[0].original, call[0].form];
}

describe("new action: validation", () => {
  it("requires a name and a URL, sends nothing and focuses the first problem", async () => {
    const { user } = renderForm();
    expect(screen.getByRole("heading", { name: "Add Custom Action" })).toBeInTheDocument();
    await user.click(screen.getByTestId("save-action"));
    expect(field("name")).toHaveAttribute("aria-invalid", "true");
    expect(describedText(field("name"))).toContain("Enter a name.");
    expect(describedText(field("url"))).toContain("Enter the MCP server URL.");
    expect(field("name")).toHaveFocus();
    expect(backend.save_action).not.toHaveBeenCalled();
    // Fixing a field clears its error as you type.
    await user.type(field("name"), "linear");
    expect(field("name")).not.toHaveAttribute("aria-invalid");
  });

  it("checks the URL: https, or http only on this computer", async () => {
    const { user } = renderForm();
    await fillBasics(user, "linear", "http://mcp.linear.app/mcp");
    await user.click(screen.getByTestId("save-action"));
    expect(describedText(field("url"))).toMatch(/Use https/);
    expect(backend.save_action).not.toHaveBeenCalled();
    await user.clear(field("url"));
    await fill(user, "url", "http://127.0.0.1:8080/mcp");
    expect(field("url")).not.toHaveAttribute("aria-invalid");
  });

  it("opens Advanced configuration when a problem is inside it", async () => {
    const { user } = renderForm();
    await user.click(screen.getByTestId("kind-http"));
    await fill(user, "url", "https://api.example.com/v1");
    await user.click(screen.getByTestId("auth-card-oauth"));
    expect(screen.getByTestId("advanced-toggle")).toHaveAttribute("aria-expanded", "false");
    await user.click(screen.getByTestId("save-action"));
    // Name is focused (first problem), and the endpoints HTTP needs are shown too.
    expect(field("name")).toHaveFocus();
    expect(screen.getByTestId("advanced-toggle")).toHaveAttribute("aria-expanded", "true");
    expect(describedText(field("authorizationUrl"))).toMatch(/Needed for OAuth/);
    expect(describedText(field("tokenUrl"))).toMatch(/Needed for OAuth/);
    expect(backend.save_action).not.toHaveBeenCalled();
  });

  it("refuses an Authorization header inline", async () => {
    const { user } = renderForm();
    await user.click(screen.getByTestId("kind-http"));
    await fillBasics(user, "weather", "https://api.example.com/v1");
    await user.click(screen.getByTestId("add-header"));
    await user.type(field("header-name-0"), "Authorization");
    await user.type(field("header-value-0"), "Bearer abc");
    await user.click(screen.getByTestId("save-action"));
    expect(describedText(field("header-name-0"))).toMatch(/comes from Authentication/);
    expect(backend.save_action).not.toHaveBeenCalled();
  });
});

describe("authentication cards", () => {
  it("shows Advanced configuration and Connect only for OAuth 2.1", async () => {
    const { user } = renderForm();
    expect(screen.getByTestId("auth-card-oauth")).toHaveAttribute("data-state", "checked");
    expect(screen.getByTestId("advanced-toggle")).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByTestId("connect-panel")).toBeInTheDocument();

    await user.click(screen.getByTestId("auth-card-token"));
    expect(screen.queryByTestId("advanced-toggle")).not.toBeInTheDocument();
    expect(screen.queryByTestId("connect-panel")).not.toBeInTheDocument();
    const select = await screen.findByRole("combobox", { name: "Bearer token" });
    expect(
      within(select)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["Choose a token…", "github-pat"]);

    await user.click(screen.getByTestId("auth-card-none"));
    expect(screen.queryByTestId("advanced-toggle")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("auth-card-oauth"));
    await user.click(screen.getByTestId("advanced-toggle"));
    expect(field("clientId")).toBeVisible();
  });

  it("links to Connections when there is no connection to choose", async () => {
    const { user } = renderForm();
    await user.click(screen.getByTestId("auth-card-connection"));
    const empty = await screen.findByTestId("auth-ref-empty");
    expect(within(empty).getByRole("link", { name: /Create one/ })).toHaveAttribute(
      "href",
      "#/connections",
    );
    await fillBasics(user);
    await user.click(screen.getByTestId("save-action"));
    expect(empty).toHaveTextContent("Choose the OAuth connection");
    expect(backend.save_action).not.toHaveBeenCalled();
  });
});

describe("saving a new action", () => {
  it("sends MCP + OAuth with the advanced fields, toasts and closes", async () => {
    const { user, onClose } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.type(field("clientId"), "my-client");
    await user.type(field("clientSecret"), "s3cret");
    await fill(user, "authorizationUrl", "https://auth.example.com/authorize");
    await fill(user, "tokenUrl", "https://auth.example.com/token");
    await fill(user, "registrationUrl", "https://auth.example.com/register");
    await user.type(field("scopes"), "read write");
    await user.selectOptions(field("tokenAuthMethod"), "client_secret_post");
    await user.click(field("assumePkceS256"));
    await user.selectOptions(field("callback"), "app-link");
    await user.type(field("description"), "Linear issues");
    await user.click(screen.getByTestId("confirm-yes"));
    expect(
      screen.getByRole("option", { name: /App link \(dev\.patchbay\.app/ }),
    ).toBeInTheDocument();

    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(backend.save_action).toHaveBeenCalledTimes(1);
    expect(lastSaved()).toEqual([
      null,
      {
        name: "linear",
        kind: "mcp",
        url: "https://mcp.linear.app/mcp",
        method: null,
        headers: [],
        body: null,
        auth: { type: "oauth", ref: null },
        oauth: {
          grant: "authorization-code",
          clientId: "my-client",
          clientSecret: "s3cret",
          clearClientSecret: false,
          tokenAuthMethod: "client_secret_post",
          authorizationUrl: "https://auth.example.com/authorize",
          tokenUrl: "https://auth.example.com/token",
          registrationUrl: "https://auth.example.com/register",
          scopes: "read write",
          assumePkceS256: true,
          resourceOverride: "",
          omitResource: false,
          clientMetadataUrl: "",
          callback: "app-link",
          assertionFile: "",
          idp: "",
        },
        description: "Linear issues",
        confirm: true,
        enabled: true,
      } satisfies ActionFormWire,
    ]);
    expect(await screen.findByTestId("toast")).toHaveTextContent("Saved linear");
  });

  it("sends an HTTP endpoint with an HTTP request token", async () => {
    const { user, onClose } = renderForm();
    await user.click(screen.getByTestId("kind-http"));
    expect(screen.getByLabelText(/HTTP endpoint URL/)).toBe(field("url"));
    await fillBasics(user, "weather", "https://api.example.com/v1/forecast");
    await user.selectOptions(field("method"), "POST");
    await user.click(screen.getByTestId("add-header"));
    await user.type(field("header-name-0"), "Accept");
    await user.type(field("header-value-0"), "application/json");
    await user.click(screen.getByTestId("add-header"));
    await user.click(screen.getByTestId("add-header"));
    await user.type(field("header-name-2"), "X-Trace");
    await user.type(field("header-value-2"), "1");
    await user.click(screen.getByTestId("remove-header-1"));
    await fill(user, "body", '{"city": "{{city}}"}');
    expect(screen.getByText(/Parameters: city\./)).toBeInTheDocument();
    await user.click(screen.getByTestId("auth-card-http-token"));
    await user.selectOptions(
      await screen.findByRole("combobox", { name: "HTTP request token" }),
      "open-meteo",
    );

    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const [original, form] = lastSaved();
    expect(original).toBeNull();
    expect(form).toMatchObject({
      name: "weather",
      kind: "http",
      url: "https://api.example.com/v1/forecast",
      method: "POST",
      headers: [
        { name: "Accept", value: "application/json" },
        { name: "X-Trace", value: "1" },
      ],
      body: '{"city": "{{city}}"}',
      auth: { type: "http-token", ref: "open-meteo" },
      confirm: false,
      enabled: true,
    });
    expect(form.oauth.clientSecret).toBeNull();
  });

  it("keeps everything typed when the backend refuses, and points at the field", async () => {
    backend.save_action.mockRejectedValueOnce(
      wireError(
        "invalid_input",
        "the MCP server URL must use https (plain http is allowed only on 127.0.0.1)",
        { field: "url" },
      ),
    );
    const { user, onClose } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.type(field("clientId"), "cid");
    await user.type(field("clientSecret"), "s3cret");
    await user.type(field("description"), "notes");
    await user.click(screen.getByTestId("save-action"));

    const top = await screen.findByTestId("form-error");
    expect(top).toHaveAttribute("data-code", "invalid_input");
    expect(describedText(field("url"))).toMatch(/MCP server URL must use https/);
    expect(onClose).not.toHaveBeenCalled();
    expect(field("name")).toHaveValue("linear");
    expect(field("url")).toHaveValue("https://mcp.linear.app/mcp");
    expect(field("clientId")).toHaveValue("cid");
    expect(field("clientSecret")).toHaveValue("s3cret");
    expect(field("description")).toHaveValue("notes");

    // Corrected and sent again: the same values go out.
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(backend.save_action).toHaveBeenCalledTimes(2);
    expect(backend.save_action.mock.calls[0]).toEqual(backend.save_action.mock.calls[1]);
  });

  it("Enter in a text field submits", async () => {
    const { user, onClose } = renderForm();
    await fillBasics(user);
    await user.type(field("url"), "{Enter}");
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(lastSaved()[1]).toMatchObject({ name: "linear", url: "https://mcp.linear.app/mcp" });
  });

  it("shows a name conflict on the Name field", async () => {
    backend.save_action.mockRejectedValueOnce(
      wireError("conflict", "action 'linear' already exists", { field: "name" }),
    );
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(describedText(field("name"))).toMatch(/pick another name/));
    expect(field("name")).toHaveFocus();
    await user.type(field("name"), "-2");
    expect(field("name")).not.toHaveAttribute("aria-invalid");
  });
});

describe("Connect", () => {
  it("on a new form saves first, then connects, then shows who is connected", async () => {
    const { user, onClose } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("connect-button"));
    expect(await screen.findByTestId("connected-as")).toHaveTextContent(
      "Connected as ada@example.com",
    );
    expect(backend.save_action).toHaveBeenCalledTimes(1);
    expect(lastSaved()[0]).toBeNull();
    expect(backend.connect).toHaveBeenCalledWith({ kind: "action", name: "linear" });
    expect(backend.save_action.mock.invocationCallOrder[0]).toBeLessThan(
      backend.connect.mock.invocationCallOrder[0]!,
    );

    // The rest is saved onto the action Connect created.
    await user.type(field("description"), "Issues");
    expect(screen.getByTestId("save-action")).toHaveTextContent("Create Custom Action");
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(backend.save_action).toHaveBeenCalledTimes(2);
    expect(lastSaved()[0]).toBe("linear");
    expect(lastSaved()[1].description).toBe("Issues");
  });

  it("never shows the secret again once Connect stored it", async () => {
    backend.save_action.mockImplementationOnce(({ form }) =>
      Promise.resolve(
        makeAction({
          name: form.name,
          auth: form.auth,
          oauth: oauthView({
            clientSecretSet: true,
            clientId: form.oauth.clientId,
            tokenAuthMethod: "client_secret_basic",
          }),
        }),
      ),
    );
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.type(field("clientId"), "cid");
    await user.type(field("clientSecret"), "s3cret");
    await user.click(screen.getByTestId("connect-button"));
    await screen.findByTestId("connected-as");
    expect(lastSaved()[1].oauth.clientSecret).toBe("s3cret");
    expect(field("clientSecret")).toHaveValue("");
    expect(field("clientSecret")).toHaveAttribute("placeholder", "Stored — leave empty to keep");
    expect(document.body).not.toHaveTextContent("s3cret");
    // Saving the rest keeps the stored secret (null), it isn't sent again.
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(backend.save_action).toHaveBeenCalledTimes(2));
    expect(lastSaved()[1].oauth).toMatchObject({ clientSecret: null, clearClientSecret: false });
  });

  it("does nothing but show errors when the form is invalid", async () => {
    const { user } = renderForm();
    await user.click(screen.getByTestId("connect-button"));
    expect(describedText(field("name"))).toContain("Enter a name.");
    expect(backend.save_action).not.toHaveBeenCalled();
    expect(backend.connect).not.toHaveBeenCalled();
  });

  it("shows 'Connected' without an account", async () => {
    backend.connect.mockResolvedValueOnce(grant({ account: null }));
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("connect-button"));
    expect(await screen.findByTestId("connected-as")).toHaveTextContent(/^Connected$/);
  });

  it("waits for the browser, and Cancel returns quietly to Connect", async () => {
    const pending = deferred<GrantView>();
    backend.connect.mockReturnValueOnce(pending.promise);
    backend.cancel_connect.mockImplementationOnce(() => {
      pending.reject(wireError("cancelled", "sign-in cancelled"));
      return Promise.resolve(true);
    });
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("connect-button"));
    const waiting = await screen.findByTestId("connect-waiting");
    expect(waiting).toHaveTextContent("Waiting for the browser…");
    // The rest of the form stays usable while waiting.
    await user.type(field("description"), "typing while waiting");
    expect(field("description")).toHaveValue("typing while waiting");
    // The Authentication card stays put until the sign-in ends.
    expect(screen.getByTestId("auth-card-none")).toBeDisabled();

    await user.click(screen.getByTestId("connect-cancel"));
    expect(backend.cancel_connect).toHaveBeenCalledWith({ kind: "action", name: "linear" });
    expect(await screen.findByTestId("connect-button")).toBeEnabled();
    expect(screen.queryByTestId("auth-failed")).not.toBeInTheDocument();
    expect(screen.getByTestId("auth-card-none")).toBeEnabled();
  });

  it("a failure with empty Advanced opens it, says what to do, and Try again connects again", async () => {
    backend.connect.mockRejectedValueOnce(
      wireError(
        "needs_client_id",
        "the server supports neither dynamic registration nor client metadata documents",
      ),
    );
    const { user } = renderForm();
    await fillBasics(user);
    expect(screen.getByTestId("advanced-toggle")).toHaveAttribute("aria-expanded", "false");
    await user.click(screen.getByTestId("connect-button"));

    const failed = await screen.findByTestId("auth-failed");
    expect(failed).toHaveTextContent("Authorization failed");
    expect(failed).toHaveTextContent("supports neither dynamic registration");
    expect(failed).toHaveTextContent(CLIENT_DETAILS_MESSAGE);
    expect(screen.getByTestId("advanced-toggle")).toHaveAttribute("aria-expanded", "true");
    await waitFor(() => expect(field("clientId")).toHaveFocus());

    await user.type(field("clientId"), "issued-id");
    await user.click(screen.getByTestId("try-again"));
    expect(await screen.findByTestId("connected-as")).toBeInTheDocument();
    expect(backend.connect).toHaveBeenCalledTimes(2);
    // The new client id was saved onto the action before connecting again.
    expect(backend.save_action).toHaveBeenCalledTimes(2);
    expect(lastSaved()[0]).toBe("linear");
    expect(lastSaved()[1].oauth.clientId).toBe("issued-id");
  });

  it("a failure with Advanced filled in doesn't ask for client details", async () => {
    backend.connect.mockRejectedValueOnce(wireError("access_denied", "the user denied access"));
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("connect-button"));
    const failed = await screen.findByTestId("auth-failed");
    expect(within(failed).getByTestId("connect-error")).toHaveAttribute(
      "data-code",
      "access_denied",
    );
    expect(failed).toHaveTextContent("Try again and allow access");
    expect(failed).not.toHaveTextContent(CLIENT_DETAILS_MESSAGE);
    expect(screen.getByTestId("advanced-toggle")).toHaveAttribute("aria-expanded", "false");
  });

  it("a save error before connecting keeps the form and never connects", async () => {
    backend.save_action.mockRejectedValueOnce(wireError("vault_locked", "the keyring is locked"));
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("connect-button"));
    expect(await screen.findByTestId("form-error")).toHaveAttribute("data-code", "vault_locked");
    expect(backend.connect).not.toHaveBeenCalled();
    expect(screen.getByTestId("connect-button")).toBeEnabled();
    expect(field("name")).toHaveValue("linear");
  });

  it("Cancel after Connect created the action asks, then removes it", async () => {
    const { user, onClose } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("connect-button"));
    await screen.findByTestId("connected-as");
    await user.click(screen.getByTestId("cancel-action"));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Discard linear?");
    await user.click(within(dialog).getByTestId("confirm-ok"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(backend.remove_action).toHaveBeenCalledWith({ name: "linear" });
  });
});

describe("closing", () => {
  it("closes at once when nothing was typed, and asks first otherwise", async () => {
    const first = renderForm();
    await first.user.click(screen.getByTestId("cancel-action"));
    expect(first.onClose).toHaveBeenCalled();
    first.unmount();

    const { user, onClose } = renderForm();
    await user.type(field("name"), "x");
    await user.click(screen.getByTestId("cancel-action"));
    const dialog = await screen.findByTestId("confirm-dialog");
    await user.click(within(dialog).getByTestId("confirm-cancel"));
    expect(onClose).not.toHaveBeenCalled();
    expect(field("name")).toHaveValue("x");
    await user.click(screen.getByTestId("cancel-action"));
    await user.click(within(await screen.findByTestId("confirm-dialog")).getByTestId("confirm-ok"));
    expect(onClose).toHaveBeenCalled();
    expect(backend.remove_action).not.toHaveBeenCalled();
  });
});

describe("editing", () => {
  const weather = () =>
    makeAction({
      name: "weather",
      kind: "http",
      url: "https://api.example.com/forecast",
      description: "Forecasts",
      confirm: true,
      auth: { type: "token", ref: "github-pat" },
      http: {
        method: "PUT",
        headers: [{ name: "Accept", value: "application/json" }],
        body: '{"city": "{{city}}"}',
        params: ["city"],
      },
    });

  it("pre-fills every field, locks the kind and sends the original name", async () => {
    backend.list_actions.mockResolvedValue([weather()]);
    const { user, onClose } = renderForm("weather");
    expect(screen.getByTestId("action-form-loading")).toBeInTheDocument();
    await screen.findByTestId("save-action");
    expect(screen.getByRole("heading", { name: "Edit weather" })).toBeInTheDocument();
    expect(field("name")).toHaveValue("weather");
    expect(field("url")).toHaveValue("https://api.example.com/forecast");
    expect(field("method")).toHaveValue("PUT");
    expect(field("header-name-0")).toHaveValue("Accept");
    expect(field("body")).toHaveValue('{"city": "{{city}}"}');
    expect(screen.getByTestId("kind-mcp")).toBeDisabled();
    expect(screen.getByTestId("kind-http")).toHaveAttribute("data-state", "checked");
    expect(screen.getByText(/kind can’t change/)).toBeInTheDocument();
    expect(screen.getByTestId("confirm-yes")).toHaveAttribute("data-state", "checked");
    expect(await screen.findByRole("combobox", { name: "Bearer token" })).toHaveValue("github-pat");
    expect(field("enabled")).toBeChecked();

    await user.clear(field("name"));
    await user.type(field("name"), "forecast");
    await user.click(field("enabled"));
    expect(screen.getByTestId("save-action")).toHaveTextContent("Save changes");
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(lastSaved()[0]).toBe("weather");
    expect(lastSaved()[1]).toMatchObject({
      name: "forecast",
      kind: "http",
      method: "PUT",
      headers: [{ name: "Accept", value: "application/json" }],
      auth: { type: "token", ref: "github-pat" },
      description: "Forecasts",
      confirm: true,
      enabled: false,
    });
  });

  it("never shows a stored secret; empty keeps it, the checkbox removes it", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({
        name: "linear",
        auth: { type: "oauth", ref: null },
        oauth: oauthView({
          clientSecretSet: true,
          clientId: "cid",
          tokenAuthMethod: "client_secret_basic",
        }),
      }),
    ]);
    backend.oauth_status.mockResolvedValue(grant());
    const { user, onClose } = renderForm("linear");
    expect(await screen.findByTestId("connected-as")).toHaveTextContent(
      "Connected as ada@example.com",
    );
    expect(backend.oauth_status).toHaveBeenCalledWith({ kind: "action", name: "linear" });
    // Advanced opens on edit when something is set in it.
    expect(field("clientId")).toHaveValue("cid");
    expect(field("clientSecret")).toHaveValue("");
    expect(field("clientSecret")).toHaveAttribute("placeholder", "Stored — leave empty to keep");
    await user.click(field("clearClientSecret"));
    await user.selectOptions(field("tokenAuthMethod"), "none");
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(lastSaved()[1].oauth).toMatchObject({
      clientId: "cid",
      clientSecret: null,
      clearClientSecret: true,
      tokenAuthMethod: "none",
    });
  });

  it("disconnects back to the Connect button", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({ name: "linear", auth: { type: "oauth", ref: null } }),
    ]);
    backend.oauth_status.mockResolvedValue(grant());
    const { user } = renderForm("linear");
    await user.click(await screen.findByTestId("disconnect-button"));
    expect(backend.disconnect).toHaveBeenCalledWith({ kind: "action", name: "linear" });
    expect(await screen.findByTestId("connect-button")).toBeInTheDocument();
  });

  it("says when a reconnect is needed", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({ name: "linear", auth: { type: "oauth", ref: null } }),
    ]);
    backend.oauth_status.mockResolvedValue(
      grant({
        connected: false,
        needsReconnect: true,
        reconnectReason: "The refresh token expired.",
      }),
    );
    renderForm("linear");
    expect(await screen.findByTestId("reconnect-needed")).toHaveTextContent("Reconnect needed");
    expect(screen.getByTestId("connect-panel")).toHaveTextContent("The refresh token expired.");
  });

  it("saves unsaved OAuth edits before connecting an existing action", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({ name: "linear", auth: { type: "oauth", ref: null } }),
    ]);
    const { user } = renderForm("linear");
    await screen.findByTestId("connect-button");
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.type(field("scopes"), "read");
    await user.click(screen.getByTestId("connect-button"));
    await screen.findByTestId("connected-as");
    expect(backend.save_action).toHaveBeenCalledTimes(1);
    expect(lastSaved()[0]).toBe("linear");
    expect(lastSaved()[1].oauth.scopes).toBe("read");
    expect(backend.save_action.mock.invocationCallOrder[0]).toBeLessThan(
      backend.connect.mock.invocationCallOrder[0]!,
    );
  });

  it("connects an unchanged existing action without saving", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({ name: "linear", auth: { type: "oauth", ref: null } }),
    ]);
    const { user } = renderForm("linear");
    await user.click(await screen.findByTestId("connect-button"));
    await screen.findByTestId("connected-as");
    expect(backend.save_action).not.toHaveBeenCalled();
    expect(backend.connect).toHaveBeenCalledWith({ kind: "action", name: "linear" });
  });

  it("an unknown name shows an error state with a way back", async () => {
    backend.list_actions.mockResolvedValue([makeAction({ name: "other" })]);
    const { user, onClose } = renderForm("ghost");
    const missing = await screen.findByTestId("action-not-found");
    expect(missing).toHaveTextContent("No action named ghost");
    await user.click(within(missing).getByRole("button", { name: "Back to actions" }));
    expect(onClose).toHaveBeenCalled();
  });

  it("a failed load offers Retry", async () => {
    backend.list_actions
      .mockRejectedValueOnce(wireError("database", "database is locked"))
      .mockResolvedValue([makeAction({ name: "linear" })]);
    const { user } = renderForm("linear");
    const notice = await screen.findByTestId("error-notice");
    expect(notice).toHaveAttribute("data-code", "database");
    await user.click(within(notice).getByRole("button", { name: "Retry" }));
    await screen.findByTestId("save-action");
    expect(field("name")).toHaveValue("linear");
  });
});

describe("client credentials and private_key_jwt", () => {
  const jwk = makePublicJwk();

  it("sends the grant and private_key_jwt, then shows the public key to copy", async () => {
    backend.save_action.mockImplementation(({ form }) =>
      Promise.resolve(
        makeAction({
          name: form.name,
          url: form.url,
          auth: form.auth,
          grant: "client-credentials",
          publicJwk: jwk,
        }),
      ),
    );
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.selectOptions(field("grant"), "client-credentials");
    expect(screen.getByText(/no browser/)).toBeInTheDocument();
    await user.type(field("clientId"), "machine");
    await user.selectOptions(field("tokenAuthMethod"), "private_key_jwt");
    expect(screen.getByText(/generates a key pair when you save/)).toBeInTheDocument();
    expect(screen.queryByTestId("public-jwk")).not.toBeInTheDocument();
    // Save and stay: Connect saves first.
    await user.click(screen.getByTestId("connect-button"));
    await waitFor(() => expect(backend.save_action).toHaveBeenCalledTimes(1));
    expect(lastSaved()[1].oauth).toMatchObject({
      grant: "client-credentials",
      clientId: "machine",
      clientSecret: null,
      tokenAuthMethod: "private_key_jwt",
    });
    const shown = await screen.findByTestId("public-jwk");
    expect(within(shown).getByText(JSON.stringify(jwk))).toBeInTheDocument();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    await user.click(screen.getByTestId("public-jwk-copy"));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(JSON.stringify(jwk)));
  });

  it("shows a stored key on edit and opens Advanced for a client credentials action", async () => {
    backend.list_actions.mockResolvedValue([
      makeAction({
        name: "machine",
        auth: { type: "oauth", ref: null },
        grant: "client-credentials",
        publicJwk: jwk,
        oauth: oauthView({ clientId: "machine", tokenAuthMethod: "private_key_jwt" }),
      }),
    ]);
    renderForm("machine");
    expect(await screen.findByTestId("public-jwk")).toHaveTextContent(jwk.x);
    expect(field("grant")).toHaveValue("client-credentials");
    expect(field("tokenAuthMethod")).toHaveValue("private_key_jwt");
  });

  it("refuses client credentials for a public client before saving", async () => {
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.selectOptions(field("grant"), "client-credentials");
    await user.selectOptions(field("tokenAuthMethod"), "none");
    await user.type(field("clientSecret"), "x");
    await user.clear(field("clientSecret"));
    await user.click(screen.getByTestId("save-action"));
    expect(await screen.findByText(/need a confidential client/)).toBeInTheDocument();
    expect(backend.save_action).not.toHaveBeenCalled();
  });
});

describe("grants that present a JWT", () => {
  const okta = {
    name: "okta",
    issuer: "https://acme.okta.com",
    clientId: "0oa1patchbay",
    hasClientSecret: false,
    scopes: [],
    signedIn: true,
    account: "ada@acme.com",
    signedInAt: "2026-12-05T06:00:00Z",
    idTokenExpiresAt: "2026-12-05T07:00:00Z",
    actions: [],
    createdAt: "2026-12-01T00:00:00Z",
  };

  it("enterprise-managed offers the identity providers, each with whether it is signed in", async () => {
    backend.list_idps.mockResolvedValue([okta, { ...okta, name: "entra", signedIn: false }]);
    backend.save_action.mockImplementation(({ form }) =>
      Promise.resolve(makeAction({ name: form.name, url: form.url, auth: form.auth })),
    );
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.selectOptions(field("grant"), "enterprise-managed");
    const idp = field("idp");
    await waitFor(() =>
      expect(
        within(idp).getByRole("option", { name: "okta (signed in as ada@acme.com)" }),
      ).toBeInTheDocument(),
    );
    expect(within(idp).getByRole("option", { name: "entra (not signed in)" })).toBeInTheDocument();
    await user.selectOptions(idp, "entra");
    expect(screen.getByText(/patchbay idp login entra/)).toBeInTheDocument();
    await user.selectOptions(idp, "okta");
    await user.type(field("clientId"), "crm-client");
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(backend.save_action).toHaveBeenCalledTimes(1));
    expect(lastSaved()[1].oauth).toMatchObject({
      grant: "enterprise-managed",
      idp: "okta",
      assertionFile: "",
      clientId: "crm-client",
    });
  });

  it("jwt-bearer asks for the workload's token file, and a backend refusal lands there", async () => {
    backend.save_action.mockRejectedValue(
      wireError("invalid_input", "the assertion file 'token' is not an absolute path", {
        field: "assertionFile",
      }),
    );
    const { user } = renderForm();
    await fillBasics(user);
    await user.click(screen.getByTestId("advanced-toggle"));
    await user.selectOptions(field("grant"), "jwt-bearer");
    expect(screen.getByText(/identity token \(RFC 7523\)/)).toBeInTheDocument();
    await user.type(field("assertionFile"), "token");
    await user.click(screen.getByTestId("save-action"));
    await waitFor(() => expect(field("assertionFile")).toHaveAttribute("aria-invalid", "true"));
    expect(screen.getAllByText(/not an absolute path/).length).toBeGreaterThan(0);
    expect(lastSaved()[1].oauth).toMatchObject({
      grant: "jwt-bearer",
      assertionFile: "token",
      idp: "",
    });
  });
});
