/** The Gateway screen's data for tests and the in-browser mock (`?mock=`). */
import type { ErrorBody } from "../../bindings/ErrorBody";
import type { GatewayClientForm } from "../../bindings/GatewayClientForm";
import type { GatewayClientView } from "../../bindings/GatewayClientView";
import type { GatewayKeyForm } from "../../bindings/GatewayKeyForm";
import type { GatewayKeyView } from "../../bindings/GatewayKeyView";
import type { GatewayTool } from "../../bindings/GatewayTool";
import type { GatewayView } from "../../bindings/GatewayView";
import type { NewGatewayClient } from "../../bindings/NewGatewayClient";
import type { NewGatewayKey } from "../../bindings/NewGatewayKey";

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export function makeGatewayView(patch: Partial<GatewayView> = {}): GatewayView {
  return {
    enabled: false,
    here: false,
    error: null,
    ...patch,
    status: {
      running: false,
      url: null,
      port: 47616,
      pid: null,
      keys: 0,
      clients: [],
      ...patch.status,
    },
  };
}

/** Served by this app, with a recent client. */
export function runningHere(): GatewayView {
  return makeGatewayView({
    enabled: true,
    here: true,
    status: {
      running: true,
      url: "http://127.0.0.1:47616/mcp",
      port: 47616,
      pid: 4242,
      keys: 2,
      clients: [
        { name: "codex", kind: "key", lastCallAt: ago(2), lastTool: "linear__search_issues" },
      ],
    },
  });
}

export const PORT_BUSY: ErrorBody = {
  code: "port_busy",
  message:
    "port 47616 on 127.0.0.1 (setting gatewayPort) is in use by another program, so the gateway cannot listen there",
  hint: "stop what uses it, or choose another port: `patchbay settings set gatewayPort N`",
};

export function makeKey(patch: Partial<GatewayKeyView> = {}): GatewayKeyView {
  return {
    name: "codex",
    actions: ["linear", "github"],
    tools: [],
    createdAt: ago(60 * 24 * 3),
    lastUsedAt: ago(2),
    expiresAt: null,
    revokedAt: null,
    ...patch,
  };
}

export const KEYS: GatewayKeyView[] = [
  makeKey({ tools: ["linear__search_issues"] }),
  makeKey({
    name: "ci",
    actions: ["*"],
    createdAt: ago(60),
    lastUsedAt: null,
    expiresAt: ago(-60 * 24 * 30),
  }),
  makeKey({ name: "old-laptop", actions: ["github"], revokedAt: ago(60 * 24) }),
];

/** A key as `add_gateway_key` answers (`pbk_` and 43 base64url characters). */
export function newKey(form: GatewayKeyForm): NewGatewayKey {
  return {
    name: form.name,
    key: "pbk_Zm9vYmFyYmF6cXV4cXV1eGZvb2JhcmJhenF1eHF1dXg",
    actions: form.actions,
    tools: form.tools,
    expiresAt: form.expires ? ago(-60 * 24 * 30) : null,
    createdAt: ago(0),
  };
}

export const TOOLS: GatewayTool[] = [
  { name: "search_issues", title: "Search issues", description: null },
  { name: "create_issue", title: null, description: "Create an issue in a team" },
];

export function makeClient(patch: Partial<GatewayClientView> = {}): GatewayClientView {
  return {
    name: "acme-crm",
    clientId: "pbc_Y3JtY2xpZW50aWRjcm1jbGllbnRpZGNybWNsaWVudGlk",
    type: "confidential",
    kind: "custom",
    status: "active",
    redirectUris: ["https://crm.example.com/oauth/callback"],
    actions: ["linear"],
    tools: [],
    createdAt: ago(60 * 24 * 5),
    lastUsedAt: ago(12),
    secretRotatedAt: null,
    ...patch,
  };
}

export const CLIENTS: GatewayClientView[] = [
  makeClient({
    redirectUris: ["https://crm.example.com/oauth/callback", "http://127.0.0.1:8080/callback"],
    tools: ["linear__search_issues"],
    secretRotatedAt: ago(60 * 24),
  }),
  makeClient({
    name: "n8n",
    clientId: "pbc_bjhuY2xpZW50aWRuOG5jbGllbnRpZG44bmNsaWVudGlk",
    type: "public",
    redirectUris: ["http://127.0.0.1:5678/rest/oauth2-credential/callback"],
    actions: ["*"],
    createdAt: ago(60 * 3),
    lastUsedAt: null,
  }),
  makeClient({
    name: "old-bot",
    clientId: "pbc_b2xkYm90Y2xpZW50aWRvbGRib3RjbGllbnRpZG9sZGJv",
    kind: "registered",
    status: "revoked",
    redirectUris: ["https://bot.example.com/cb"],
    actions: ["github"],
    createdAt: ago(60 * 24 * 40),
    lastUsedAt: ago(60 * 24 * 30),
  }),
];

/** A client secret as core makes it (`pbcs_` and 43 base64url characters). */
export const CLIENT_SECRET = "pbcs_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2Vj";
export const ROTATED_SECRET = "pbcs_bmV3c2VjcmV0bmV3c2VjcmV0bmV3c2VjcmV0bmV3c2Vj";

/** A client as `add_gateway_client` answers. */
export function newClient(form: GatewayClientForm): NewGatewayClient {
  return {
    name: form.name,
    clientId: "pbc_bmV3Y2xpZW50aWRuZXdjbGllbnRpZG5ld2NsaWVudGlk",
    clientSecret: form.type === "confidential" ? CLIENT_SECRET : null,
    issuer: "http://127.0.0.1:47616",
    endpoint: "http://127.0.0.1:47616/mcp",
    redirectUris: form.redirectUris,
    actions: form.actions,
    tools: form.tools,
  };
}

/** What `rotate_gateway_client_secret` answers for a client. */
export function rotatedClient(c: GatewayClientView): NewGatewayClient {
  return {
    name: c.name,
    clientId: c.clientId,
    clientSecret: ROTATED_SECRET,
    issuer: "http://127.0.0.1:47616",
    endpoint: "http://127.0.0.1:47616/mcp",
    redirectUris: c.redirectUris,
    actions: c.actions,
    tools: c.tools,
  };
}

let view: GatewayView | null = null;
let keys: GatewayKeyView[] = KEYS;
let clients: GatewayClientView[] = CLIENTS;

/** The mock backend: the switch, the keys and the OAuth clients live in memory for the page's
 * life. */
export function gatewayMock(
  scenario: string,
  command: string,
  args?: Record<string, unknown>,
): unknown {
  view ??= runningHere();
  switch (command) {
    case "set_gateway_enabled": {
      const on = args?.enabled === true;
      view = on
        ? scenario === "gateway-busy"
          ? makeGatewayView({ enabled: true, error: PORT_BUSY })
          : runningHere()
        : makeGatewayView({ status: { ...view.status, running: false, url: null, pid: null } });
      return view;
    }
    case "list_gateway_keys":
      return keys;
    case "add_gateway_key": {
      const k = newKey(args?.form as GatewayKeyForm);
      keys = [...keys, { ...k, lastUsedAt: null, revokedAt: null }];
      return k;
    }
    case "revoke_gateway_key": {
      const name = args?.name as string;
      keys = keys.map((k) => (k.name === name ? { ...k, revokedAt: ago(0) } : k));
      return keys.find((k) => k.name === name);
    }
    case "gateway_tools":
      return TOOLS;
    case "list_gateway_clients":
      return clients;
    case "add_gateway_client": {
      const c = newClient(args?.form as GatewayClientForm);
      clients = [
        ...clients,
        makeClient({
          name: c.name,
          clientId: c.clientId,
          type: c.clientSecret ? "confidential" : "public",
          redirectUris: c.redirectUris,
          actions: c.actions,
          tools: c.tools,
          createdAt: ago(0),
          lastUsedAt: null,
        }),
      ];
      return c;
    }
    case "rotate_gateway_client_secret":
    case "revoke_gateway_client":
    case "reactivate_gateway_client": {
      const name = args?.name as string;
      clients = clients.map((c) =>
        c.name !== name
          ? c
          : command === "rotate_gateway_client_secret"
            ? { ...c, secretRotatedAt: ago(0) }
            : { ...c, status: command === "revoke_gateway_client" ? "revoked" : "active" },
      );
      const now = clients.find((c) => c.name === name);
      return command === "rotate_gateway_client_secret" && now ? rotatedClient(now) : now;
    }
    default:
      return scenario === "gateway-busy"
        ? makeGatewayView({ enabled: true, error: PORT_BUSY })
        : view;
  }
}
