import { describe, expect, it } from "vitest";

import { makeAction, makeHealth } from "../../test/fixtures";
import { relativeTime } from "../../lib/relativeTime";
import { filterActions, healthLabel } from "./format";

describe("relativeTime", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  it.each([
    ["2025-06-01T11:59:30Z", "just now"],
    ["2025-06-01T12:00:30Z", "just now"],
    ["2025-06-01T11:59:00Z", "1 minute ago"],
    ["2025-06-01T11:45:00Z", "15 minutes ago"],
    ["2025-06-01T09:00:00Z", "3 hours ago"],
    ["2025-05-31T10:00:00Z", "yesterday"],
    ["2025-05-20T12:00:00Z", "2 weeks ago"],
    ["2024-06-01T12:00:00Z", "last year"],
    ["not a date", null],
  ])("%s → %s", (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });
});

describe("healthLabel", () => {
  it("adds a readable reason only for unhealthy", () => {
    expect(healthLabel(makeHealth({ status: "unhealthy", reason: "needs_reconnect" }))).toBe(
      "Unhealthy · needs reconnect",
    );
    expect(healthLabel(makeHealth({ status: "unhealthy" }))).toBe("Unhealthy");
    expect(healthLabel(makeHealth({ status: "healthy", reason: "auth" }))).toBe("Healthy");
  });
});

describe("filterActions", () => {
  const actions = [
    makeAction({ name: "linear", url: "https://mcp.linear.app/mcp", description: "Issue tracker" }),
    makeAction({ name: "github", url: "https://api.github.com", description: "Issues and code" }),
  ];
  it("requires every term to match somewhere, case-insensitively", () => {
    expect(filterActions(actions, "  ").map((a) => a.name)).toEqual(["linear", "github"]);
    expect(filterActions(actions, "ISSUE").map((a) => a.name)).toEqual(["linear", "github"]);
    expect(filterActions(actions, "issue github.com").map((a) => a.name)).toEqual(["github"]);
    expect(filterActions(actions, "issue gitlab")).toEqual([]);
  });
});
