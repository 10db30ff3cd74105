/** A health check in words: the badge text, its tooltip, and the toast after a test. */
import type { Health } from "../../bindings/Health";
import { relativeTime } from "../../lib/relativeTime";
import type { ToastInput } from "../kit";

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

/** "linear is healthy (12 tools, 96 ms)" or "linear is unhealthy: auth" + the message. */
export function testResultToast(name: string, health: Health): ToastInput {
  if (health.status === "healthy") {
    const parts: string[] = [];
    if (health.toolCount !== null) {
      parts.push(`${health.toolCount} ${health.toolCount === 1 ? "tool" : "tools"}`);
    }
    if (health.latencyMs !== null) parts.push(`${Math.round(health.latencyMs)} ms`);
    const details = parts.length > 0 ? ` (${parts.join(", ")})` : "";
    return { title: `${name} is healthy${details}`, tone: "success" };
  }
  const reason = health.reason ? `: ${reasonLabel(health.reason)}` : "";
  return {
    title: `${name} is ${health.status}${reason}`,
    description: health.message ?? undefined,
    tone: health.status === "unhealthy" ? "error" : "info",
  };
}
