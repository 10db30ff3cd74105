/**
 * Sample backend for running the UI in a plain browser (no Tauri).
 * Imported only (lazily) by ./ipc.ts; never used inside the desktop app.
 *
 * Scenarios (`?mock=`): list (default), empty, locked, unavailable, error, loading, denied
 * (Connect fails), approval (a tool call waits for confirmation), logs (100,000 log rows),
 * gateway-busy (the gateway's port is taken), consent (a local app's browser sign-in waits).
 */
import type { DeviceCodePrompt } from "./bindings/DeviceCodePrompt";
import type { ActionView } from "./bindings/ActionView";
import type { AppStatus } from "./bindings/AppStatus";
import type { ConnectionView } from "./bindings/ConnectionView";
import type { ErrorBody } from "./bindings/ErrorBody";
import type { GrantView } from "./bindings/GrantView";
import type { TokenTestReport } from "./bindings/TokenTestReport";
import type { TokenView } from "./bindings/TokenView";
import type { Health } from "./bindings/Health";
import type { HttpActionSpec } from "./bindings/HttpActionSpec";
import type { LogQuery } from "./bindings/LogQuery";
import type { ImportForm } from "./bindings/ImportForm";

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

const health = (h: Partial<Health> = {}): Health => ({
  status: "unknown",
  reason: null,
  message: null,
  checkedAt: null,
  latencyMs: null,
  toolCount: null,
  ...h,
});

const get = (): HttpActionSpec => ({ method: "GET", headers: [], body: null, params: [] });

const base = {
  confirm: false,
  breaker: { state: "closed" as const, failures: 0, retryAt: null },
  oauth: null,
  grant: null,
  publicJwk: null,
  dpop: false,
  http: null,
  createdAt: "2025-01-06T09:00:00Z",
  updatedAt: "2025-01-06T09:00:00Z",
};

const ACTIONS: ActionView[] = [
  {
    ...base,
    id: "a1",
    name: "linear",
    kind: "mcp",
    url: "https://mcp.linear.app/mcp",
    enabled: true,
    description: "Issues, projects and cycles for the product team",
    auth: { type: "oauth", ref: null },
    grant: "authorization-code",
    oauth: {
      clientSecretSet: false,
      clientId: "patchbay-3f9c",
      tokenAuthMethod: "none",
      authorizationUrl: "https://mcp.linear.app/authorize",
      tokenUrl: "https://mcp.linear.app/token",
      registrationUrl: "https://mcp.linear.app/register",
      assumePkceS256: false,
      resourceOverride: null,
      omitResource: false,
      clientMetadataUrl: null,
      callback: "loopback",
      assertionFile: null,
      idp: null,
      scopes: [],
    },
    health: health({ status: "healthy", checkedAt: minutesAgo(2), latencyMs: 182, toolCount: 23 }),
  },
  {
    ...base,
    id: "a2",
    name: "github",
    kind: "mcp",
    url: "https://api.githubcopilot.com/mcp/",
    enabled: true,
    description: "Repositories, pull requests and code search",
    auth: { type: "token", ref: "GITHUB_PAT" },
    health: health({
      status: "unhealthy",
      reason: "auth",
      message: "401 Unauthorized: the token was revoked. Replace GITHUB_PAT.",
      checkedAt: minutesAgo(14),
    }),
  },
  {
    ...base,
    id: "a3",
    name: "weather-api",
    kind: "http",
    http: get(),
    url: "https://api.open-meteo.example/v1/forecast?latitude={lat}&longitude={lon}&hourly=temperature_2m",
    enabled: true,
    description: "",
    auth: { type: "http-token", ref: "METEO_KEY" },
    health: health(),
  },
  {
    ...base,
    id: "a4",
    name: "notion",
    kind: "mcp",
    url: "https://mcp.notion.com/mcp",
    enabled: true,
    description: "Workspace pages and databases shared with the integration",
    auth: { type: "connection", ref: "notion-work" },
    health: health({
      status: "unhealthy",
      reason: "needs_reconnect",
      message: "The refresh token expired. Reconnect notion-work.",
      checkedAt: minutesAgo(60 * 5),
    }),
  },
  {
    ...base,
    id: "a5",
    name: "internal-search",
    kind: "http",
    http: get(),
    url: "http://localhost:8080/search",
    enabled: false,
    description: "Legacy search endpoint, kept for reference while the new index is rolled out",
    auth: { type: "none", ref: null },
    health: health(),
  },
];

function status(scenario: string): AppStatus {
  const vault: AppStatus["vault"] =
    scenario === "locked"
      ? {
          state: "locked",
          message: "Unlock the login keychain in Keychain Access, then try again.",
        }
      : scenario === "unavailable"
        ? {
            state: "unavailable",
            message: "No Secret Service provider found. Install and start gnome-keyring.",
          }
        : { state: "ok", message: null };
  return { version: "0.1.0-mock", home: "~/.patchbay", vault };
}

const CONNECTIONS: ConnectionView[] = [
  {
    id: "c1",
    name: "notion-work",
    provider: "notion",
    clientId: "8c1f-notion-client",
    clientSecretSet: true,
    authorizationUrl: "https://api.notion.com/v1/oauth/authorize",
    tokenUrl: "https://api.notion.com/v1/oauth/token",
    registrationUrl: null,
    revocationUrl: null,
    tokenAuthMethod: "client_secret_basic",
    publicClient: false,
    grant: "authorization-code",
    publicJwk: null,
    scopes: [],
    issuer: null,
    resource: null,
    usedBy: ["notion"],
    createdAt: "2025-01-06T09:00:00Z",
    updatedAt: "2025-01-06T09:00:00Z",
  },
];

const TOKENS: TokenView[] = [
  {
    id: "t1",
    name: "GITHUB_PAT",
    kind: "text",
    description: "Fine-grained PAT, repo read",
    prefix: "Bearer",
    headerName: "Authorization",
    valueSet: true,
    request: null,
    usedBy: ["github"],
    createdAt: "2025-01-06T09:00:00Z",
    updatedAt: "2025-01-06T09:00:00Z",
  },
  {
    id: "t2",
    name: "METEO_KEY",
    kind: "http-request",
    description: "",
    prefix: "Bearer",
    headerName: "Authorization",
    valueSet: true,
    request: {
      method: "POST",
      url: "https://auth.open-meteo.example/token",
      headers: [{ name: "X-Api-Key", value: null, secret: true }],
      body: [],
      form: false,
      tokenPath: "$.access_token",
    },
    usedBy: ["weather-api"],
    createdAt: "2025-01-06T09:00:00Z",
    updatedAt: "2025-01-06T09:00:00Z",
  },
];

const GRANT: GrantView = {
  connected: true,
  account: "ada@example.com",
  scopes: ["read", "write"],
  expiresAt: minutesAgo(-50),
  issuer: "https://mcp.linear.app",
  clientId: "patchbay-3f9c",
  resource: "https://mcp.linear.app/mcp",
  hasRefreshToken: true,
  connectedAt: minutesAgo(10),
  needsReconnect: false,
  reconnectReason: null,
  refreshedAt: null,
};

const REPORT: TokenTestReport = {
  ok: true,
  status: 200,
  latencyMs: 143,
  found: { path: "$.access_token", preview: "eyJh", length: 812 },
  shape: null,
  message: null,
};

const deviceCodeListeners = new Set<(p: DeviceCodePrompt) => void>();

/** The mock's `device-code` event. */
export function onDeviceCode(cb: (p: DeviceCodePrompt) => void): () => void {
  deviceCodeListeners.add(cb);
  return () => deviceCodeListeners.delete(cb);
}

function fail(code: ErrorBody["code"], message: string): never {
  const body: ErrorBody = { code, message };
  // Tauri rejects with plain { code, message } objects; mimic that.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw body;
}

type InvokeArgs = Record<string, unknown>;

function arg<T>(args: InvokeArgs | undefined, key: string): T {
  return args?.[key] as T;
}

export async function handle(
  scenario: string,
  command: string,
  args?: InvokeArgs,
): Promise<unknown> {
  await new Promise((resolve) => setTimeout(resolve, 150));
  switch (command) {
    case "list_actions":
      if (scenario === "loading") return new Promise<never>(() => {});
      if (scenario === "error") {
        fail("database", "database is locked (another Patchbay process is migrating it)");
      }
      return scenario === "empty" ? [] : ACTIONS;
    case "list_providers":
      return (await import("./screens/gallery/fixtures")).PROVIDERS;
    case "app_status":
      return status(scenario);
    case "list_connections":
      return scenario === "empty" ? [] : CONNECTIONS;
    case "list_tokens":
      return scenario === "empty" ? [] : TOKENS;
    case "callback_urls":
      return {
        loopback: "http://127.0.0.1:47615/callback",
        port: 47615,
        appLink: "dev.patchbay.app:/oauth/callback",
      };
    case "oauth_status":
      return GRANT;
    case "connect":
      await new Promise((resolve) => setTimeout(resolve, 1200));
      if (scenario === "denied") fail("access_denied", "the user denied access at the provider");
      return GRANT;
    case "connect_with_code": {
      // The code first (as the app's event), then the user approves on their phone.
      await new Promise((resolve) => setTimeout(resolve, 400));
      const prompt: DeviceCodePrompt = {
        verificationUri: "https://auth.example.com/device",
        verificationUriComplete: "https://auth.example.com/device?user_code=WDJB-MJHT",
        userCode: "WDJB-MJHT",
        expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
      };
      for (const cb of deviceCodeListeners) cb(prompt);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      if (scenario === "denied") fail("access_denied", "the device sign-in was refused");
      return GRANT;
    }
    case "tray_host":
      return scenario !== "empty";
    case "list_idps":
      return scenario === "empty"
        ? []
        : [
            {
              name: "okta",
              issuer: "https://acme.okta.com",
              clientId: "0oa1patchbay",
              hasClientSecret: false,
              scopes: [],
              signedIn: true,
              account: "ada@acme.com",
              signedInAt: new Date().toISOString(),
              idTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
              actions: [],
              createdAt: new Date().toISOString(),
            },
          ];
    case "cancel_connect":
      return true;
    case "disconnect":
      return {
        ...GRANT,
        connected: false,
        account: null,
        wasConnected: true,
        revocation: { outcome: "revoked", revoked: ["refresh_token"], message: null },
      };
    case "test_action":
      return {
        status: "healthy",
        reason: null,
        message: null,
        checkedAt: new Date().toISOString(),
        latencyMs: 96,
        toolCount: 12,
      } satisfies Health;
    case "test_http_token_form":
    case "test_token":
      return REPORT;
    case "save_action":
    case "set_action_enabled":
    case "remove_action": {
      const name = arg<string | null>(args, "original") ?? arg<string>(args, "name");
      return ACTIONS.find((a) => a.name === name) ?? ACTIONS[0];
    }
    case "save_connection":
    case "remove_connection":
      return CONNECTIONS[0];
    case "save_text_token":
    case "edit_http_token":
    case "remove_token":
      return TOKENS[0];
    case "add_http_token":
      return { token: TOKENS[1], report: REPORT };
    case "pending_approvals":
      return scenario === "approval"
        ? [
            {
              id: "p1",
              action: "linear",
              tool: "create_issue",
              arguments: { title: "Fix login redirect", team: "WEB" },
              requester: "Claude Desktop (patchbay proxy, pid 4242)",
              requestedAt: minutesAgo(0),
              expiresAt: minutesAgo(-2),
              status: "pending",
              decidedAt: null,
            },
          ]
        : [];
    case "decide_approval":
      return { status: arg<boolean>(args, "approve") ? "approved" : "denied" };
    case "attention":
      return scenario === "consent"
        ? [
            {
              kind: "consent",
              subject: "Visual Studio Code",
              message: "Visual Studio Code wants to sign in to the gateway (code KXT-MRW)",
              fix: "patchbay gateway approve KXT-MRW (or deny it)",
              id: "3f2a9c81d0b4",
            },
          ]
        : [];
    case "pending_gateway_consents":
      return {
        pending:
          scenario === "consent"
            ? [
                {
                  id: "3f2a9c81d0b4",
                  code: "KXT-MRW",
                  client: {
                    name: "Visual Studio Code",
                    clientId: "https://vscode.dev/oauth/client-metadata.json",
                    kind: "metadata-document",
                    publisher: "vscode.dev",
                  },
                  redirectUri: "http://127.0.0.1:33418/",
                  scopes: ["mcp", "offline_access"],
                  actions: ["*"],
                  requestedAt: minutesAgo(0),
                  expiresAt: minutesAgo(-5),
                },
              ]
            : [],
      };
    case "decide_gateway_consent":
      return {
        client: { name: "Visual Studio Code" },
      };
    case "export_preview":
    case "export_write": {
      const client = arg<string>(args, "client");
      const names = arg<string[]>(args, "names");
      const gateway =
        arg<string>(args, "via") === "gateway" &&
        client !== "claude-desktop" &&
        client !== "generic";
      const base = "http://127.0.0.1:47616";
      const list = gateway
        ? names.length > 0
          ? names
          : ["patchbay"]
        : names.length > 0
          ? names
          : ["linear", "github", "notion"];
      const entries = list.map((name) =>
        gateway
          ? {
              name,
              command: null,
              args: null,
              url:
                name === "patchbay" && names.length === 0 ? `${base}/mcp` : `${base}/a/${name}/mcp`,
              keyEnv: client === "codex" ? "PATCHBAY_GATEWAY_KEY" : null,
            }
          : { name, command: "/usr/bin/patchbay", args: ["proxy", name], url: null, keyEnv: null },
      );
      const servers = Object.fromEntries(
        entries.map((e) => [
          e.name,
          gateway ? { url: e.url } : { command: e.command, args: e.args },
        ]),
      );
      return {
        client,
        via: gateway ? "gateway" : "proxy",
        path: client === "generic" ? null : `~/.config/${client}/mcp.json`,
        entries,
        snippet: JSON.stringify({ mcpServers: servers }, null, 2),
        written: command === "export_write",
        backup:
          command === "export_write"
            ? `~/.config/${client}/mcp.json.patchbay-backup-20261124T090000Z`
            : null,
        changes: list.map((name) => ({ name, change: "added" })),
        notes: [],
        warnings: gateway
          ? [
              "the gateway is off, so this client cannot connect to http://127.0.0.1:47616 yet: turn it on in the app's Gateway screen",
            ]
          : [],
      };
    }
    case "import_scan":
    case "import_apply": {
      const { importMock } = await import("./screens/import/mockImport");
      return importMock(command, arg<ImportForm | undefined>(args, "form"));
    }
    case "list_logs": {
      const { listLogsMock } = await import("./screens/logs/mockLogs");
      return listLogsMock(scenario, arg<LogQuery>(args, "query"));
    }
    case "log_histogram": {
      const { logHistogramMock } = await import("./screens/logs/mockLogs");
      return logHistogramMock(scenario, arg<LogQuery>(args, "query"));
    }
    case "health_series": {
      const { healthSeriesMock } = await import("./screens/health/mockSeries");
      return healthSeriesMock(scenario === "empty" ? [] : ACTIONS, arg(args, "window"));
    }
    case "get_log": {
      const { getLogMock } = await import("./screens/logs/mockLogs");
      return getLogMock(scenario, arg<number>(args, "id"));
    }
    case "export_logs": {
      const { listLogsMock } = await import("./screens/logs/mockLogs");
      const rows = listLogsMock(scenario, { ...arg<LogQuery>(args, "query"), brief: null });
      return { path: "~/Downloads/patchbay-logs-20261124T093000Z.jsonl", rows: rows.length };
    }
    case "approval_counts":
      return [{ action: "linear", approved: 12, denied: 1, expired: 0, pending: 0 }];
    case "get_settings":
    case "save_settings": {
      const { settingsMock } = await import("./screens/settings/fixtures");
      return settingsMock(scenario, command, arg(args, "settings"));
    }
    case "app_ready":
      return Math.round(performance.now());
    case "gateway_status":
    case "set_gateway_enabled":
    case "list_gateway_keys":
    case "add_gateway_key":
    case "revoke_gateway_key":
    case "gateway_tools":
    case "list_gateway_clients":
    case "add_gateway_client":
    case "rotate_gateway_client_secret":
    case "revoke_gateway_client":
    case "reactivate_gateway_client": {
      const { gatewayMock } = await import("./screens/gateway/fixtures");
      return gatewayMock(scenario, command, args);
    }
    case "doctor": {
      const { failingReport, healthyReport } = await import("./screens/actions/diagnose/fixtures");
      const name = arg<string>(args, "name");
      return scenario === "denied" ? failingReport(name) : healthyReport(name);
    }
    default:
      return fail("internal", `mock: unknown command ${command}`);
  }
}
