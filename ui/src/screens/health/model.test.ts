import { describe, expect, it } from "vitest";

import { makeAction, makeHealth } from "../../test/fixtures";
import {
  breakerText,
  checkedText,
  countsByAction,
  countsFor,
  healthSummary,
  latencyText,
  reasonText,
  runLimited,
  sortByHealth,
  testAllNames,
  testAllToast,
  toolCountText,
} from "./model";

const NOW = Date.parse("2026-11-24T10:00:00Z");

const healthy = makeHealth({ status: "healthy", checkedAt: "2026-11-24T09:55:00Z" });
const unhealthy = makeHealth({ status: "unhealthy", reason: "needs_reconnect" });

describe("sortByHealth", () => {
  it("puts unhealthy first, then unknown, then healthy, each by name in any case", () => {
    const list = [
      makeAction({ name: "zeta", health: healthy }),
      makeAction({ name: "Beta", health: makeHealth() }),
      makeAction({ name: "alpha", health: healthy }),
      makeAction({ name: "omega", health: unhealthy }),
      makeAction({ name: "gamma", health: unhealthy }),
      makeAction({ name: "able", health: makeHealth() }),
    ];
    expect(sortByHealth(list).map((a) => a.name)).toEqual([
      "gamma",
      "omega",
      "able",
      "Beta",
      "alpha",
      "zeta",
    ]);
    expect(list[0]?.name).toBe("zeta");
  });
});

describe("healthSummary and testAllNames", () => {
  const list = [
    makeAction({ name: "b", health: healthy }),
    makeAction({ name: "a", health: healthy, enabled: false }),
    makeAction({ name: "c", health: unhealthy }),
    makeAction({ name: "d" }),
  ];

  it("counts each status and the total", () => {
    expect(healthSummary(list)).toEqual({ healthy: 2, unhealthy: 1, unknown: 1, total: 4 });
    expect(healthSummary([])).toEqual({ healthy: 0, unhealthy: 0, unknown: 0, total: 0 });
  });

  it("tests the enabled actions in the table's order", () => {
    expect(testAllNames(list)).toEqual(["c", "d", "b"]);
  });
});

describe("breakerText", () => {
  it("names each state, with the retry time while open", () => {
    expect(breakerText({ state: "closed", failures: 0, retryAt: null }, NOW)).toBe("Closed");
    expect(breakerText({ state: "half_open", failures: 3, retryAt: null }, NOW)).toBe(
      "Half-open · next call probes",
    );
    expect(breakerText({ state: "open", failures: 3, retryAt: "2026-11-24T10:05:00Z" }, NOW)).toBe(
      "Open · retry in 5 minutes",
    );
    expect(breakerText({ state: "open", failures: 3, retryAt: "2026-11-24T09:59:00Z" }, NOW)).toBe(
      "Open · retry due",
    );
    expect(breakerText({ state: "open", failures: 3, retryAt: null }, NOW)).toBe("Open");
  });
});

describe("cell texts", () => {
  it("shows latency, tools, last check and reason, or placeholders before a check", () => {
    const h = makeHealth({
      status: "unhealthy",
      reason: "auth_rejected",
      message: "the server refused the token",
      latencyMs: 95.6,
      toolCount: 0,
      checkedAt: "2026-11-24T09:55:00Z",
    });
    expect(latencyText(h)).toBe("96 ms");
    expect(toolCountText(h)).toBe("0");
    expect(checkedText(h, NOW)).toBe("5 minutes ago");
    expect(reasonText(h)).toBe("the server refused the token");
    expect(reasonText({ ...h, message: null })).toBe("auth rejected");
    expect(reasonText(healthy)).toBe("—");
    const never = makeHealth();
    expect([latencyText(never), toolCountText(never), checkedText(never, NOW)]).toEqual([
      "—",
      "—",
      "Never",
    ]);
  });

  it("finds an action's confirmation counts in any case", () => {
    const map = countsByAction([
      { action: "Linear", approved: 3, denied: 1, expired: 2, pending: 0 },
    ]);
    expect(countsFor(map, "linear")?.approved).toBe(3);
    expect(countsFor(map, "github")).toBeUndefined();
  });
});

describe("runLimited", () => {
  it("runs every item, never more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await runLimited([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      seen.push(n);
      await new Promise((resolve) => setTimeout(resolve, 5 + (n % 3)));
      running -= 1;
      if (n === 5) throw new Error("reported by the worker");
    });
    expect(peak).toBe(4);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("starts nothing new once cancelled and lets the running ones finish", async () => {
    let stop = false;
    const finished: number[] = [];
    await runLimited(
      [1, 2, 3, 4, 5, 6],
      2,
      async (n) => {
        if (n === 2) stop = true;
        await Promise.resolve();
        finished.push(n);
      },
      () => stop,
    );
    expect(finished.sort()).toEqual([1, 2]);
  });
});

describe("testAllToast", () => {
  it("says all healthy, lists the others, or reports the cancel", () => {
    expect(
      testAllToast(
        [
          { name: "a", health: healthy },
          { name: "b", health: healthy },
        ],
        2,
        false,
      ),
    ).toEqual({ title: "Tested 2 actions: all healthy", tone: "success" });
    expect(
      testAllToast(
        [
          { name: "a", health: healthy },
          { name: "b", health: unhealthy },
          { name: "c", error: "not found" },
        ],
        3,
        false,
      ),
    ).toEqual({
      title: "Tested 3 actions: 1 healthy, 2 not",
      description: "b: unhealthy (needs reconnect)\nc: not found",
      tone: "error",
    });
    expect(testAllToast([{ name: "a", health: healthy }], 5, true)).toEqual({
      title: "Test all cancelled after 1 of 5",
      description: undefined,
      tone: "info",
    });
  });
});
