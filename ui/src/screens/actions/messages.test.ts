import { describe, expect, it } from "vitest";

import type { DisconnectReport } from "../../bindings/DisconnectReport";
import type { GrantView } from "../../bindings/GrantView";
import { IpcError } from "../../ipc";
import { makeAction, makeHealth } from "../../test/fixtures";
import { connectLabel, errorToast, revocationText, testResultToast } from "./messages";

const GRANT: GrantView = {
  connected: false,
  account: null,
  scopes: [],
  expiresAt: null,
  issuer: null,
  clientId: null,
  resource: null,
  hasRefreshToken: false,
  connectedAt: null,
  needsReconnect: false,
  reconnectReason: null,
  refreshedAt: null,
};

function report(outcome: DisconnectReport["revocation"]["outcome"], message: string | null = null) {
  return {
    ...GRANT,
    wasConnected: outcome !== "nothing",
    revocation: { outcome, revoked: outcome === "revoked" ? ["refresh_token"] : [], message },
  } satisfies DisconnectReport;
}

describe("testResultToast", () => {
  it("counts tools and time when healthy", () => {
    expect(
      testResultToast("a", makeHealth({ status: "healthy", toolCount: 1, latencyMs: 9.6 })),
    ).toEqual({ title: "a is healthy (1 tool, 10 ms)", tone: "success" });
    expect(testResultToast("h", makeHealth({ status: "healthy", latencyMs: 40 })).title).toBe(
      "h is healthy (40 ms)",
    );
    expect(testResultToast("x", makeHealth({ status: "healthy" })).title).toBe("x is healthy");
  });

  it("gives the reason and message when unhealthy", () => {
    expect(
      testResultToast(
        "g",
        makeHealth({ status: "unhealthy", reason: "needs_reconnect", message: "m" }),
      ),
    ).toEqual({ title: "g is unhealthy: needs reconnect", description: "m", tone: "error" });
  });
});

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
    expect(connectLabel(oauth, GRANT)).toBe("Connect");
    expect(connectLabel(oauth, { ...GRANT, connected: true })).toBe("Reconnect");
    expect(connectLabel(oauth, { ...GRANT, connectedAt: "2026-01-01T00:00:00Z" })).toBe(
      "Reconnect",
    );
    expect(connectLabel(oauth, { ...GRANT, needsReconnect: true })).toBe("Reconnect");
    const stale = {
      ...oauth,
      health: makeHealth({ status: "unhealthy", reason: "needs_reconnect" }),
    };
    expect(connectLabel(stale, undefined)).toBe("Reconnect");
  });
});

describe("errorToast", () => {
  it("puts the title per code, the message and the advice together", () => {
    const t = errorToast("Couldn’t connect a", new IpcError("port_busy", "port 47615 in use"));
    expect(t.tone).toBe("error");
    expect(t.title).toBe("Couldn’t connect a: The sign-in port is busy");
    expect(t.description).toMatch(/^port 47615 in use Close the other program/);
  });
});
