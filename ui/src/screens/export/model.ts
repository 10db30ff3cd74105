/** The Export screen's pure parts: client labels, which actions can be exported, command lines. */
import type { ActionView } from "../../bindings/ActionView";
import type { ChangeKind } from "../../bindings/ChangeKind";
import type { ExportClient } from "../../bindings/ExportClient";
import type { ExportEntry } from "../../bindings/ExportEntry";
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

/** Only enabled MCP actions can be exported (`patchbay proxy` serves MCP). */
export function exportable(action: ActionView): boolean {
  return action.kind === "mcp" && action.enabled;
}

/** Why an action is not offered, in words; null when it can be exported. */
export function whyNotExportable(action: ActionView): string | null {
  if (action.kind !== "mcp") return "HTTP action: no MCP server to proxy";
  if (!action.enabled) return "Disabled: enable it on the Actions screen to export it";
  return null;
}

/** The exact command line a client runs for an entry. */
export function commandLine(entry: ExportEntry): string {
  return [entry.command, ...entry.args].join(" ");
}

export const CHANGE_LABELS: Record<ChangeKind, { label: string; tone: Tone }> = {
  added: { label: "Will be added", tone: "success" },
  updated: { label: "Will be updated", tone: "warning" },
  unchanged: { label: "Already there", tone: "neutral" },
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
): string[] {
  return actions
    .filter(exportable)
    .filter((a) => checked[a.name] ?? (preselect === null || a.name === preselect))
    .map((a) => a.name);
}
