/** The OAuth grants an action's or a connection's client can use, as the forms offer them. */
import type { OAuthGrant } from "../bindings/OAuthGrant";

export const GRANT_OPTIONS: { value: OAuthGrant; label: string }[] = [
  { value: "authorization-code", label: "Authorization code (a user signs in in the browser)" },
  { value: "client-credentials", label: "Client credentials (the client itself, no user)" },
];

/** An MCP action's own client can also present a JWT (RFC 7523): its workload's identity
 * token, or an ID-JAG from the enterprise identity provider. */
export const ACTION_GRANT_OPTIONS: { value: OAuthGrant; label: string }[] = [
  ...GRANT_OPTIONS,
  { value: "jwt-bearer", label: "Workload identity (a token file, no user)" },
  { value: "enterprise-managed", label: "Enterprise-managed (your identity provider’s sign-in)" },
];

/** What a client credentials client needs, for the hint under the grant. */
export const CLIENT_CREDENTIALS_HINT =
  "Connect fetches a token with the client’s own credentials: no browser. Needs the client ID and a secret or a signing key.";

/** Client credentials with a public client: the forms' message (the backend's rule). */
export const PUBLIC_CLIENT_CREDENTIALS =
  "Client credentials need a confidential client: a client secret or a signing key (private_key_jwt).";

/** The hint under the grant, per grant. */
export const GRANT_HINTS: Record<OAuthGrant, string | undefined> = {
  "authorization-code": undefined,
  "client-credentials": CLIENT_CREDENTIALS_HINT,
  "jwt-bearer":
    "Connect presents the workload’s identity token (RFC 7523): no browser, no user. The client ID is optional.",
  "enterprise-managed":
    "Connect exchanges your identity provider’s sign-in for this server’s token: no browser here. Needs the client ID the server’s authorization server issued.",
};
