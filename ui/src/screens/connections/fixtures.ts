/** Test data for the connection screens' tests (not used by the app). */
import type { ConnectionView } from "../../bindings/ConnectionView";

export function makeConnection(overrides: Partial<ConnectionView> = {}): ConnectionView {
  return {
    id: `c-${overrides.name ?? "hubspot-sales"}`,
    name: "hubspot-sales",
    provider: "HubSpot",
    clientId: "client-123",
    clientSecretSet: true,
    authorizationUrl: "https://app.hubspot.com/oauth/authorize",
    tokenUrl: "https://api.hubapi.com/oauth/v1/token",
    registrationUrl: null,
    revocationUrl: null,
    tokenAuthMethod: "client_secret_basic",
    publicClient: false,
    grant: "authorization-code",
    publicJwk: null,
    scopes: ["crm.objects.contacts.read", "oauth"],
    issuer: null,
    resource: null,
    usedBy: [],
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}
