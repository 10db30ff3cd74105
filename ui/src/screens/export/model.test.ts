import { describe, expect, it } from "vitest";

import { makeAction } from "../../test/fixtures";
import { effectiveVia, entryTarget, selectedNames, whyNotExportable } from "./model";

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

describe("through the gateway", () => {
  it("takes HTTP actions too, never a disabled one", () => {
    expect(selectedNames(actions, {}, null, "gateway")).toEqual(["a", "b", "h"]);
    expect(whyNotExportable(actions[2]!, "gateway")).toBeNull();
    expect(whyNotExportable(actions[3]!, "gateway")).toMatch(/^Disabled/);
  });

  it("applies to the clients that read URL entries only", () => {
    for (const c of ["claude-code", "cursor", "vscode", "windsurf", "codex"] as const) {
      expect(effectiveVia(c, "gateway")).toBe("gateway");
      expect(effectiveVia(c, "proxy")).toBe("proxy");
    }
    expect(effectiveVia("claude-desktop", "gateway")).toBe("proxy");
    expect(effectiveVia("generic", "gateway")).toBe("proxy");
  });
});

it("entryTarget is the command line, or the URL", () => {
  const proxy = {
    name: "a",
    command: "/usr/bin/patchbay",
    args: ["proxy", "a"],
    url: null,
    keyEnv: null,
  };
  expect(entryTarget(proxy)).toBe("/usr/bin/patchbay proxy a");
  const url = "http://127.0.0.1:47616/a/a/mcp";
  expect(entryTarget({ ...proxy, command: null, args: null, url })).toBe(url);
});
