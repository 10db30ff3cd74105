import { describe, expect, it } from "vitest";

import { makeAction } from "../../test/fixtures";
import {
  advancedEmpty,
  bodyParams,
  bodyTemplateError,
  emptyForm,
  emptyOAuth,
  fieldForError,
  firstErrorField,
  formFromAction,
  headerRow,
  nameError,
  needsClientDetails,
  toWire,
  urlError,
  validate,
  wireKey,
  type FormState,
} from "./model";

function form(over: Partial<FormState> = {}): FormState {
  return { ...emptyForm(), name: "linear", url: "https://mcp.linear.app/mcp", ...over };
}

describe("names", () => {
  it("requires 1–64 letters, digits, '-', '_', '.' starting with a letter or digit", () => {
    expect(nameError("")).toBe("Enter a name.");
    expect(nameError("   ")).toBe("Enter a name.");
    expect(nameError("linear")).toBeUndefined();
    expect(nameError("my.server_2-b")).toBeUndefined();
    expect(nameError("a".repeat(64))).toBeUndefined();
    expect(nameError("a".repeat(65))).toMatch(/64/);
    expect(nameError("has space")).toMatch(/letters, digits/);
    expect(nameError("-leading")).toMatch(/starting with a letter or digit/);
    expect(nameError("ünïcode")).toBeDefined();
  });
});

describe("URLs", () => {
  it("accepts https anywhere and http only on loopback", () => {
    expect(urlError("https://example.com/mcp", "The URL", true)).toBeUndefined();
    expect(urlError("http://127.0.0.1:8080/mcp", "The URL", true)).toBeUndefined();
    expect(urlError("http://localhost/mcp", "The URL", true)).toBeUndefined();
    expect(urlError("http://[::1]:3000/", "The URL", true)).toBeUndefined();
    expect(urlError("http://example.com/mcp", "The URL", true)).toMatch(/Use https/);
  });

  it("refuses empty (when required), garbage, other schemes and credentials", () => {
    expect(urlError("", "the MCP server URL", true)).toBe("Enter the MCP server URL.");
    expect(urlError("", "the token URL", false)).toBeUndefined();
    expect(urlError("example.com/mcp", "The URL", true)).toMatch(/full URL/);
    expect(urlError("ftp://example.com", "The URL", true)).toMatch(/https/);
    expect(urlError("https://u:p@example.com/", "The URL", true)).toMatch(/user name or password/);
  });
});

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

describe("toWire", () => {
  it("MCP + OAuth with advanced fields", () => {
    const s = form({
      name: " linear ",
      url: " https://mcp.linear.app/mcp ",
      description: " Issues ",
      confirm: true,
      oauth: {
        ...emptyOAuth(),
        clientId: " cid ",
        clientSecret: "s3cret",
        tokenAuthMethod: "client_secret_post",
        authorizationUrl: "https://auth.example.com/authorize",
        tokenUrl: "https://auth.example.com/token",
        scopes: "read write",
        assumePkceS256: true,
        callback: "app-link",
      },
    });
    expect(toWire(s)).toEqual({
      name: "linear",
      kind: "mcp",
      url: "https://mcp.linear.app/mcp",
      method: null,
      headers: [],
      body: null,
      auth: { type: "oauth", ref: null },
      oauth: {
        clientId: "cid",
        clientSecret: "s3cret",
        clearClientSecret: false,
        tokenAuthMethod: "client_secret_post",
        authorizationUrl: "https://auth.example.com/authorize",
        tokenUrl: "https://auth.example.com/token",
        registrationUrl: "",
        scopes: "read write",
        assumePkceS256: true,
        resourceOverride: "",
        omitResource: false,
        clientMetadataUrl: "",
        callback: "app-link",
      },
      description: "Issues",
      confirm: true,
      enabled: true,
    });
  });

  it("HTTP + http-token: method, non-blank headers, body; no OAuth settings", () => {
    const s = form({
      kind: "http",
      url: "https://api.example.com/forecast",
      method: "POST",
      headers: [headerRow(" Accept ", "application/json"), headerRow("", "  ")],
      body: '{"city": "{{city}}"}',
      auth: "http-token",
      refs: { token: "gh", "http-token": "open-meteo", connection: "" },
      oauth: { ...emptyOAuth(), clientSecret: "typed-then-switched" },
    });
    const w = toWire(s);
    expect(w.method).toBe("POST");
    expect(w.headers).toEqual([{ name: "Accept", value: "application/json" }]);
    expect(w.body).toBe('{"city": "{{city}}"}');
    expect(w.auth).toEqual({ type: "http-token", ref: "open-meteo" });
    expect(w.oauth.clientSecret).toBeNull();
    expect(JSON.stringify(w)).not.toContain("typed-then-switched");
  });

  it("an empty secret keeps the stored one; a new one wins over 'remove'", () => {
    const keep = toWire(form());
    expect(keep.oauth.clientSecret).toBeNull();
    expect(keep.oauth.clearClientSecret).toBe(false);
    const clear = toWire(form({ oauth: { ...emptyOAuth(), clearClientSecret: true } }));
    expect(clear.oauth.clearClientSecret).toBe(true);
    const replace = toWire(
      form({ oauth: { ...emptyOAuth(), clientSecret: "new", clearClientSecret: true } }),
    );
    expect(replace.oauth).toMatchObject({ clientSecret: "new", clearClientSecret: false });
  });
});

describe("formFromAction", () => {
  it("fills every field from the view, never a secret, and round-trips", () => {
    const view = makeAction({
      name: "weather",
      kind: "http",
      url: "https://api.example.com/forecast",
      description: "Forecasts",
      confirm: true,
      enabled: false,
      auth: { type: "http-token", ref: "open-meteo" },
      http: {
        method: "PUT",
        headers: [{ name: "Accept", value: "application/json" }],
        body: '{"city": "{{city}}"}',
        params: ["city"],
      },
    });
    const s = formFromAction(view);
    expect(s).toMatchObject({
      name: "weather",
      kind: "http",
      method: "PUT",
      body: '{"city": "{{city}}"}',
      auth: "http-token",
      refs: { token: "", "http-token": "open-meteo", connection: "" },
      description: "Forecasts",
      confirm: true,
      enabled: false,
    });
    expect(s.headers.map((h) => [h.name, h.value])).toEqual([["Accept", "application/json"]]);
    expect(wireKey(formFromAction(view))).toBe(wireKey(s));
  });

  it("maps OAuth settings (scopes joined, secret left empty)", () => {
    const s = formFromAction(
      makeAction({
        auth: { type: "oauth", ref: null },
        oauth: {
          clientSecretSet: true,
          clientId: "cid",
          tokenAuthMethod: "client_secret_basic",
          authorizationUrl: null,
          tokenUrl: "https://a/token",
          registrationUrl: null,
          scopes: ["read", "write"],
          assumePkceS256: true,
          resourceOverride: null,
          omitResource: true,
          clientMetadataUrl: null,
          callback: "app-link",
        },
      }),
    );
    expect(s.oauth).toEqual({
      ...emptyOAuth(),
      clientId: "cid",
      tokenAuthMethod: "client_secret_basic",
      tokenUrl: "https://a/token",
      scopes: "read write",
      assumePkceS256: true,
      omitResource: true,
      callback: "app-link",
    });
  });
});

describe("backend errors", () => {
  it("finds the field a message names", () => {
    const f = (m: string) => fieldForError("invalid_input", m);
    expect(f("invalid action name 'a b'")).toBe("name");
    expect(f("MCP server URL 'x' is not a valid URL: relative URL without a base")).toBe("url");
    expect(f("the MCP server URL must use https")).toBe("url");
    expect(f("HTTP endpoint URL must not contain a user name or password")).toBe("url");
    expect(f("token URL 'x' is not a valid URL")).toBe("tokenUrl");
    expect(f("authorization URL must use https")).toBe("authorizationUrl");
    expect(f("OAuth on an HTTP action needs its authorization URL and token URL")).toBe(
      "authorizationUrl",
    );
    expect(f("client metadata URL 'x' must use https")).toBe("clientMetadataUrl");
    expect(f("a client secret needs a client id")).toBe("clientId");
    expect(f("the client id contains control characters or is too long")).toBe("clientId");
    expect(f("token auth method 'client_secret_post' needs a client secret")).toBe("clientSecret");
    expect(f("token auth method 'none' is for public clients")).toBe("tokenAuthMethod");
    expect(f("give a resource override or omit the resource, not both")).toBe("resourceOverride");
    expect(f("scope 'ü' contains characters OAuth does not allow")).toBe("scopes");
    expect(f("an HTTP action's Authorization header comes from its authentication")).toBe(
      "headers",
    );
    expect(f("a GET request cannot have a body")).toBe("body");
    expect(f("token 'gh' does not exist")).toBe("authRef");
    expect(f("connection 'x' does not exist")).toBe("authRef");
    expect(f("choose the bearer token this action uses")).toBe("authRef");
    expect(f("'x' is an MCP action and cannot become an HTTP action")).toBe("kind");
    expect(f("something else entirely")).toBeUndefined();
  });

  it("conflict is the name; other codes concern the whole form", () => {
    expect(fieldForError("conflict", "action 'linear' already exists")).toBe("name");
    expect(fieldForError("vault_locked", "the keyring is locked")).toBeUndefined();
  });

  it("asks for client details only when Advanced is empty and the code says so", () => {
    expect(advancedEmpty(emptyOAuth())).toBe(true);
    expect(advancedEmpty(emptyOAuth(), true)).toBe(false);
    expect(advancedEmpty({ ...emptyOAuth(), assumePkceS256: true })).toBe(true);
    expect(needsClientDetails("needs_client_id", emptyOAuth())).toBe(true);
    expect(needsClientDetails("registration_refused", emptyOAuth())).toBe(true);
    expect(needsClientDetails("access_denied", emptyOAuth())).toBe(false);
    expect(needsClientDetails("needs_client_id", { ...emptyOAuth(), clientId: "x" })).toBe(false);
  });
});
