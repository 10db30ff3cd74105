import type { ActionView } from "../bindings/ActionView";
import type { AppStatus } from "../bindings/AppStatus";
import type { ApprovalView } from "../bindings/ApprovalView";
import type { GrantView } from "../bindings/GrantView";
import type { Health } from "../bindings/Health";
import type { PendingConsent } from "../bindings/PendingConsent";
import type { PublicJwk } from "../bindings/PublicJwk";

let seq = 0;

/** An ActionView with sensible defaults; override what the test cares about. */
export function makeAction(overrides: Partial<ActionView> = {}): ActionView {
  seq += 1;
  return {
    id: `id-${seq}`,
    name: `action-${seq}`,
    kind: "mcp",
    url: `https://example.com/${seq}/mcp`,
    enabled: true,
    description: "",
    confirm: false,
    auth: { type: "none", ref: null },
    health: makeHealth(),
    breaker: { state: "closed", failures: 0, retryAt: null },
    oauth: null,
    grant: null,
    publicJwk: null,
    dpop: false,
    http: null,
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    ...overrides,
  };
}

export function makeStatus(vault: AppStatus["vault"] = { state: "ok", message: null }): AppStatus {
  return { version: "1.2.3", home: "/home/test/.patchbay", vault };
}

export function makeHealth(overrides: Partial<Health> = {}): Health {
  return {
    status: "unknown",
    reason: null,
    message: null,
    checkedAt: null,
    latencyMs: null,
    toolCount: null,
    ...overrides,
  };
}

/** A sign-in (GrantView): not connected unless overridden. */
export function makeGrant(overrides: Partial<GrantView> = {}): GrantView {
  return {
    connected: false,
    account: null,
    scopes: [],
    expiresAt: null,
    issuer: null,
    clientId: null,
    resource: null,
    hasRefreshToken: false,
    connectedAt: null,
    needsReconnect: false,
    reconnectReason: null,
    refreshedAt: null,
    ...overrides,
  };
}

/** A public JWK as `action show` / `connection show` give it (private_key_jwt). */
export function makePublicJwk(): PublicJwk {
  return {
    kty: "EC",
    crv: "P-256",
    x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    alg: "ES256",
    use: "sig",
  };
}

/** A tool call waiting for the user's confirmation. */
export function makeApproval(overrides: Partial<ApprovalView> = {}): ApprovalView {
  return {
    id: "p1",
    action: "linear",
    tool: "create_issue",
    arguments: { title: "Fix login" },
    requester: "Claude Desktop (patchbay proxy, pid 1)",
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 90_000).toISOString(),
    status: "pending",
    decidedAt: null,
    ...overrides,
  };
}

/** A local app's browser sign-in waiting for consent. */
export function makeConsent(overrides: Partial<PendingConsent> = {}): PendingConsent {
  return {
    id: "c1",
    code: "KXT-MRW",
    client: {
      name: "Visual Studio Code",
      clientId: "https://vscode.dev/oauth/client-metadata.json",
      kind: "metadata-document",
      publisher: "vscode.dev",
    },
    redirectUri: "http://127.0.0.1:33418/",
    scopes: ["mcp"],
    actions: ["*"],
    requestedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
    ...overrides,
  };
}
