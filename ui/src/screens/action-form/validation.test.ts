import { describe, expect, it } from "vitest";

import type { AuthType } from "../../bindings/AuthType";
import type { FormField } from "../../bindings/FormField";
import { IpcError } from "../../ipc";
import { emptyForm, emptyOAuth, headerRow, type FormState } from "./model";
import {
  bodyParams,
  bodyTemplateError,
  fieldForError,
  firstErrorField,
  validate,
} from "./validation";

function form(over: Partial<FormState> = {}): FormState {
  return { ...emptyForm(), name: "linear", url: "https://mcp.linear.app/mcp", ...over };
}

describe("body templates", () => {
  it("checks {{placeholders}} and lists them", () => {
    expect(bodyTemplateError('{"city": "{{city}}"}')).toBeUndefined();
    expect(bodyTemplateError('{"city": "{{city"}')).toMatch(/no closing/);
    expect(bodyTemplateError("{{1abc}}")).toMatch(/not a valid placeholder/);
    expect(bodyParams('{"a": "{{city}}", "b": {{ days }}, "c": "{{city}}"}')).toEqual([
      "city",
      "days",
    ]);
  });
});

describe("validate", () => {
  it("a fresh form has errors on name and URL only", () => {
    const e = validate(emptyForm());
    expect(Object.keys(e).sort()).toEqual(["name", "url"]);
  });

  it("a complete MCP + OAuth form is valid", () => {
    expect(validate(form())).toEqual({});
  });

  it("needs a token / connection when such a card is chosen", () => {
    expect(validate(form({ auth: "token" })).authRef).toMatch(/bearer token/);
    expect(validate(form({ auth: "http-token" })).authRef).toMatch(/HTTP request token/);
    expect(validate(form({ auth: "connection" })).authRef).toMatch(/OAuth connection/);
    const refs = { token: "gh", "http-token": "", connection: "" };
    expect(validate(form({ auth: "token", refs })).authRef).toBeUndefined();
  });

  it("refuses an Authorization header, bad header names and a GET body", () => {
    const s = form({
      kind: "http",
      method: "GET",
      url: "https://api.example.com/v1",
      auth: "none",
      headers: [headerRow("authorization", "Bearer x"), headerRow("Bad Name", "1"), headerRow()],
      body: '{"q": "{{q}}"}',
    });
    const e = validate(s);
    expect(e["header-name-0"]).toMatch(/comes from Authentication/);
    expect(e["header-name-1"]).toMatch(/without spaces/);
    expect(e["header-name-2"]).toBeUndefined();
    expect(e.body).toMatch(/GET request cannot have a body/);
    expect(firstErrorField(s, e)).toBe("header-name-0");
  });

  it("OAuth on an HTTP endpoint needs the authorization and token URLs", () => {
    const s = form({ kind: "http", url: "https://api.example.com/v1" });
    expect(validate(s).authorizationUrl).toMatch(/Needed for OAuth/);
    expect(validate(s).tokenUrl).toMatch(/Needed for OAuth/);
    const ok = {
      ...s,
      oauth: { ...emptyOAuth(), authorizationUrl: "https://a/x", tokenUrl: "https://a/t" },
    };
    expect(validate(ok)).toEqual({});
  });

  it("client credentials on an HTTP endpoint need the token URL only", () => {
    const s = form({
      kind: "http",
      url: "https://api.example.com/v1",
      oauth: {
        ...emptyOAuth(),
        grant: "client-credentials",
        tokenAuthMethod: "client_secret_basic",
      },
    });
    expect(validate(s).authorizationUrl).toBeUndefined();
    expect(validate(s).tokenUrl).toMatch(/Needed for OAuth/);
    const full = { ...s.oauth, tokenUrl: "https://a/t", clientId: "svc", clientSecret: "s3cret" };
    expect(validate({ ...s, oauth: full })).toEqual({});
  });

  it("checks the advanced OAuth fields like the backend", () => {
    const bad = form({
      oauth: {
        ...emptyOAuth(),
        clientSecret: "s3cret",
        tokenUrl: "http://example.com/token",
        clientMetadataUrl: "https://example.com/",
        omitResource: true,
        resourceOverride: "https://mcp.example.com",
        scopes: 'read "write"',
      },
    });
    const e = validate(bad);
    expect(e.clientId).toMatch(/needs a client ID/);
    expect(e.tokenUrl).toMatch(/Use https/);
    expect(e.clientMetadataUrl).toMatch(/path/);
    expect(e.resourceOverride).toMatch(/not both/);
    expect(e.scopes).toMatch(/"write"/);
  });

  it("knows a stored secret counts unless removed", () => {
    const s = form({ oauth: { ...emptyOAuth(), tokenAuthMethod: "none" } });
    expect(validate(s, true).tokenAuthMethod).toMatch(/public clients/);
    expect(validate(s, false).tokenAuthMethod).toBeUndefined();
    const basic = form({
      oauth: { ...emptyOAuth(), clientId: "c", tokenAuthMethod: "client_secret_basic" },
    });
    expect(validate(basic).clientSecret).toMatch(/needs a client secret/);
    expect(validate(basic, true).clientSecret).toBeUndefined();
  });

  it("ignores OAuth fields when another card is chosen", () => {
    const s = form({ auth: "none", oauth: { ...emptyOAuth(), tokenUrl: "nonsense" } });
    expect(validate(s)).toEqual({});
  });
});

describe("backend errors", () => {
  const at = (field: FormField, auth: AuthType = "oauth") =>
    fieldForError(new IpcError("invalid_input", "refused", { field }), auth);

  it("shows an error next to the field the backend names", () => {
    expect(at("name")).toBe("name");
    expect(at("url")).toBe("url");
    expect(at("tokenUrl")).toBe("tokenUrl");
    expect(at("authorizationUrl")).toBe("authorizationUrl");
    expect(at("clientMetadataUrl")).toBe("clientMetadataUrl");
    expect(at("clientId")).toBe("clientId");
    expect(at("clientSecret")).toBe("clientSecret");
    expect(at("tokenAuthMethod")).toBe("tokenAuthMethod");
    expect(at("resourceOverride")).toBe("resourceOverride");
    expect(at("scopes")).toBe("scopes");
    expect(at("headers")).toBe("headers");
    expect(at("body")).toBe("body");
    expect(at("kind")).toBe("kind");
    expect(at("method")).toBe("method");
    // A field this form doesn't have concerns the whole form.
    expect(at("tokenPath")).toBeUndefined();
    expect(at("revocationUrl")).toBeUndefined();
  });

  it("puts an authentication error at the token or connection picker when one is chosen", () => {
    expect(at("auth", "token")).toBe("authRef");
    expect(at("auth", "http-token")).toBe("authRef");
    expect(at("auth", "connection")).toBe("authRef");
    expect(at("auth", "oauth")).toBe("auth");
    expect(at("auth", "none")).toBe("auth");
  });

  it("conflict is the name; errors without a field concern the whole form", () => {
    const conflict = new IpcError("conflict", "action 'linear' already exists", { field: "name" });
    expect(fieldForError(conflict, "oauth")).toBe("name");
    expect(fieldForError(new IpcError("vault_locked", "the keyring is locked"), "oauth")).toBe(
      undefined,
    );
    expect(fieldForError(new IpcError("invalid_input", "something else entirely"), "none")).toBe(
      undefined,
    );
  });
});
