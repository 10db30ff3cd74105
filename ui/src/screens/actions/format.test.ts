import { describe, expect, it } from "vitest";

import { makeAction } from "../../test/fixtures";
import { filterActions } from "./format";

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
