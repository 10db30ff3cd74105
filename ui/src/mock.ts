/**
 * Sample backend for running the UI in a plain browser (no Tauri).
 * Imported only (lazily) by ./ipc.ts; never used inside the desktop app.
 *
 * Scenarios (`?mock=`): list (default), empty, locked, unavailable, error, loading.
 */
import type { ActionView } from "./bindings/ActionView";
import type { AppStatus } from "./bindings/AppStatus";
import type { ErrorBody } from "./bindings/ErrorBody";
import type { Health } from "./bindings/Health";
import type { HttpActionSpec } from "./bindings/HttpActionSpec";

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

export async function handle(scenario: string, command: string): Promise<unknown> {
  await new Promise((resolve) => setTimeout(resolve, 150));
  switch (command) {
    case "list_actions":
      if (scenario === "loading") return new Promise<never>(() => {});
      if (scenario === "error") {
        const body: ErrorBody = {
          code: "database",
          message: "database is locked (another Patchbay process is migrating it)",
        };
        // Tauri rejects with plain { code, message } objects; mimic that.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw body;
      }
      return scenario === "empty" ? [] : ACTIONS;
    case "app_status":
      return status(scenario);
    default: {
      const body: ErrorBody = { code: "internal", message: `mock: unknown command ${command}` };
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw body;
    }
  }
}
