import type { ActionView } from "../../bindings/ActionView";
import type { DisconnectReport } from "../../bindings/DisconnectReport";
import type { GrantView } from "../../bindings/GrantView";
import type { Health } from "../../bindings/Health";
import { errorAdvice, errorTitle, type ToastInput } from "../../components/kit";
import { toIpcError } from "../../ipc";
import { reasonLabel } from "./format";

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

/** A failed call as a toast: what failed, the message, and what to do. */
export function errorToast(what: string, error: unknown): ToastInput {
  const e = toIpcError(error);
  const advice = errorAdvice(e.code);
  return {
    title: `${what}: ${errorTitle(e.code)}`,
    description: [e.message, advice].filter(Boolean).join(" "),
    tone: "error",
  };
}

/** What the provider was told when disconnecting. */
export function revocationText(report: DisconnectReport): string {
  const { outcome, message } = report.revocation;
  switch (outcome) {
    case "revoked":
      return message
        ? `The provider revoked its tokens. ${message}`
        : "The provider revoked its tokens.";
    case "unsupported":
      return "The provider can’t revoke tokens; they were deleted from this computer.";
    case "failed":
      return `Revoking at the provider failed${message ? ` (${message})` : ""}; the tokens were deleted from this computer.`;
    case "nothing":
      return report.wasConnected ? "There was nothing to revoke." : "It wasn’t connected.";
  }
}

export function disconnectToast(name: string, report: DisconnectReport): ToastInput {
  return {
    title: `Disconnected ${name}`,
    description: revocationText(report),
    tone: report.revocation.outcome === "failed" ? "error" : "success",
  };
}

/**
 * "Connect" for an action never signed in; "Reconnect" when it was connected
 * before, is connected now, or its grant stopped working.
 */
export function connectLabel(action: ActionView, grant: GrantView | undefined): string {
  const reconnect =
    action.health.reason === "needs_reconnect" ||
    (grant !== undefined &&
      (grant.connected || grant.needsReconnect || grant.connectedAt !== null));
  return reconnect ? "Reconnect" : "Connect";
}
