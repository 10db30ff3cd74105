/**
 * Sample diagnoses (the shape core's `doctor` returns), for the browser mock and the tests:
 * a healthy OAuth action and one whose refresh token was refused.
 */
import type { DoctorReport } from "../../../bindings/DoctorReport";
import type { DoctorStep } from "../../../bindings/DoctorStep";

const step = (s: Partial<DoctorStep> & Pick<DoctorStep, "step">): DoctorStep => ({
  ok: true,
  latencyMs: 12,
  detail: {},
  fix: null,
  ...s,
});

/** Every step of an MCP action signing in with OAuth, all passing. */
export function healthyReport(name: string): DoctorReport {
  const origin = "https://mcp.example.com";
  return {
    name,
    ok: true,
    steps: [
      step({
        step: "probe",
        latencyMs: 84,
        detail: {
          request: { method: "POST", url: `${origin}/mcp`, body: "initialize, no credentials" },
          response: {
            status: 401,
            headers: {
              "www-authenticate": `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:read"`,
            },
          },
          note: "401 with a Bearer challenge, as the MCP authorization spec says",
        },
      }),
      step({
        step: "resource-metadata",
        latencyMs: 41,
        detail: {
          used: `${origin}/.well-known/oauth-protected-resource/mcp`,
          resource: `${origin}/mcp`,
          authorizationServers: ["https://auth.example.com"],
        },
      }),
      step({
        step: "authorization-server-metadata",
        latencyMs: 63,
        detail: {
          used: "https://auth.example.com/.well-known/oauth-authorization-server",
          issuer: "https://auth.example.com",
          checks: { issuerMatches: true, pkceS256: true },
        },
      }),
      step({
        step: "client",
        latencyMs: 1,
        detail: { identity: "the grant's client", clientId: "pb-3f2a9c81" },
      }),
      step({
        step: "token",
        latencyMs: 3,
        detail: {
          kind: "oauth",
          accessToken: "[redacted, 744 chars]",
          expiresAt: "2026-12-05T04:31:54Z",
          scopes: ["mcp:read"],
          refreshPossible: true,
          refreshed: false,
        },
      }),
      step({
        step: "mcp-handshake",
        latencyMs: 152,
        detail: { protocolVersion: "2025-11-25" },
      }),
      step({
        step: "tools",
        latencyMs: 38,
        detail: { count: 4, names: ["search_issues", "create_issue", "get_issue", "whoami"] },
      }),
    ],
  };
}

/** The same action once its refresh token was refused: the trace stops at `token`. */
export function failingReport(name: string): DoctorReport {
  const steps = healthyReport(name).steps.slice(0, 4);
  steps.push(
    step({
      step: "token",
      ok: false,
      latencyMs: 210,
      detail: {
        kind: "oauth",
        expiresAt: "2026-12-05T03:00:00Z",
        refreshPossible: true,
        reconnectReason:
          "the authorization server refused its refresh token (invalid_grant: grant request is invalid)",
        error: { code: "needs_reconnect", message: `${name} needs reconnecting` },
      },
      fix: `the authorization server refused its refresh token (invalid_grant: grant request is invalid): it expired or was revoked; sign in again: run \`patchbay connect ${name}\``,
    }),
  );
  return { name, ok: false, steps };
}
