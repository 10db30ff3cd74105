/** Test data for the token screens' tests (not used by the app). */
import type { TokenTestReport } from "../../bindings/TokenTestReport";
import type { TokenView } from "../../bindings/TokenView";

export function makeTextToken(overrides: Partial<TokenView> = {}): TokenView {
  return {
    id: `t-${overrides.name ?? "GITHUB_PAT"}`,
    name: "GITHUB_PAT",
    kind: "text",
    description: "Fine-grained PAT",
    prefix: "Bearer",
    headerName: "Authorization",
    valueSet: true,
    request: null,
    usedBy: [],
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

export function makeHttpToken(overrides: Partial<TokenView> = {}): TokenView {
  return makeTextToken({
    id: `t-${overrides.name ?? "METEO_KEY"}`,
    name: "METEO_KEY",
    kind: "http-request",
    description: "",
    request: {
      method: "POST",
      url: "https://auth.example.com/token",
      headers: [
        { name: "X-Api-Key", value: null, secret: true },
        { name: "Accept", value: "application/json", secret: false },
      ],
      body: [{ key: "grant_type", value: "client_credentials", secret: false }],
      form: true,
      tokenPath: "$.access_token",
    },
    ...overrides,
  });
}

export function passingReport(overrides: Partial<TokenTestReport> = {}): TokenTestReport {
  return {
    ok: true,
    status: 200,
    latencyMs: 143,
    found: { path: "$.access_token", preview: "eyJh", length: 812 },
    shape: null,
    message: null,
    ...overrides,
  };
}

export function failingReport(overrides: Partial<TokenTestReport> = {}): TokenTestReport {
  return {
    ok: false,
    status: 200,
    latencyMs: 88,
    found: null,
    shape: { data: "object", expires_in: "number" },
    message: "no value at $.access_token",
    ...overrides,
  };
}
