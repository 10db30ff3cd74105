/**
 * Every TanStack Query key of the app, in one place: a screen that shows data another screen
 * changes invalidates the same key, and `db-changed` invalidates them all.
 */
import type { ExportClient } from "../bindings/ExportClient";
import type { ExportVia } from "../bindings/ExportVia";
import type { LogQuery } from "../bindings/LogQuery";
import type { OwnerKind } from "../bindings/OwnerKind";
import type { SeriesWindow } from "../bindings/SeriesWindow";

export const queryKeys = {
  actions: ["actions"] as const,
  appStatus: ["app-status"] as const,
  /** The stored sign-in of an OAuth action or connection. */
  oauthStatus: (kind: OwnerKind, name: string) => ["oauth-status", kind, name] as const,
  providers: ["providers"] as const,
  tokens: ["tokens"] as const,
  connections: ["connections"] as const,
  callbackUrls: ["callback-urls"] as const,
  idps: ["idps"] as const,
  trayHost: ["tray-host"] as const,
  settings: ["settings"] as const,
  pendingApprovals: ["approvals", "pending"] as const,
  /** What needs the user now (the Actions screen's bar). */
  attention: ["attention"] as const,
  approvalCounts: ["approval-counts"] as const,
  logs: (query: LogQuery) => ["logs", query] as const,
  log: (id: number | null) => ["log", id] as const,
  /** The Logs screen's histogram for a query. */
  logHistogram: (query: LogQuery) => ["log-histogram", query] as const,
  /** Every action's calls per hour over a window (the Health screen's charts). */
  healthSeries: (window: SeriesWindow) => ["health-series", window] as const,
  /** Every export preview (the prefix of `exportPreview`). */
  exports: ["export"] as const,
  exportPreview: (client: ExportClient, via: ExportVia, names: readonly string[]) =>
    ["export", client, via, names] as const,
  /** The gateway's state and recent clients. */
  gateway: ["gateway"] as const,
  gatewayKeys: ["gateway-keys"] as const,
  /** OAuth clients of the gateway (a consent may add one). */
  gatewayClients: ["gateway-clients"] as const,
  /** What the other MCP clients' files hold (the Import card's dry run). */
  importScan: ["import-scan"] as const,
  /** Browser sign-ins waiting for the user's consent. */
  pendingConsents: ["gateway-consents", "pending"] as const,
};
