import { describe, expect, it } from "vitest";

import type { ErrorCode } from "../../bindings/ErrorCode";
import { IpcError } from "../../ipc";
import { errorAdvice, errorTitle, errorToast } from "./errors";

const ALL: ErrorCode[] = [
  "invalid_input",
  "not_found",
  "conflict",
  "in_use",
  "vault_locked",
  "vault_unavailable",
  "database",
  "io",
  "internal",
  "discovery_failed",
  "resource_mismatch",
  "issuer_mismatch",
  "pkce_unsupported",
  "needs_client_id",
  "registration_refused",
  "redirect_uri_mismatch",
  "access_denied",
  "authorization_failed",
  "consent_timeout",
  "state_mismatch",
  "token_error",
  "unreachable",
  "tls",
  "port_busy",
  "not_connected",
  "needs_reconnect",
  "auth_rejected",
  "insufficient_scope",
  "unsupported_transport",
  "protocol",
  "timeout",
  "server_error",
  "token_request_failed",
  "circuit_open",
  "cancelled",
];

describe("errorTitle", () => {
  it("has a non-empty title for every code", () => {
    for (const code of ALL) expect(errorTitle(code).length, code).toBeGreaterThan(3);
  });

  it("names the problem", () => {
    expect(errorTitle("vault_locked")).toMatch(/keyring is locked/i);
    expect(errorTitle("conflict")).toMatch(/name is taken/i);
    expect(errorTitle("port_busy")).toMatch(/port/i);
  });

  it("falls back to the internal title for an unknown code", () => {
    expect(errorTitle("nope" as ErrorCode)).toBe(errorTitle("internal"));
  });
});

describe("errorAdvice", () => {
  it.each<[ErrorCode, RegExp]>([
    ["vault_locked", /unlock .*keyring/i],
    ["needs_client_id", /Advanced configuration/],
    ["registration_refused", /Advanced configuration/],
    ["access_denied", /try again and allow access/i],
    ["consent_timeout", /try again and finish .*browser/i],
    ["port_busy", /close the other program/i],
    ["unreachable", /check the URL and your network/i],
    ["tls", /check the URL and your network/i],
    ["timeout", /check the URL and your network/i],
    ["conflict", /pick another name/i],
    ["in_use", /point those actions elsewhere first/i],
    ["token_request_failed", /check the request/i],
  ])("%s → %s", (code, advice) => {
    expect(errorAdvice(code)).toMatch(advice);
  });

  it("has nothing to suggest for a cancel, something for every other code", () => {
    expect(errorAdvice("cancelled")).toBeNull();
    for (const code of ALL.filter((c) => c !== "cancelled")) {
      expect(errorAdvice(code), code).toBeTruthy();
    }
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
