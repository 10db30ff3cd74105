import { describe, expect, it } from "vitest";

import { makeAction } from "../../test/fixtures";
import {
  emptyForm,
  emptyOAuth,
  formFromAction,
  headerRow,
  toWire,
  wireKey,
  type FormState,
} from "./model";

function form(over: Partial<FormState> = {}): FormState {
  return { ...emptyForm(), name: "linear", url: "https://mcp.linear.app/mcp", ...over };
}

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
        grant: "authorization-code",
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
        assertionFile: "",
        idp: "",
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
          assertionFile: null,
          idp: null,
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
