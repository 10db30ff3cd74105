import { describe, expect, it } from "vitest";

import { makeAction } from "../../test/fixtures";
import { makeGatewayView, makeKey, PORT_BUSY, runningHere } from "./fixtures";
import {
  day,
  draftProblems,
  durationError,
  emptyDraft,
  gatewayState,
  keyFieldOfError,
  keySnippets,
  keyState,
  opensText,
  servedActions,
  sortKeys,
  toKeyForm,
} from "./model";

const NOW = Date.parse("2026-12-01T12:00:00Z");

describe("gateway model", () => {
  it("reads the state: here, another process, failed, starting, off", () => {
    expect(gatewayState(runningHere())).toEqual({
      kind: "here",
      url: "http://127.0.0.1:47616/mcp",
    });
    const elsewhere = makeGatewayView({
      status: { ...runningHere().status, pid: 7 },
      error: PORT_BUSY,
    });
    expect(gatewayState(elsewhere)).toMatchObject({ kind: "elsewhere", pid: 7, error: null });
    expect(gatewayState({ ...elsewhere, enabled: true })).toMatchObject({ error: PORT_BUSY });
    expect(gatewayState(makeGatewayView({ enabled: true, error: PORT_BUSY }))).toEqual({
      kind: "failed",
      error: PORT_BUSY,
    });
    expect(gatewayState(makeGatewayView({ enabled: true })).kind).toBe("starting");
    expect(gatewayState(makeGatewayView({ error: PORT_BUSY })).kind).toBe("off");
  });

  it("serves enabled actions only, by name", () => {
    const list = [
      makeAction({ name: "zeta" }),
      makeAction({ name: "Alpha" }),
      makeAction({ name: "off", enabled: false }),
    ];
    expect(servedActions(list).map((a) => a.name)).toEqual(["Alpha", "zeta"]);
  });

  it("reads a key's state and what it opens, and sorts working keys first", () => {
    const active = makeKey({ name: "a", createdAt: "2026-11-01T00:00:00Z" });
    const newer = makeKey({ name: "b", createdAt: "2026-11-20T00:00:00Z" });
    const expired = makeKey({ name: "c", expiresAt: "2026-12-01T11:59:00Z" });
    const revoked = makeKey({ name: "d", revokedAt: "2026-11-30T00:00:00Z" });
    expect(keyState(active, NOW)).toBe("active");
    expect(keyState(expired, NOW)).toBe("expired");
    expect(keyState(revoked, NOW)).toBe("revoked");
    expect(sortKeys([revoked, expired, active, newer], NOW).map((k) => k.name)).toEqual([
      "b",
      "a",
      "c",
      "d",
    ]);
    expect(opensText({ actions: ["*"] })).toBe("Every action, present and future");
    expect(opensText({ actions: [] })).toMatch(/were removed/);
    expect(opensText({ actions: ["x", "y"] })).toBe("x, y");
  });

  it("writes a day in words", () => {
    expect(day("2027-01-03T12:00:00Z")).toBe("Jan 3, 2027");
    expect(day("soon")).toBe("soon");
  });

  it("checks a lifetime as --expires takes it", () => {
    for (const ok of ["30d", "12h", "6 weeks", "1h 30m", "90days", "2M"]) {
      expect(durationError(ok), ok).toBeUndefined();
    }
    expect(durationError("")).toMatch(/Enter how long/);
    expect(durationError("soon")).toMatch(/number and a unit/);
    expect(durationError("30")).toMatch(/number and a unit/);
    expect(durationError("0d")).toMatch(/more than nothing/);
  });

  it("builds the form from the draft, tools as ACTION__TOOL, and checks it", () => {
    const actions = [makeAction({ name: "linear" }), makeAction({ name: "api", kind: "http" })];
    const d = {
      ...emptyDraft(),
      name: " codex ",
      actions: ["linear", "api"],
      limits: { linear: { picked: ["search"], typed: "create, search" } },
      expiry: "90d" as const,
    };
    expect(draftProblems(d, actions)).toEqual({});
    expect(toKeyForm(d, actions)).toEqual({
      name: "codex",
      actions: ["linear", "api"],
      tools: ["linear__search", "linear__create"],
      expires: "90d",
    });
    expect(toKeyForm({ ...d, all: true, expiry: "never" }, actions)).toMatchObject({
      actions: ["*"],
      expires: null,
    });
    // A limit on an action the key no longer opens is not sent.
    expect(toKeyForm({ ...d, actions: ["api"] }, actions).tools).toEqual([]);
    expect(
      draftProblems({ ...d, limits: { linear: { picked: [], typed: "linear__x" } } }, actions),
    ).toEqual({ tools: "Write a tool's own name, without its action: linear__x." });
    expect(draftProblems({ ...emptyDraft(), expiry: "custom" }, actions)).toMatchObject({
      name: "Enter a name.",
      auth: expect.stringMatching(/Pick the actions/) as unknown,
      expires: expect.stringMatching(/Enter how long/) as unknown,
    });
  });

  it("places the backend's fields on the form's controls", () => {
    expect(keyFieldOfError({ field: "name" })).toBe("name");
    expect(keyFieldOfError({ field: "auth" })).toBe("auth");
    expect(keyFieldOfError({ field: "expires" })).toBe("expires");
    expect(keyFieldOfError({ field: "url" })).toBeUndefined();
    expect(keyFieldOfError({})).toBeUndefined();
  });

  it("writes ready-to-paste snippets with the key", () => {
    const s = keySnippets("pbk_x", "http://127.0.0.1:1/mcp");
    expect(s.map((x) => x.id)).toEqual(["header", "claude-code", "json"]);
    expect(JSON.parse(s[2]?.text ?? "")).toEqual({
      patchbay: {
        type: "http",
        url: "http://127.0.0.1:1/mcp",
        headers: { Authorization: "Bearer pbk_x" },
      },
    });
  });
});
