import { describe, expect, it } from "vitest";

import type { DisconnectReport } from "../../bindings/DisconnectReport";
import { makeAction, makeGrant, makeHealth } from "../../test/fixtures";
import { connectLabel, revocationText } from "./messages";

function report(outcome: DisconnectReport["revocation"]["outcome"], message: string | null = null) {
  return {
    ...makeGrant(),
    wasConnected: outcome !== "nothing",
    revocation: { outcome, revoked: outcome === "revoked" ? ["refresh_token"] : [], message },
  } satisfies DisconnectReport;
}

describe("revocationText", () => {
  it("says what the provider was told", () => {
    expect(revocationText(report("revoked"))).toBe("The provider revoked its tokens.");
    expect(revocationText(report("unsupported"))).toMatch(/can’t revoke/);
    expect(revocationText(report("failed", "HTTP 500"))).toMatch(/failed \(HTTP 500\)/);
    expect(revocationText(report("nothing"))).toBe("It wasn’t connected.");
  });
});

describe("connectLabel", () => {
  const oauth = makeAction({ auth: { type: "oauth", ref: null } });
  it("Connect before the first sign-in, Reconnect after or when needed", () => {
    expect(connectLabel(oauth, undefined)).toBe("Connect");
    expect(connectLabel(oauth, makeGrant())).toBe("Connect");
    expect(connectLabel(oauth, makeGrant({ connected: true }))).toBe("Reconnect");
    expect(connectLabel(oauth, makeGrant({ connectedAt: "2026-01-01T00:00:00Z" }))).toBe(
      "Reconnect",
    );
    expect(connectLabel(oauth, makeGrant({ needsReconnect: true }))).toBe("Reconnect");
    const stale = {
      ...oauth,
      health: makeHealth({ status: "unhealthy", reason: "needs_reconnect" }),
    };
    expect(connectLabel(stale, undefined)).toBe("Reconnect");
  });
});
