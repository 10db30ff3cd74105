/** The OAuth grants an action's or a connection's client can use, as the forms offer them. */
import type { OAuthGrant } from "../bindings/OAuthGrant";

export const GRANT_OPTIONS: { value: OAuthGrant; label: string }[] = [
  { value: "authorization-code", label: "Authorization code (a user signs in in the browser)" },
  { value: "client-credentials", label: "Client credentials (the client itself, no user)" },
];

/** What a client credentials client needs, for the hint under the grant. */
export const CLIENT_CREDENTIALS_HINT =
  "Connect fetches a token with the client’s own credentials: no browser. Needs the client ID and a secret or a signing key.";

/** Client credentials with a public client: the forms' message (the backend's rule). */
export const PUBLIC_CLIENT_CREDENTIALS =
  "Client credentials need a confidential client: a client secret or a signing key (private_key_jwt).";
