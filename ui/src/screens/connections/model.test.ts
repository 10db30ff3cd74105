import { describe, expect, it } from "vitest";

import type { ErrorCode } from "../../bindings/ErrorCode";
import type { FormField } from "../../bindings/FormField";
import { IpcError } from "../../ipc";

import {
  draftFromConnection,
  emptyConnectionDraft,
  fieldOfError,
  groupByProvider,
  signInState,
  toConnectionForm,
  validateConnection,
  type ConnectionDraft,
} from "./model";
import { makeGrant } from "../../test/fixtures";
import { makeConnection } from "./fixtures";

const valid = (over: Partial<ConnectionDraft> = {}): ConnectionDraft => ({
  ...emptyConnectionDraft(),
  name: "hubspot-sales",
  provider: "HubSpot",
  clientId: "client-123",
  clientSecret: "s3cret",
  authorizationUrl: "https://app.hubspot.com/oauth/authorize",
  tokenUrl: "https://api.hubapi.com/oauth/v1/token",
  ...over,
});

describe("validateConnection", () => {
  it("requires name, provider, client id, authorization URL and token URL", () => {
    const errors = validateConnection(emptyConnectionDraft(), null);
    expect(Object.keys(errors).sort()).toEqual(
      ["authorizationUrl", "clientId", "name", "provider", "tokenUrl"].sort(),
    );
  });

  it("accepts a complete draft", () => {
    expect(validateConnection(valid(), null)).toEqual({});
  });

  it("rejects names the backend would refuse", () => {
    expect(validateConnection(valid({ name: "HubSpot sales" }), null).name).toMatch(/no spaces/);
    expect(validateConnection(valid({ name: "-x" }), null).name).toBeDefined();
    expect(validateConnection(valid({ name: "a".repeat(65) }), null).name).toBeDefined();
    expect(validateConnection(valid({ name: "hub.spot_2-x" }), null).name).toBeUndefined();
  });

  it("allows http only on loopback in its endpoints", () => {
    const errors = validateConnection(valid({ revocationUrl: "http://example.com/revoke" }), null);
    expect(errors.revocationUrl).toMatch(/https/);
  });

  it("checks scopes for characters OAuth forbids", () => {
    expect(validateConnection(valid({ scopes: 'read "write"' }), null).scopes).toMatch(/write/);
    expect(
      validateConnection(valid({ scopes: "read, write offline" }), null).scopes,
    ).toBeUndefined();
  });

  it("matches the method against the secret", () => {
    expect(validateConnection(valid({ tokenAuthMethod: "none" }), null).clientSecret).toMatch(
      /public client/,
    );
    expect(
      validateConnection(valid({ clientSecret: "", tokenAuthMethod: "client_secret_post" }), null)
        .clientSecret,
    ).toMatch(/needs a client secret/);
    // Editing a connection that has a secret: empty keeps it, so the method is satisfied.
    expect(
      validateConnection(valid({ clientSecret: "", tokenAuthMethod: "client_secret_basic" }), {
        clientSecretSet: true,
      }),
    ).toEqual({});
    expect(
      validateConnection(
        valid({
          clientSecret: "",
          clearClientSecret: true,
          tokenAuthMethod: "client_secret_basic",
        }),
        { clientSecretSet: true },
      ).clientSecret,
    ).toMatch(/needs a client secret/);
    expect(
      validateConnection(valid({ clearClientSecret: true }), { clientSecretSet: true })
        .clientSecret,
    ).toMatch(/not both/);
    expect(validateConnection(valid({ clientSecret: "", tokenAuthMethod: "auto" }), null)).toEqual(
      {},
    );
  });
});

describe("toConnectionForm", () => {
  it("trims, normalises scopes and maps Automatic to null", () => {
    const form = toConnectionForm(
      valid({
        name: " hubspot-sales ",
        clientSecret: " s3cret ",
        scopes: "a, b  c",
        revocationUrl: " https://x.example/revoke ",
      }),
    );
    expect(form).toEqual({
      name: "hubspot-sales",
      provider: "HubSpot",
      clientId: "client-123",
      clientSecret: " s3cret ",
      clearClientSecret: false,
      authorizationUrl: "https://app.hubspot.com/oauth/authorize",
      tokenUrl: "https://api.hubapi.com/oauth/v1/token",
      revocationUrl: "https://x.example/revoke",
      registrationUrl: "",
      tokenAuthMethod: null,
      scopes: "a b c",
      grant: "authorization-code",
    });
  });

  it("sends an empty secret as null (keep) and passes an explicit method", () => {
    const form = toConnectionForm(
      valid({ clientSecret: "  ", tokenAuthMethod: "client_secret_post" }),
    );
    expect(form.clientSecret).toBeNull();
    expect(form.tokenAuthMethod).toBe("client_secret_post");
  });

  it("round-trips a stored connection without its secret", () => {
    const draft = draftFromConnection(
      makeConnection({ revocationUrl: "https://x.example/r", tokenAuthMethod: "none" }),
    );
    expect(draft.clientSecret).toBe("");
    expect(draft.scopes).toBe("crm.objects.contacts.read oauth");
    expect(draft.registrationUrl).toBe("");
    expect(draft.tokenAuthMethod).toBe("none");
    expect(toConnectionForm(draft).revocationUrl).toBe("https://x.example/r");
  });

  it("keeps a client credentials connection's grant and signing-key method", () => {
    const draft = draftFromConnection(
      makeConnection({
        grant: "client-credentials",
        tokenAuthMethod: "private_key_jwt",
        clientSecretSet: false,
      }),
    );
    expect(toConnectionForm(draft)).toMatchObject({
      grant: "client-credentials",
      tokenAuthMethod: "private_key_jwt",
      clientSecret: null,
    });
  });
});

describe("fieldOfError", () => {
  it("points backend errors at their field", () => {
    const at = (code: ErrorCode, field?: FormField) =>
      fieldOfError(new IpcError(code, "refused", { field }));
    expect(at("conflict", "name")).toBe("name");
    expect(at("invalid_input", "tokenUrl")).toBe("tokenUrl");
    expect(at("invalid_input", "tokenAuthMethod")).toBe("clientSecret");
    expect(at("invalid_input", "headerName")).toBeNull();
    expect(at("vault_locked")).toBeNull();
  });
});

describe("signInState", () => {
  const grant = makeGrant;
  it("reads connected, reconnect needed and not connected", () => {
    expect(signInState(grant({ connected: true, account: "ada@x.com" })).label).toBe(
      "Connected as ada@x.com",
    );
    expect(signInState(grant({ connected: true })).label).toBe("Connected");
    expect(signInState(grant({ needsReconnect: true })).kind).toBe("reconnect");
    expect(signInState(grant({})).label).toBe("Not connected");
  });
});

describe("groupByProvider", () => {
  it("groups case-insensitively and sorts providers and names", () => {
    const groups = groupByProvider([
      makeConnection({ name: "z-hub", provider: "HubSpot" }),
      makeConnection({ name: "github", provider: "GitHub" }),
      makeConnection({ name: "a-hub", provider: "hubspot" }),
    ]);
    expect(groups.map((g) => [g.provider, g.items.map((c) => c.name)])).toEqual([
      ["GitHub", ["github"]],
      ["HubSpot", ["a-hub", "z-hub"]],
    ]);
  });
});
