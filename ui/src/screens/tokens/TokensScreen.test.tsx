import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { clearToasts, Toaster } from "../../components/kit";
import { mockBackend, wireError, type Backend } from "../../test/ipcMock";
import { renderApp } from "../../test/render";
import { failingReport, makeHttpToken, makeTextToken, passingReport } from "./fixtures";
import { TokensScreen } from "./TokensScreen";

let backend: Backend;

beforeEach(() => {
  backend = mockBackend();
  backend.list_tokens.mockResolvedValue([]);
});

type User = ReturnType<typeof renderApp>["user"];

afterEach(() => clearToasts());

function renderScreen() {
  return renderApp(
    <>
      <TokensScreen />
      <Toaster />
    </>,
  );
}

function row(name: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`[data-testid="token-row"][data-name="${name}"]`);
  if (!el) throw new Error(`no row named ${name}`);
  return el;
}

function field(name: string): HTMLInputElement {
  const el = screen.getByTestId("token-dialog").querySelector<HTMLInputElement>(`[name="${name}"]`);
  if (!el) throw new Error(`no field named ${name}`);
  return el;
}

async function put(user: User, name: string, text: string) {
  await user.click(field(name));
  await user.paste(text);
}

async function openAdd(user: User, kind: "text" | "http") {
  await user.click(screen.getByTestId("add-token"));
  await screen.findByTestId("token-dialog");
  if (kind === "http") await user.click(screen.getByTestId("tokenKind-http"));
}

async function fillHttp(user: User) {
  await put(user, "name", "METEO_KEY");
  await put(user, "url", "https://auth.example.com/token");
  await put(user, "header-name-0", "X-Api-Key");
  await put(user, "header-value-0", "k-123");
  await user.click(field("header-secret-0"));
  await user.click(screen.getByTestId("body-add"));
  await put(user, "body-name-0", "grant_type");
  await put(user, "body-value-0", "client_credentials");
  await put(user, "body-name-1", "client_secret");
  await put(user, "body-value-1", "shh");
  await user.click(field("body-secret-1"));
  await user.click(field("form"));
}

const HTTP_FORM = {
  name: "METEO_KEY",
  description: "",
  method: "POST",
  url: "https://auth.example.com/token",
  headers: [{ name: "X-Api-Key", value: "k-123", secret: true }],
  body: [
    { name: "grant_type", value: "client_credentials", secret: false },
    { name: "client_secret", value: "shh", secret: true },
  ],
  form: true,
  tokenPath: "$.access_token",
  headerName: "Authorization",
  prefix: "Bearer",
};

describe("Tokens list", () => {
  it("shows the empty state with Add token", async () => {
    const { user } = renderScreen();
    const empty = await screen.findByTestId("tokens-empty");
    expect(empty).toHaveTextContent(/text token holds a fixed value/);
    await user.click(within(empty).getByRole("button", { name: "Add token" }));
    expect(await screen.findByTestId("token-dialog")).toBeInTheDocument();
  });

  it("shows a spinner while loading", () => {
    backend.list_tokens.mockReturnValue(new Promise(() => {}));
    renderScreen();
    expect(screen.getByText("Loading tokens…").closest("[role=status]")).toBeInTheDocument();
    expect(screen.queryByTestId("tokens-empty")).not.toBeInTheDocument();
  });

  it("shows the load error by code", async () => {
    backend.list_tokens.mockRejectedValue(wireError("vault_locked", "keyring is locked"));
    renderScreen();
    expect(await screen.findByTestId("tokens-error")).toHaveAttribute("data-code", "vault_locked");
  });

  it("lists tokens with kind, header and users, never a value", async () => {
    backend.list_tokens.mockResolvedValue([
      makeTextToken({ usedBy: ["github", "gist"] }),
      makeHttpToken({ prefix: null, headerName: "X-Token" }),
    ]);
    renderScreen();
    await screen.findAllByTestId("token-row");
    const pat = row("GITHUB_PAT");
    expect(within(pat).getByTestId("token-kind")).toHaveTextContent("Text");
    expect(within(pat).getByTestId("token-header")).toHaveTextContent("Authorization: Bearer ••••");
    expect(pat).toHaveTextContent("Fine-grained PAT");
    expect(within(pat).getByTestId("token-used-by")).toHaveTextContent("github, gist");
    const meteo = row("METEO_KEY");
    expect(within(meteo).getByTestId("token-kind")).toHaveTextContent("HTTP request");
    expect(within(meteo).getByTestId("token-header")).toHaveTextContent("X-Token: ••••");
    expect(meteo).toHaveTextContent("POST https://auth.example.com/token");
    expect(screen.getByTestId("tokens-count")).toHaveTextContent("2");
  });

  it("tests a saved HTTP request token from its menu", async () => {
    backend.list_tokens.mockResolvedValue([makeHttpToken()]);
    backend.test_token.mockResolvedValue(failingReport({ shape: "string" }));
    const { user } = renderScreen();
    await screen.findByTestId("token-row");
    await user.click(within(row("METEO_KEY")).getByTestId("token-menu"));
    await user.click(await screen.findByTestId("token-test-saved"));
    expect(backend.test_token).toHaveBeenCalledWith({ name: "METEO_KEY" });
    const dialog = await screen.findByTestId("token-test-dialog");
    const result = await within(dialog).findByTestId("token-test-result");
    expect(result).toHaveAttribute("data-ok", "false");
    expect(within(result).getByTestId("token-test-shape")).toHaveTextContent(
      "The response is a string",
    );
  });

  it("offers no Test request for text tokens", async () => {
    backend.list_tokens.mockResolvedValue([makeTextToken()]);
    const { user } = renderScreen();
    await screen.findByTestId("token-row");
    await user.click(within(row("GITHUB_PAT")).getByTestId("token-menu"));
    await screen.findByTestId("token-edit");
    expect(screen.queryByTestId("token-test-saved")).not.toBeInTheDocument();
  });

  it("explains which actions block a delete", async () => {
    backend.list_tokens.mockResolvedValue([makeTextToken({ usedBy: ["github"] })]);
    backend.remove_token.mockRejectedValue(wireError("in_use", "token is used by 1 action"));
    const { user } = renderScreen();
    await screen.findByTestId("token-row");
    await user.click(within(row("GITHUB_PAT")).getByTestId("token-menu"));
    await user.click(await screen.findByTestId("token-delete"));
    const confirm = await screen.findByTestId("confirm-dialog");
    expect(confirm).toHaveTextContent("Used by github");
    await user.click(within(confirm).getByTestId("confirm-ok"));
    expect(backend.remove_token).toHaveBeenCalledWith({ name: "GITHUB_PAT" });
    const notice = await screen.findByTestId("tokens-notice");
    expect(notice).toHaveAttribute("data-code", "in_use");
    expect(within(notice).getByTestId("token-in-use")).toHaveTextContent(
      "Used by github. Edit that action",
    );
  });
});

describe("Text token form", () => {
  it("requires a name and a value, with Authorization: Bearer by default", async () => {
    const { user } = renderScreen();
    await openAdd(user, "text");
    expect(screen.getByTestId("tokenKind-text")).toHaveAttribute("data-state", "checked");
    expect(field("headerName")).toHaveValue("Authorization");
    expect(field("prefix")).toHaveValue("Bearer");
    expect(field("value")).toHaveAttribute("type", "password");
    await user.click(screen.getByTestId("token-save"));
    expect(field("name")).toHaveAttribute("aria-invalid", "true");
    expect(field("value")).toHaveAttribute("aria-invalid", "true");
    expect(backend.save_text_token).not.toHaveBeenCalled();
  });

  it("sends the text token and keeps it all when saving fails", async () => {
    backend.save_text_token.mockRejectedValueOnce(wireError("vault_locked", "keyring locked"));
    const { user } = renderScreen();
    await openAdd(user, "text");
    await put(user, "name", "GITHUB_PAT");
    await put(user, "description", "repo read");
    await put(user, "value", "ghp_secret");
    await user.clear(field("prefix"));
    await put(user, "prefix", "token");
    await user.click(screen.getByTestId("token-save"));
    expect(backend.save_text_token).toHaveBeenCalledWith({
      original: null,
      form: {
        name: "GITHUB_PAT",
        description: "repo read",
        value: "ghp_secret",
        headerName: "Authorization",
        prefix: "token",
      },
    });
    const error = await screen.findByTestId("token-save-error");
    expect(error).toHaveAttribute("data-code", "vault_locked");
    expect(field("value")).toHaveValue("ghp_secret");
    expect(field("name")).toHaveValue("GITHUB_PAT");

    backend.save_text_token.mockResolvedValueOnce(makeTextToken());
    await user.click(screen.getByTestId("token-save"));
    await waitFor(() => expect(screen.queryByTestId("token-dialog")).not.toBeInTheDocument());
  });

  it("edits with the original name and an empty value meaning keep", async () => {
    backend.list_tokens.mockResolvedValue([makeTextToken()]);
    backend.save_text_token.mockResolvedValue(makeTextToken({ name: "GH" }));
    const { user } = renderScreen();
    await screen.findByTestId("token-row");
    await user.click(within(row("GITHUB_PAT")).getByTestId("token-menu"));
    await user.click(await screen.findByTestId("token-edit"));
    await screen.findByTestId("token-dialog");
    expect(field("value")).toHaveValue("");
    expect(field("value")).toHaveAttribute("placeholder", "Stored — leave empty to keep");
    expect(screen.getByTestId("tokenKind-http")).toBeDisabled();
    await user.clear(field("name"));
    await put(user, "name", "GH");
    await user.click(screen.getByTestId("token-save"));
    expect(backend.save_text_token).toHaveBeenCalledWith({
      original: "GITHUB_PAT",
      form: {
        name: "GH",
        description: "Fine-grained PAT",
        value: null,
        headerName: "Authorization",
        prefix: "Bearer",
      },
    });
  });
});

describe("HTTP request token form", () => {
  it("tests the request and shows where the token was found", async () => {
    backend.test_http_token_form.mockResolvedValue(passingReport());
    const { user } = renderScreen();
    await openAdd(user, "http");
    expect(field("method")).toHaveValue("POST");
    expect(field("tokenPath")).toHaveValue("$.access_token");
    await fillHttp(user);
    // Secret values are masked.
    expect(field("header-value-0")).toHaveAttribute("type", "password");
    expect(field("body-value-1")).toHaveAttribute("type", "password");
    expect(field("body-value-0")).toHaveAttribute("type", "text");

    await user.click(screen.getByTestId("token-test"));
    expect(backend.test_http_token_form).toHaveBeenCalledWith({ form: HTTP_FORM });
    const result = await screen.findByTestId("token-test-result");
    expect(result).toHaveAttribute("data-ok", "true");
    expect(result).toHaveTextContent("HTTP 200 in 143 ms");
    expect(within(result).getByTestId("token-test-found")).toHaveTextContent(
      "Found at $.access_token: eyJh… (812 characters)",
    );
    expect(screen.queryByTestId("token-save-anyway")).not.toBeInTheDocument();

    // Changing the request marks the result as stale.
    await user.selectOptions(field("method"), "PUT");
    expect(screen.getByTestId("token-test-stale")).toBeInTheDocument();
  });

  it("shows the response's shape and message when no token was found", async () => {
    backend.test_http_token_form.mockResolvedValue(failingReport());
    const { user } = renderScreen();
    await openAdd(user, "http");
    await put(user, "url", "https://auth.example.com/token");
    await user.click(screen.getByTestId("token-test"));
    const result = await screen.findByTestId("token-test-result");
    expect(result).toHaveAttribute("data-ok", "false");
    expect(result).toHaveTextContent("no value at $.access_token");
    const shape = within(result).getByTestId("token-test-shape");
    expect(shape).toHaveTextContent("data");
    expect(shape).toHaveTextContent("object");
    expect(shape).toHaveTextContent("expires_in");
    expect(shape).toHaveTextContent("number");
    expect(screen.queryByTestId("token-test-found")).not.toBeInTheDocument();
    // A failed test offers Save anyway.
    expect(screen.getByTestId("token-save-anyway")).toBeInTheDocument();
  });

  it("does not test a request with an invalid URL", async () => {
    const { user } = renderScreen();
    await openAdd(user, "http");
    await put(user, "url", "http://auth.example.com/token");
    await user.click(screen.getByTestId("token-test"));
    expect(backend.test_http_token_form).not.toHaveBeenCalled();
    expect(field("url")).toHaveAttribute("aria-invalid", "true");
  });

  it("saves at once when the request passes", async () => {
    backend.add_http_token.mockResolvedValue({ token: makeHttpToken(), report: passingReport() });
    const { user } = renderScreen();
    await openAdd(user, "http");
    await fillHttp(user);
    await user.click(screen.getByTestId("token-save"));
    expect(backend.add_http_token).toHaveBeenCalledTimes(1);
    expect(backend.add_http_token).toHaveBeenCalledWith({ form: HTTP_FORM, saveAnyway: false });
    await waitFor(() => expect(screen.queryByTestId("token-dialog")).not.toBeInTheDocument());
    expect(await screen.findByTestId("toast")).toHaveTextContent(
      "Token found at $.access_token: eyJh… (812 characters)",
    );
  });

  it("needs Save anyway when the request fails, and keeps everything typed", async () => {
    backend.add_http_token.mockRejectedValueOnce(
      wireError("token_request_failed", "the endpoint answered 401 Unauthorized"),
    );
    const { user } = renderScreen();
    await openAdd(user, "http");
    await fillHttp(user);
    await user.click(screen.getByTestId("token-save"));
    const error = await screen.findByTestId("token-save-error");
    expect(error).toHaveAttribute("data-code", "token_request_failed");
    expect(error).toHaveTextContent("401 Unauthorized");
    expect(field("header-value-0")).toHaveValue("k-123");
    expect(field("body-value-1")).toHaveValue("shh");
    expect(field("url")).toHaveValue("https://auth.example.com/token");

    backend.add_http_token.mockResolvedValueOnce({ token: makeHttpToken(), report: null });
    await user.click(screen.getByTestId("token-save-anyway"));
    expect(backend.add_http_token).toHaveBeenLastCalledWith({ form: HTTP_FORM, saveAnyway: true });
    await waitFor(() => expect(screen.queryByTestId("token-dialog")).not.toBeInTheDocument());
  });

  it("edits only name, description, header, prefix and path, sending the original", async () => {
    backend.list_tokens.mockResolvedValue([makeHttpToken()]);
    backend.edit_http_token.mockResolvedValue(makeHttpToken());
    const { user } = renderScreen();
    await screen.findByTestId("token-row");
    await user.click(within(row("METEO_KEY")).getByTestId("token-menu"));
    await user.click(await screen.findByTestId("token-edit"));
    const dialog = await screen.findByTestId("token-dialog");
    expect(screen.getByTestId("tokenKind-http")).toHaveAttribute("data-state", "checked");
    expect(screen.getByTestId("tokenKind-text")).toBeDisabled();
    expect(dialog.querySelector('[name="url"]')).not.toBeInTheDocument();
    expect(dialog.querySelector('[name="header-name-0"]')).not.toBeInTheDocument();
    const summary = within(dialog).getByTestId("token-request-summary");
    expect(summary).toHaveTextContent("POST https://auth.example.com/token");
    expect(summary).toHaveTextContent("X-Api-Key: •••• (stored)");
    expect(dialog).toHaveTextContent(/to change it, add a new token/);
    await user.clear(field("tokenPath"));
    await put(user, "tokenPath", "$.data.token");
    await user.click(screen.getByTestId("token-save"));
    expect(backend.edit_http_token).toHaveBeenCalledWith({
      original: "METEO_KEY",
      form: expect.objectContaining({
        name: "METEO_KEY",
        tokenPath: "$.data.token",
        headerName: "Authorization",
        prefix: "Bearer",
      }) as unknown,
    });
    expect(backend.add_http_token).not.toHaveBeenCalled();
  });
});
