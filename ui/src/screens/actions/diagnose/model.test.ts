import { describe, expect, it } from "vitest";

import type { DoctorStep } from "../../../bindings/DoctorStep";
import { failingReport, healthyReport } from "./fixtures";
import { failedStep, headline, reportText, stepGist, totalMs } from "./model";

const step = (s: Partial<DoctorStep> & Pick<DoctorStep, "step">): DoctorStep => ({
  ok: true,
  latencyMs: 1,
  detail: {},
  fix: null,
  ...s,
});

describe("diagnose model", () => {
  it("says what each step saw in one line", () => {
    const r = healthyReport("a");
    expect(r.steps.map(stepGist)).toEqual([
      "HTTP 401: 401 with a Bearer challenge, as the MCP authorization spec says",
      "https://mcp.example.com/.well-known/oauth-protected-resource/mcp",
      "https://auth.example.com/.well-known/oauth-authorization-server (issuer https://auth.example.com)",
      "the grant's client (pb-3f2a9c81)",
      "oauth, expires 2026-12-05T04:31:54Z, refresh possible",
      "Protocol 2025-11-25",
      "4 tools",
    ]);
    expect(stepGist(step({ step: "tools", detail: { count: 1 } }))).toBe("1 tool");
    expect(stepGist(step({ step: "http-request", detail: { response: { status: 204 } } }))).toBe(
      "HTTP 204",
    );
    expect(stepGist(step({ step: "resource-metadata", detail: {} }))).toBe("No document found");
    expect(
      stepGist(step({ step: "probe", detail: { error: { message: "cannot reach x" } } })),
      "an error's message first",
    ).toBe("cannot reach x");
    expect(stepGist(step({ step: "mcp-handshake", detail: { protocolVersion: 3 } }))).toBe("");
  });

  it("gives the verdict and the failing step", () => {
    expect(headline(healthyReport("a"))).toBe("All 7 steps passed in 382 ms");
    expect(totalMs(healthyReport("a"))).toBe(382);
    const failing = failingReport("a");
    expect(headline(failing)).toBe("Failed at token");
    expect(failedStep(failing)?.step).toBe("token");
    expect(failedStep(healthyReport("a"))).toBeUndefined();
    expect(headline({ name: "a", ok: true, steps: [step({ step: "probe" })] })).toBe(
      "All 1 step passed in 1 ms",
    );
  });

  it("writes a report to paste: every step, its fix, its details, nothing else", () => {
    const text = reportText(failingReport("linear"));
    const lines = text.split("\n");
    expect(lines[0]).toBe("Patchbay diagnosis of linear: failed at token");
    expect(lines).toContain("5. token: FAILED (210 ms)");
    expect(lines).toContain(
      "   fix: the authorization server refused its refresh token (invalid_grant: grant request is invalid): it expired or was revoked; sign in again: run `patchbay connect linear`",
    );
    expect(lines).toContain('       "code": "needs_reconnect",');
    expect(lines.at(-1)).toBe("Same report from the CLI: patchbay --json doctor linear");
    expect(reportText(healthyReport("x")).split("\n")[0]).toBe("Patchbay diagnosis of x: ok");
  });
});
