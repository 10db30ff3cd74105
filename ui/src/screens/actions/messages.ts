import type { ActionView } from "../../bindings/ActionView";
import type { DisconnectReport } from "../../bindings/DisconnectReport";
import type { GrantView } from "../../bindings/GrantView";
import type { ToastInput } from "../../components/kit";

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
