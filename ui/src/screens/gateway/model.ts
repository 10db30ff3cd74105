/**
 * The Gateway screen, pure: what state the gateway is in, its endpoint URLs, how an access
 * key reads, and the Create access key form (checked as typed, sent as `GatewayKeyForm`).
 */
import type { ActionView } from "../../bindings/ActionView";
import type { ErrorBody } from "../../bindings/ErrorBody";
import type { FormField } from "../../bindings/FormField";
import type { GatewayKeyForm } from "../../bindings/GatewayKeyForm";
import type { GatewayKeyView } from "../../bindings/GatewayKeyView";
import type { GatewayView } from "../../bindings/GatewayView";
import { relativeTime } from "../../lib/relativeTime";
import { nameError } from "../../lib/validate";

/** Between an action and its tool in the gateway's tool names (`ACTION__TOOL`). */
export const TOOL_SEPARATOR = "__";

export type GatewayState =
  /** This app serves it. */
  | { kind: "here"; url: string }
  /** Another process does (`patchbay gateway serve`); `error`: why the app didn't. */
  | { kind: "elsewhere"; url: string; pid: number | null; error: ErrorBody | null }
  /** On, but the app's gateway could not start (or stopped serving). */
  | { kind: "failed"; error: ErrorBody }
  /** On, and the app is starting it. */
  | { kind: "starting" }
  | { kind: "off" };

export function gatewayState(v: GatewayView): GatewayState {
  const url = v.status.url ?? mcpUrl(v.status.port);
  if (v.here) return { kind: "here", url };
  if (v.status.running) {
    return { kind: "elsewhere", url, pid: v.status.pid, error: v.enabled ? v.error : null };
  }
  if (v.enabled && v.error) return { kind: "failed", error: v.error };
  if (v.enabled) return { kind: "starting" };
  return { kind: "off" };
}

export function mcpUrl(port: number): string {
  return `http://127.0.0.1:${port}/mcp`;
}

/** One action's own endpoint (its tools keep their names). */
export function actionUrl(port: number, action: string): string {
  return `http://127.0.0.1:${port}/a/${action}/mcp`;
}

/** The actions the gateway serves (enabled ones), by name. */
export function servedActions(actions: readonly ActionView[]): ActionView[] {
  return actions
    .filter((a) => a.enabled)
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }));
}

/** A day, as "Jan 3, 2027" (when a key stops working). */
export function day(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleDateString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

/** A moment relative to `now` ("2 minutes ago"), or `never` for none. */
export function when(iso: string | null, now: number, never: string): string {
  if (iso === null) return never;
  return relativeTime(iso, now) ?? iso;
}

export type KeyState = "active" | "expired" | "revoked";

export function keyState(k: GatewayKeyView, now: number): KeyState {
  if (k.revokedAt !== null) return "revoked";
  if (k.expiresAt !== null && Date.parse(k.expiresAt) <= now) return "expired";
  return "active";
}

/** What a key opens, in words. */
export function opensText(k: Pick<GatewayKeyView, "actions">): string {
  if (k.actions.includes("*")) return "Every action, present and future";
  if (k.actions.length === 0) return "No actions (the ones it opened were removed)";
  return k.actions.join(", ");
}

/** Active keys first (newest first), then expired, then revoked. */
export function sortKeys(keys: readonly GatewayKeyView[], now: number): GatewayKeyView[] {
  const rank: Record<KeyState, number> = { active: 0, expired: 1, revoked: 2 };
  return [...keys].sort(
    (a, b) =>
      rank[keyState(a, now)] - rank[keyState(b, now)] || b.createdAt.localeCompare(a.createdAt),
  );
}

// ---- The Create access key form ------------------------------------------------------

export type Expiry = "never" | "30d" | "90d" | "custom";

/** Limiting one MCP action to some of its tools. */
export type ToolLimit = {
  /** Picked from the server's list. */
  picked: string[];
  /** Typed, comma- or space-separated (when the server can't be reached, or by choice). */
  typed: string;
};

/** What a key or an OAuth client may use: some actions or all, some of their tools. */
export type ScopeDraft = {
  /** Every action, present and future (`*`). */
  all: boolean;
  /** The actions picked when not `all`. */
  actions: string[];
  /** Per action name: its tool limit (absent: every tool). */
  limits: Record<string, ToolLimit>;
};

/** The scope's fields, as errors name them (core names what is opened `auth`). */
export type ScopeField = "auth" | "tools";

export type KeyDraft = ScopeDraft & {
  name: string;
  expiry: Expiry;
  /** The custom lifetime, as `--expires` takes it. */
  custom: string;
};

/** The form's fields, as errors name them (`auth` is what the key opens, as core says). */
export type KeyField = "name" | ScopeField | "expires";

export const emptyDraft = (): KeyDraft => ({
  name: "",
  all: false,
  actions: [],
  limits: {},
  expiry: "never",
  custom: "",
});

/** The tools typed into a limit, one per comma or space. */
export function splitTools(typed: string): string[] {
  return typed
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

/** Every tool a limit names (picked and typed), each once. */
export function limitTools(limit: ToolLimit): string[] {
  return [...new Set([...limit.picked, ...splitTools(limit.typed)])];
}

/** The actions whose tool limits apply: the picked ones, or every MCP action for `*`. */
export function limitedActions(draft: ScopeDraft, actions: readonly ActionView[]): string[] {
  const names = draft.all
    ? actions.filter((a) => a.kind === "mcp").map((a) => a.name)
    : draft.actions;
  return names.filter((n) => draft.limits[n] !== undefined);
}

// humantime's units (what the CLI's --expires takes).
const UNIT =
  "(?:nsec|ns|usec|us|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|w|months|month|M|years|year|y)";
const DURATION_RE = new RegExp(`^(?:\\d+\\s*${UNIT}\\s*)+$`);

/** Why a typed lifetime isn't one `--expires` takes, or undefined. */
export function durationError(text: string): string | undefined {
  const t = text.trim();
  if (t === "") return "Enter how long the key works, e.g. 12h, 7d or 6 weeks.";
  if (!DURATION_RE.test(t)) return "Write a number and a unit: 30m, 12h, 7d, 6 weeks.";
  if (!/[1-9]/.test(t)) return "The key must work for more than nothing.";
  return undefined;
}

export function draftProblems(
  d: KeyDraft,
  actions: readonly ActionView[],
): Partial<Record<KeyField, string>> {
  const out: Partial<Record<KeyField, string>> = {};
  const name = nameError(d.name);
  if (name) out.name = name;
  Object.assign(
    out,
    scopeProblems(d, actions, "Pick the actions this key opens, or every action."),
  );
  if (d.expiry === "custom") {
    const e = durationError(d.custom);
    if (e) out.expires = e;
  }
  return out;
}

/** What is wrong with a scope: no action picked (`none` says so), a limit without tools. */
export function scopeProblems(
  d: ScopeDraft,
  actions: readonly ActionView[],
  none: string,
): Partial<Record<ScopeField, string>> {
  const out: Partial<Record<ScopeField, string>> = {};
  if (!d.all && d.actions.length === 0) out.auth = none;
  const empty = limitedActions(d, actions).filter((n) => {
    const limit = d.limits[n];
    return limit !== undefined && limitTools(limit).length === 0;
  });
  if (empty.length > 0) {
    out.tools = `Pick or type at least one tool of ${empty.join(", ")}, or let it open every tool.`;
  }
  const bad = limitedActions(d, actions).flatMap((n) =>
    limitTools(d.limits[n] ?? { picked: [], typed: "" }).filter((t) => t.includes(TOOL_SEPARATOR)),
  );
  if (bad.length > 0 && !out.tools) {
    out.tools = `Write a tool's own name, without its action: ${bad.join(", ")}.`;
  }
  return out;
}

/**
 * Where the backend's `field` shows on the Create access key form; any other field is about
 * the whole form. Core names what a key opens, its actions and their tools, `auth`.
 */
const FORM_FIELD_KEYS: Partial<Record<FormField, KeyField>> = {
  name: "name",
  auth: "auth",
  expires: "expires",
};

/** The field a backend rejection is about, or undefined for the whole form. */
export function keyFieldOfError(error: { field?: FormField | undefined }): KeyField | undefined {
  return error.field === undefined ? undefined : FORM_FIELD_KEYS[error.field];
}

/** The form as the backend takes it. */
export function toKeyForm(d: KeyDraft, actions: readonly ActionView[]): GatewayKeyForm {
  return {
    name: d.name.trim(),
    ...scopeForm(d, actions),
    expires: d.expiry === "never" ? null : d.expiry === "custom" ? d.custom.trim() : d.expiry,
  };
}

/** A scope as the backend takes it: `["*"]` or action names, and `ACTION__TOOL` names. */
export function scopeForm(
  d: ScopeDraft,
  actions: readonly ActionView[],
): { actions: string[]; tools: string[] } {
  const tools = limitedActions(d, actions).flatMap((n) =>
    limitTools(d.limits[n] ?? { picked: [], typed: "" }).map((t) => `${n}${TOOL_SEPARATOR}${t}`),
  );
  return { actions: d.all ? ["*"] : d.actions, tools };
}

// ---- The key, shown once ------------------------------------------------------------

/** Ready-to-paste ways to use a new key with the gateway at `url`. */
export function keySnippets(
  key: string,
  url: string,
): { id: string; title: string; text: string }[] {
  return [
    { id: "header", title: "HTTP header", text: `Authorization: Bearer ${key}` },
    {
      id: "claude-code",
      title: "Claude Code",
      text: `claude mcp add --transport http patchbay ${url} --header "Authorization: Bearer ${key}"`,
    },
    {
      id: "json",
      title: "VS Code or Cursor: an entry of mcp.json",
      text: JSON.stringify({
        patchbay: { type: "http", url, headers: { Authorization: `Bearer ${key}` } },
      }),
    },
  ];
}
