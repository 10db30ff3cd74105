import type { ActionView } from "../../bindings/ActionView";
import type { AuthRef } from "../../bindings/AuthRef";
import type { Health } from "../../bindings/Health";
import { relativeTime } from "../../lib/relativeTime";

const AUTH_NAMES: Record<AuthRef["type"], string> = {
  none: "None",
  oauth: "OAuth 2.1",
  token: "Token",
  "http-token": "HTTP token",
  connection: "Connection",
};

/** "None", "OAuth 2.1", "Token · NAME", "HTTP token · NAME", "Connection · NAME". */
export function authLabel(auth: AuthRef): string {
  const kind = AUTH_NAMES[auth.type];
  return auth.ref ? `${kind} · ${auth.ref}` : kind;
}

export const KIND_LABELS: Record<ActionView["kind"], string> = { mcp: "MCP", http: "HTTP" };

const HEALTH_NAMES: Record<Health["status"], string> = {
  healthy: "Healthy",
  unhealthy: "Unhealthy",
  unknown: "Unknown",
};

/** "needs_reconnect" → "needs reconnect". */
export function reasonLabel(reason: string): string {
  return reason.replace(/[_-]+/g, " ").trim();
}

/** Visible badge text, e.g. "Healthy" or "Unhealthy · auth". */
export function healthLabel(health: Health): string {
  const name = HEALTH_NAMES[health.status];
  return health.status === "unhealthy" && health.reason
    ? `${name} · ${reasonLabel(health.reason)}`
    : name;
}

/** Tooltip: the backend's message, what the check measured, and when it ran. */
export function healthTooltip(health: Health, now: number = Date.now()): string {
  const lines: string[] = [];
  if (health.message) lines.push(health.message);
  const details: string[] = [];
  if (health.toolCount !== null)
    details.push(`${health.toolCount} ${health.toolCount === 1 ? "tool" : "tools"}`);
  if (health.latencyMs !== null) details.push(`${Math.round(health.latencyMs)} ms`);
  if (details.length > 0) lines.push(details.join(" · "));
  const when = health.checkedAt ? relativeTime(health.checkedAt, now) : null;
  lines.push(when ? `Last checked ${when}` : "Not checked yet");
  return lines.join("\n");
}

/** Case-insensitive; every whitespace-separated term must match name, URL or description. */
export function filterActions(actions: readonly ActionView[], query: string): ActionView[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...actions];
  return actions.filter((action) => {
    const haystack = `${action.name}\n${action.url}\n${action.description}`.toLowerCase();
    return terms.every((term) => haystack.includes(term));
  });
}
