import { describe, expect, it } from "vitest";

import { makeHealth } from "../../test/fixtures";
import { healthLabel, testResultToast } from "./format";

describe("healthLabel", () => {
  it("adds a readable reason only for unhealthy", () => {
    expect(healthLabel(makeHealth({ status: "unhealthy", reason: "needs_reconnect" }))).toBe(
      "Unhealthy · needs reconnect",
    );
    expect(healthLabel(makeHealth({ status: "unhealthy" }))).toBe("Unhealthy");
    expect(healthLabel(makeHealth({ status: "healthy", reason: "auth" }))).toBe("Healthy");
  });
});

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
