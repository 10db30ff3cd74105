/**
 * The Export screen's pure parts: client labels, proxy or gateway, which actions can be
 * exported, what an entry runs or reaches.
 */
import type { ActionView } from "../../bindings/ActionView";
import type { ChangeKind } from "../../bindings/ChangeKind";
import type { ExportClient } from "../../bindings/ExportClient";
import type { ExportEntry } from "../../bindings/ExportEntry";
import type { ExportVia } from "../../bindings/ExportVia";
import type { Tone } from "../../components/kit";

export const CLIENTS: readonly { id: ExportClient; label: string }[] = [
  { id: "claude-desktop", label: "Claude Desktop" },
  { id: "claude-code", label: "Claude Code" },
  { id: "cursor", label: "Cursor" },
  { id: "vscode", label: "VS Code" },
  { id: "windsurf", label: "Windsurf" },
  { id: "codex", label: "Codex" },
  { id: "generic", label: "Other (generic)" },
];

export const DEFAULT_CLIENT: ExportClient = "claude-desktop";

export function isClient(value: string): value is ExportClient {
  return CLIENTS.some((c) => c.id === value);
}

/** The client's name in sentences ("Write to Cursor's config?"). */
export function clientLabel(client: ExportClient): string {
  return client === "generic"
    ? "your client"
    : (CLIENTS.find((c) => c.id === client)?.label ?? client);
}

export const VIAS: readonly { id: ExportVia; label: string }[] = [
  { id: "proxy", label: "patchbay proxy (stdio)" },
  { id: "gateway", label: "Gateway (HTTP)" },
];

export function isVia(value: string): value is ExportVia {
  return VIAS.some((v) => v.id === value);
}

/**
 * Whether `client` gets URL entries for the gateway. Claude Desktop does not read local URL
 * entries and the generic snippet has no URL form every client reads: both keep proxy
 * entries (the backend says so in a note).
 */
export function readsUrls(client: ExportClient): boolean {
  return client !== "claude-desktop" && client !== "generic";
}

/** How `client`'s entries reach Patchbay when the user picked `via`. */
export function effectiveVia(client: ExportClient, via: ExportVia): ExportVia {
  return via === "gateway" && readsUrls(client) ? "gateway" : "proxy";
}

/** Through the gateway: one entry for `/mcp` (every action), or one per chosen action. */
export type GatewayScope = "all" | "chosen";

export const SCOPES: readonly { id: GatewayScope; label: string }[] = [
  { id: "all", label: "One entry for every action (/mcp)" },
  { id: "chosen", label: "One entry per chosen action (/a/NAME/mcp)" },
];

export function isScope(value: string): value is GatewayScope {
  return SCOPES.some((s) => s.id === value);
}

/**
 * What can be exported: through `patchbay proxy`, enabled MCP actions; through the gateway,
 * every enabled action (it serves HTTP actions as a tool).
 */
export function exportable(action: ActionView, via: ExportVia = "proxy"): boolean {
  return whyNotExportable(action, via) === null;
}

/** Why an action is not offered, in words; null when it can be exported. */
export function whyNotExportable(action: ActionView, via: ExportVia = "proxy"): string | null {
  if (via === "proxy" && action.kind !== "mcp") return "HTTP action: no MCP server to proxy";
  if (!action.enabled) return "Disabled: enable it on the Actions screen to export it";
  return null;
}

/** What a client does with an entry: the exact command line it runs, or the URL it reaches. */
export function entryTarget(entry: ExportEntry): string {
  return entry.url ?? [entry.command ?? "", ...(entry.args ?? [])].join(" ");
}

export const CHANGE_LABELS: Record<ChangeKind, { label: string; tone: Tone }> = {
  added: { label: "Will be added", tone: "success" },
  updated: { label: "Will be updated", tone: "warning" },
  unchanged: { label: "Already there", tone: "neutral" },
  removed: { label: "Will be removed", tone: "danger" },
};

/**
 * The names to export, in list order: the checked exportable actions. `checked` holds the
 * user's own choices; the rest follow the default (all, or only `preselect` when the route
 * names one).
 */
export function selectedNames(
  actions: readonly ActionView[],
  checked: Readonly<Record<string, boolean>>,
  preselect: string | null,
  via: ExportVia = "proxy",
): string[] {
  return actions
    .filter((a) => exportable(a, via))
    .filter((a) => checked[a.name] ?? (preselect === null || a.name === preselect))
    .map((a) => a.name);
}
