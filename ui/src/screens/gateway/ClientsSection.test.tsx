import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { GatewayClientForm } from "../../bindings/GatewayClientForm";
import type { GatewayClientView } from "../../bindings/GatewayClientView";
import { clearToasts, Toaster } from "../../components/kit";
import { makeAction } from "../../test/fixtures";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import {
  CLIENT_SECRET,
  CLIENTS,
  makeClient,
  makeGatewayView,
  newClient,
  ROTATED_SECRET,
  rotatedClient,
  TOOLS,
} from "./fixtures";
import { GatewayScreen } from "./GatewayScreen";

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
];

let backend: Backend;
/** What the backend holds: the list answers it, the changes change it. */
let clients: GatewayClientView[];

beforeEach(() => {
  backend = mockBackend();
  clients = [];
  backend.list_actions.mockResolvedValue(ACTIONS);
  backend.gateway_status.mockResolvedValue(makeGatewayView());
  backend.list_gateway_keys.mockResolvedValue([]);
  backend.list_gateway_clients.mockImplementation(() => Promise.resolve(clients));
  backend.add_gateway_client.mockImplementation(({ form }: { form: GatewayClientForm }) => {
    const made = newClient(form);
    clients = [
      ...clients,
      makeClient({
        name: made.name,
        clientId: made.clientId,
        type: form.type,
        redirectUris: made.redirectUris,
        actions: made.actions,
        tools: made.tools,
        createdAt: new Date().toISOString(),
        lastUsedAt: null,
      }),
    ];
    return Promise.resolve(made);
  });
});

afterEach(() => {
  clearToasts();
  vi.clearAllMocks();
});

const row = (name: string) =>
  screen.getAllByTestId("gateway-oauth-row").find((r) => r.dataset.name === name) as HTMLElement;

async function openWizard(user: ReturnType<typeof renderScreen>["user"]) {
  await user.click(await screen.findByTestId("gateway-create-client"));
  return screen.findByTestId("gateway-client-dialog");
}

/** Opens a row's ⋮ menu; answers the test ids of its items and the menu. */
async function openMenu(user: ReturnType<typeof renderScreen>["user"], name: string) {
  await user.click(within(row(name)).getByRole("button", { name: `Manage ${name}` }));
  const menu = await screen.findByRole("menu");
  const ids = within(menu)
    .getAllByRole("menuitem")
    .map((i) => i.dataset.testid);
  return { menu, ids };
}

const step = (dialog: HTMLElement) =>
  within(dialog).getByTestId("gateway-client-step").dataset.step;

describe("OAuth clients on the Gateway screen", () => {
  it("lists each client's type, kind, status, redirect URIs, scope and dates, with what it can do", async () => {
    clients = CLIENTS;
    const { user } = renderScreen();
    await screen.findByTestId("gateway-oauth-table");
    // Active ones first, newest first; then the revoked.
    expect(screen.getAllByTestId("gateway-oauth-row").map((r) => r.dataset.name)).toEqual([
      "n8n",
      "acme-crm",
      "old-bot",
    ]);
    const crm = row("acme-crm");
    expect(crm).toHaveTextContent(CLIENTS[0]?.clientId ?? "");
    expect(within(crm).getByTestId("gateway-oauth-type")).toHaveTextContent("Confidential");
    expect(crm).toHaveTextContent("Custom");
    expect(within(crm).getByTestId("gateway-oauth-status")).toHaveTextContent("Active");
    expect(crm).toHaveTextContent("https://crm.example.com/oauth/callback+1 more");
    expect(crm).toHaveTextContent("only linear__search_issues");
    expect(within(crm).getByTestId("gateway-oauth-rotated")).toHaveTextContent("yesterday");

    const n8n = row("n8n");
    expect(within(n8n).getByTestId("gateway-oauth-type")).toHaveTextContent("Public");
    expect(n8n).toHaveTextContent("Every action, present and future");
    expect(n8n).toHaveTextContent("Never");
    expect(within(n8n).getByTestId("gateway-oauth-rotated")).toHaveTextContent("No secret");

    const bot = row("old-bot");
    expect(bot.dataset.status).toBe("revoked");
    expect(bot).toHaveTextContent("Registered");
    expect(within(bot).getByTestId("gateway-oauth-status")).toHaveTextContent("Revoked");

    // Each row's ⋮ menu offers what that client can do: a public client has no secret to
    // rotate; a revoked one can only be re-activated.
    expect((await openMenu(user, "acme-crm")).ids).toEqual([
      "gateway-oauth-rotate",
      "gateway-oauth-revoke",
    ]);
    await user.keyboard("{Escape}");
    expect((await openMenu(user, "n8n")).ids).toEqual(["gateway-oauth-revoke"]);
    await user.keyboard("{Escape}");
    expect((await openMenu(user, "old-bot")).ids).toEqual(["gateway-oauth-reactivate"]);
    await user.keyboard("{Escape}");
    expect(screen.getByTestId("gateway-oauth")).not.toHaveTextContent("pbcs_");
  });

  it("checks each step of the wizard before moving on, and sends nothing until both pass", async () => {
    const { user } = renderScreen();
    expect(await screen.findByTestId("gateway-oauth-empty")).toBeInTheDocument();
    const dialog = await openWizard(user);
    expect(dialog).toHaveTextContent("Step 1 of 2");
    // Both types are explained in a line.
    expect(within(dialog).getByTestId("gateway-client-type-card-confidential")).toHaveTextContent(
      "Has a client secret",
    );
    expect(within(dialog).getByTestId("gateway-client-type-card-public")).toHaveTextContent(
      "PKCE proves each sign-in instead",
    );

    await user.click(within(dialog).getByTestId("gateway-client-next"));
    expect(step(dialog)).toBe("app");
    expect(within(dialog).getByText("Enter a name.")).toBeInTheDocument();
    expect(
      within(dialog).getByText("Enter at least one redirect URI: the app tells you which."),
    ).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^Name/)).toHaveFocus();

    await user.type(within(dialog).getByLabelText(/^Name/), "acme-crm");
    const uris = within(dialog).getByLabelText(/^Allowed redirect URIs/);
    await user.type(uris, "https://crm.example.com/cb{Enter}{Enter}http://crm.example.com/cb");
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    expect(step(dialog)).toBe("app");
    expect(uris).toHaveAttribute("aria-invalid", "true");
    expect(
      within(dialog).getByText(/‘http:\/\/crm\.example\.com\/cb’ uses plain http/),
    ).toBeInTheDocument();

    await user.clear(uris);
    await user.type(uris, "https://crm.example.com/cb{Enter}  {Enter}http://127.0.0.1:8080/cb");
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    expect(step(dialog)).toBe("scope");
    expect(dialog).toHaveTextContent("Step 2 of 2");
    // The scope's problem waits for Create.
    expect(within(dialog).queryByRole("alert")).toBeNull();
    await user.click(within(dialog).getByTestId("gateway-client-save"));
    expect(
      within(dialog).getByText("Pick the actions this client may use, or every action."),
    ).toBeInTheDocument();
    expect(backend.add_gateway_client).not.toHaveBeenCalled();

    // Back keeps what was typed.
    await user.click(within(dialog).getByTestId("gateway-client-back"));
    expect(within(dialog).getByLabelText(/^Name/)).toHaveValue("acme-crm");
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    await user.click(within(dialog).getByLabelText("linear"));
    await user.click(within(dialog).getByTestId("gateway-client-save"));
    expect(backend.add_gateway_client).toHaveBeenCalledExactlyOnceWith({
      form: {
        name: "acme-crm",
        type: "confidential",
        redirectUris: ["https://crm.example.com/cb", "http://127.0.0.1:8080/cb"],
        actions: ["linear"],
        tools: [],
      },
    });
  });

  it("puts core's refusal at the field it names, on that field's step", async () => {
    backend.add_gateway_client
      .mockRejectedValueOnce(
        wireError("invalid_input", "redirect URI 'com.acme.crm:/cb' is not allowed", {
          field: "url",
          hint: "use https, http on loopback, or your app's reverse-domain scheme (com.example.app:/callback)",
        }),
      )
      .mockRejectedValueOnce(
        wireError("conflict", "an OAuth client named 'acme-crm' already exists", {
          field: "name",
        }),
      )
      .mockRejectedValueOnce(
        wireError("invalid_input", "there is no action 'linear'", { field: "auth" }),
      )
      .mockRejectedValueOnce(wireError("database", "database is locked"));
    const { user } = renderScreen();
    const dialog = await openWizard(user);
    await user.type(within(dialog).getByLabelText(/^Name/), "acme-crm");
    await user.type(within(dialog).getByLabelText(/^Allowed redirect URIs/), "com.acme.crm:/cb");
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    await user.click(within(dialog).getByLabelText("Every action, present and future"));
    await user.click(within(dialog).getByTestId("gateway-client-save"));

    // A redirect URI: back on the first step, at the URIs, focused.
    expect(
      await within(dialog).findByText("redirect URI 'com.acme.crm:/cb' is not allowed"),
    ).toBeInTheDocument();
    expect(step(dialog)).toBe("app");
    const uris = within(dialog).getByLabelText(/^Allowed redirect URIs/);
    expect(uris).toHaveAttribute("aria-invalid", "true");
    expect(uris).toHaveFocus();
    expect(screen.queryByTestId("gateway-client-save-error")).toBeNull();

    // The name, taken.
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    await user.click(within(dialog).getByTestId("gateway-client-save"));
    expect(
      await within(dialog).findByText("an OAuth client named 'acme-crm' already exists"),
    ).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/^Name/)).toHaveAttribute("aria-invalid", "true");

    // What it may use: stays on the second step.
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    await user.click(within(dialog).getByTestId("gateway-client-save"));
    expect(await within(dialog).findByText("there is no action 'linear'")).toBeInTheDocument();
    expect(step(dialog)).toBe("scope");

    // No field: the whole form's notice.
    await user.click(within(dialog).getByTestId("gateway-client-save"));
    expect(await within(dialog).findByTestId("gateway-client-save-error")).toHaveTextContent(
      "database is locked",
    );
    expect(backend.add_gateway_client).toHaveBeenCalledTimes(4);
  });

  it("shows a confidential client's endpoint, id and secret once, then nowhere", async () => {
    backend.gateway_tools.mockResolvedValue(TOOLS);
    const { user, queryClient } = renderScreen();
    const dialog = await openWizard(user);
    await user.type(within(dialog).getByLabelText(/^Name/), "acme-crm");
    await user.type(
      within(dialog).getByLabelText(/^Allowed redirect URIs/),
      "https://crm.example.com/cb",
    );
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    await user.click(within(dialog).getByLabelText("linear"));
    await user.click(within(dialog).getByLabelText("Limit linear to some tools"));
    await user.click(await within(dialog).findByLabelText("search_issues"));
    await user.click(within(dialog).getByTestId("gateway-client-save"));
    expect(backend.add_gateway_client).toHaveBeenCalledExactlyOnceWith({
      form: {
        name: "acme-crm",
        type: "confidential",
        redirectUris: ["https://crm.example.com/cb"],
        actions: ["linear"],
        tools: ["linear__search_issues"],
      },
    });

    const created = await screen.findByTestId("gateway-client-created");
    expect(screen.queryByTestId("gateway-client-dialog")).toBeNull();
    expect(created).toHaveTextContent("It may use linear (only linear__search_issues)");
    expect(within(created).getByTestId("gateway-new-client-endpoint")).toHaveTextContent(
      "http://127.0.0.1:47616/mcp",
    );
    expect(
      within(created).getByRole("button", { name: "Copy MCP endpoint URL" }),
    ).toBeInTheDocument();
    const made = newClient({
      name: "acme-crm",
      type: "confidential",
      redirectUris: [],
      actions: [],
      tools: [],
    });
    expect(within(created).getByTestId("gateway-new-client-id")).toHaveTextContent(made.clientId);
    expect(within(created).getByTestId("gateway-new-client-secret")).toHaveTextContent(
      CLIENT_SECRET,
    );
    expect(within(created).getByRole("button", { name: "Copy Client secret" })).toBeEnabled();
    expect(within(created).getByTestId("gateway-client-warning")).toHaveTextContent(
      "Copy the client secret now: it can’t be shown again.",
    );

    // The list is asked again; it never holds a secret.
    await waitFor(() => expect(row("acme-crm")).toBeInTheDocument());
    await user.click(within(created).getByTestId("gateway-client-done"));
    await waitFor(() => expect(screen.queryByTestId("gateway-client-created")).toBeNull());
    expect(document.body).not.toHaveTextContent(CLIENT_SECRET);
    expect(row("acme-crm")).toHaveTextContent(made.clientId);
    // Nor does the app keep it in memory: the mutation cache forgot the answer.
    await waitFor(() =>
      expect(
        JSON.stringify(
          queryClient
            .getMutationCache()
            .getAll()
            .map((m) => m.state),
        ),
      ).not.toContain(CLIENT_SECRET),
    );
    expect(
      JSON.stringify(
        queryClient
          .getQueryCache()
          .getAll()
          .map((q) => q.state.data),
      ),
    ).not.toContain(CLIENT_SECRET);
  });

  it("makes a public client with no secret to show", async () => {
    const { user } = renderScreen();
    const dialog = await openWizard(user);
    await user.type(within(dialog).getByLabelText(/^Name/), "spa");
    await user.click(within(dialog).getByTestId("gateway-client-type-card-public"));
    await user.type(
      within(dialog).getByLabelText(/^Allowed redirect URIs/),
      "http://localhost:3000/cb",
    );
    await user.click(within(dialog).getByTestId("gateway-client-next"));
    await user.click(within(dialog).getByLabelText("Every action, present and future"));
    await user.click(within(dialog).getByTestId("gateway-client-save"));
    expect(backend.add_gateway_client).toHaveBeenCalledExactlyOnceWith({
      form: {
        name: "spa",
        type: "public",
        redirectUris: ["http://localhost:3000/cb"],
        actions: ["*"],
        tools: [],
      },
    });
    const created = await screen.findByTestId("gateway-client-created");
    expect(within(created).queryByTestId("gateway-new-client-secret")).toBeNull();
    expect(within(created).queryByTestId("gateway-client-warning")).toBeNull();
    expect(within(created).getByTestId("gateway-client-public")).toHaveTextContent(
      "no secret: the app proves each sign-in with PKCE",
    );
    expect(within(created).getByTestId("gateway-client-done")).toHaveTextContent("Done");
  });

  it("rotates a secret only after a confirmation that says what stops, then shows the new one once", async () => {
    clients = CLIENTS;
    backend.rotate_gateway_client_secret.mockImplementation(({ name }) => {
      clients = clients.map((c) =>
        c.name === name ? { ...c, secretRotatedAt: new Date().toISOString() } : c,
      );
      const c = clients.find((x) => x.name === name) as GatewayClientView;
      return Promise.resolve(rotatedClient(c));
    });
    const { user } = renderScreen();
    await screen.findByTestId("gateway-oauth-table");
    await user.click(within((await openMenu(user, "acme-crm")).menu).getByText("Rotate secret…"));
    let confirm = await screen.findByTestId("gateway-oauth-rotate-dialog");
    expect(confirm).toHaveTextContent("Rotate the secret of acme-crm?");
    expect(confirm).toHaveTextContent("The old secret stops working at once");
    expect(confirm).toHaveTextContent("every app that uses this client must be updated");
    await user.click(within(confirm).getByTestId("confirm-cancel"));
    await waitFor(() => expect(screen.queryByTestId("gateway-oauth-rotate-dialog")).toBeNull());
    expect(backend.rotate_gateway_client_secret).not.toHaveBeenCalled();

    await user.click(
      within((await openMenu(user, "acme-crm")).menu).getByTestId("gateway-oauth-rotate"),
    );
    confirm = await screen.findByTestId("gateway-oauth-rotate-dialog");
    await user.click(within(confirm).getByTestId("confirm-ok"));
    expect(backend.rotate_gateway_client_secret).toHaveBeenCalledExactlyOnceWith({
      name: "acme-crm",
    });
    const rotated = await screen.findByTestId("gateway-client-rotated");
    expect(rotated).toHaveTextContent("New secret for acme-crm");
    expect(within(rotated).getByTestId("gateway-new-client-secret")).toHaveTextContent(
      ROTATED_SECRET,
    );
    expect(within(rotated).getByTestId("gateway-client-warning")).toHaveTextContent(
      "it can’t be shown again",
    );
    const next = within(rotated).getByTestId("gateway-client-next-steps");
    expect(next).toHaveTextContent("What to do next");
    expect(next).toHaveTextContent(`every app that uses client ID ${CLIENTS[0]?.clientId ?? ""}`);
    expect(next).toHaveTextContent("invalid_client");
    await waitFor(() =>
      expect(within(row("acme-crm")).getByTestId("gateway-oauth-rotated")).toHaveTextContent("now"),
    );

    await user.click(within(rotated).getByTestId("gateway-client-done"));
    await waitFor(() => expect(screen.queryByTestId("gateway-client-rotated")).toBeNull());
    expect(document.body).not.toHaveTextContent(ROTATED_SECRET);
  });

  it("says why a rotation failed and changes nothing", async () => {
    clients = CLIENTS;
    backend.rotate_gateway_client_secret.mockRejectedValue(
      wireError("vault_locked", "the keychain is locked"),
    );
    const { user } = renderScreen();
    await screen.findByTestId("gateway-oauth-table");
    await user.click(
      within((await openMenu(user, "acme-crm")).menu).getByTestId("gateway-oauth-rotate"),
    );
    await user.click(
      within(await screen.findByTestId("gateway-oauth-rotate-dialog")).getByTestId("confirm-ok"),
    );
    const error = await screen.findByTestId("gateway-oauth-op-error");
    expect(error).toHaveTextContent("Couldn’t rotate the secret of acme-crm");
    expect(error).toHaveTextContent("the keychain is locked");
    expect(screen.queryByTestId("gateway-client-rotated")).toBeNull();
    await waitFor(() => expect(screen.queryByTestId("gateway-oauth-rotate-dialog")).toBeNull());
  });

  it("revokes after saying every token stops, and re-activates after saying none comes back", async () => {
    clients = [CLIENTS[0] as GatewayClientView];
    backend.revoke_gateway_client.mockImplementation(({ name }) =>
      Promise.resolve(makeClient({ ...clients[0], name, status: "revoked" })),
    );
    backend.reactivate_gateway_client.mockImplementation(({ name }) =>
      Promise.resolve(makeClient({ ...clients[0], name, status: "active" })),
    );
    const { user } = renderScreen();
    await screen.findByTestId("gateway-oauth-table");
    await user.click(within((await openMenu(user, "acme-crm")).menu).getByText("Revoke…"));
    const revoke = await screen.findByTestId("gateway-oauth-revoke-dialog");
    expect(revoke).toHaveTextContent("Revoke acme-crm?");
    expect(revoke).toHaveTextContent("Every token of this client stops working at once");
    expect(backend.revoke_gateway_client).not.toHaveBeenCalled();
    await user.click(within(revoke).getByTestId("confirm-ok"));
    expect(backend.revoke_gateway_client).toHaveBeenCalledExactlyOnceWith({ name: "acme-crm" });
    await waitFor(() => expect(row("acme-crm").dataset.status).toBe("revoked"));
    expect(await screen.findByText("Revoked acme-crm")).toBeInTheDocument();
    expect((await openMenu(user, "acme-crm")).ids).toEqual(["gateway-oauth-reactivate"]);

    await user.click(screen.getByRole("menuitem", { name: "Re-activate…" }));
    const again = await screen.findByTestId("gateway-oauth-reactivate-dialog");
    expect(again).toHaveTextContent("None of its old tokens comes back");
    expect(again).toHaveTextContent("the app must sign in again");
    // A custom client was never asked for consent.
    expect(again).not.toHaveTextContent("consent");
    await user.click(within(again).getByTestId("confirm-ok"));
    expect(backend.reactivate_gateway_client).toHaveBeenCalledExactlyOnceWith({
      name: "acme-crm",
    });
    await waitFor(() => expect(row("acme-crm").dataset.status).toBe("active"));
    expect(await screen.findByText("Re-activated acme-crm")).toBeInTheDocument();
  });

  it("tells that a client which registered itself will be asked for consent again", async () => {
    clients = CLIENTS;
    backend.reactivate_gateway_client.mockImplementation(({ name }) =>
      Promise.resolve(makeClient({ ...CLIENTS[2], name, status: "active" })),
    );
    const { user } = renderScreen();
    await screen.findByTestId("gateway-oauth-table");
    await user.click(within((await openMenu(user, "old-bot")).menu).getByText("Re-activate…"));
    const again = await screen.findByTestId("gateway-oauth-reactivate-dialog");
    expect(again).toHaveTextContent("None of its old tokens comes back");
    expect(again).toHaveTextContent("you’ll be asked for consent again");
    await user.click(within(again).getByTestId("confirm-ok"));
    expect(backend.reactivate_gateway_client).toHaveBeenCalledExactlyOnceWith({ name: "old-bot" });
    await waitFor(() => expect(row("old-bot").dataset.status).toBe("active"));
    expect((await openMenu(user, "old-bot")).ids).toEqual([
      "gateway-oauth-rotate",
      "gateway-oauth-revoke",
    ]);
    await user.click(screen.getByRole("menuitem", { name: "Revoke…" }));
    expect(await screen.findByTestId("gateway-oauth-revoke-dialog")).toHaveTextContent(
      "the consent you gave it is forgotten",
    );
  });
});
