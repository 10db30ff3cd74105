import { describe, expect, it } from "vitest";

import { headerNameError, nameError, scopesError, splitScopes, urlError } from "./validate";

describe("nameError", () => {
  it("requires 1–64 letters, digits, '-', '_', '.' starting with a letter or digit", () => {
    expect(nameError("")).toBe("Enter a name.");
    expect(nameError("   ")).toBe("Enter a name.");
    expect(nameError("linear")).toBeUndefined();
    expect(nameError("my.server_2-b")).toBeUndefined();
    expect(nameError("a".repeat(64))).toBeUndefined();
    expect(nameError("a".repeat(65))).toMatch(/64/);
    expect(nameError("has space")).toMatch(/letters, digits/);
    expect(nameError("-leading")).toMatch(/starting with a letter or digit/);
    expect(nameError("ünïcode")).toBeDefined();
  });
});

describe("urlError", () => {
  it("accepts https anywhere and http only on loopback", () => {
    expect(urlError("https://example.com/mcp", true)).toBeUndefined();
    expect(urlError("http://127.0.0.1:8080/mcp", true)).toBeUndefined();
    expect(urlError("http://localhost/mcp", true)).toBeUndefined();
    expect(urlError("http://[::1]:3000/", true)).toBeUndefined();
    expect(urlError("http://example.com/mcp", true)).toMatch(/Use https/);
  });

  it("refuses empty (when required), garbage, other schemes and credentials", () => {
    expect(urlError("", true, "the MCP server URL")).toBe("Enter the MCP server URL.");
    expect(urlError("", false, "the token URL")).toBeUndefined();
    expect(urlError("example.com/mcp", true)).toMatch(/full URL/);
    expect(urlError("ftp://example.com", true)).toMatch(/https/);
    expect(urlError("https://u:p@example.com/", true)).toMatch(/user name or password/);
  });

  it("allows https anywhere and http only on loopback, for any endpoint", () => {
    expect(urlError("https://example.com/token", true)).toBeUndefined();
    expect(urlError("http://127.0.0.1:8080/token", true)).toBeUndefined();
    expect(urlError("http://localhost/token", true)).toBeUndefined();
    expect(urlError("http://[::1]:9/token", true)).toBeUndefined();
    expect(urlError("http://example.com/token", true)).toMatch(/https/);
    expect(urlError("ftp://example.com", true)).toMatch(/https/);
    expect(urlError("example.com/token", true)).toMatch(/full URL/);
    expect(urlError("https://u:p@example.com/", true)).toMatch(/password/);
    expect(urlError("", true)).toMatch(/Enter a URL/);
    expect(urlError("  ", false)).toBeUndefined();
  });
});

describe("scopes", () => {
  it("splits on spaces and commas and refuses what OAuth forbids", () => {
    expect(splitScopes("read, write  offline")).toEqual(["read", "write", "offline"]);
    expect(scopesError("read, write offline")).toBeUndefined();
    expect(scopesError('read "write"')).toMatch(/"write"/);
    expect(scopesError("lesen-ü")).toMatch(/lesen-ü/);
  });
});

describe("headerNameError", () => {
  it("takes RFC 9110 token characters, and an empty name only when not required", () => {
    expect(headerNameError("X-Api-Key", true)).toBeUndefined();
    expect(headerNameError("", false)).toBeUndefined();
    expect(headerNameError(" ", true)).toMatch(/header's name/);
    expect(headerNameError("X Api", false)).toMatch(/without spaces or colons/);
    expect(headerNameError("X-Api:", true)).toMatch(/without spaces or colons/);
  });
});
