import { describe, expect, it } from "vitest";

import { makeAction } from "../../test/fixtures";
import { commandLine, selectedNames, whyNotExportable } from "./model";

const actions = [
  makeAction({ name: "a", kind: "mcp", enabled: true }),
  makeAction({ name: "b", kind: "mcp", enabled: true }),
  makeAction({ name: "h", kind: "http", enabled: true }),
  makeAction({ name: "off", kind: "mcp", enabled: false }),
];

describe("selectedNames", () => {
  it("takes every enabled MCP action by default, in list order", () => {
    expect(selectedNames(actions, {}, null)).toEqual(["a", "b"]);
  });

  it("takes only the pre-selected action, then what the user checks", () => {
    expect(selectedNames(actions, {}, "b")).toEqual(["b"]);
    expect(selectedNames(actions, { a: true }, "b")).toEqual(["a", "b"]);
    expect(selectedNames(actions, { b: false }, "b")).toEqual([]);
  });

  it("never takes an HTTP or disabled action, even when checked", () => {
    expect(selectedNames(actions, { h: true, off: true }, null)).toEqual(["a", "b"]);
    expect(selectedNames(actions, {}, "off")).toEqual([]);
  });
});

describe("whyNotExportable", () => {
  it("explains HTTP and disabled actions", () => {
    expect(whyNotExportable(actions[0]!)).toBeNull();
    expect(whyNotExportable(actions[2]!)).toMatch(/no MCP server/);
    expect(whyNotExportable(actions[3]!)).toMatch(/^Disabled/);
  });
});

it("commandLine joins the command and its arguments", () => {
  expect(commandLine({ name: "a", command: "/usr/bin/patchbay", args: ["proxy", "a"] })).toBe(
    "/usr/bin/patchbay proxy a",
  );
});
