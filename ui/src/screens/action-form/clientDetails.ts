/** When a failed Connect should point the user at Advanced configuration. */
import type { ErrorCode } from "../../bindings/ErrorCode";
import type { OAuthState } from "./model";

/** Connect failures that usually mean the server needs its OAuth client details. */
export const NEEDS_CLIENT_DETAILS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "needs_client_id",
  "registration_refused",
  "discovery_failed",
  "pkce_unsupported",
  "redirect_uri_mismatch",
  "token_error",
]);

/** True when no Advanced configuration text field is filled in (and no secret is stored). */
export function advancedEmpty(o: OAuthState, secretStored = false): boolean {
  return (
    [
      o.clientId,
      o.clientSecret,
      o.authorizationUrl,
      o.tokenUrl,
      o.registrationUrl,
      o.scopes,
      o.resourceOverride,
      o.clientMetadataUrl,
    ].every((v) => v.trim() === "") &&
    o.tokenAuthMethod === "" &&
    o.grant === "authorization-code" &&
    !(secretStored && !o.clearClientSecret)
  );
}

export const CLIENT_DETAILS_MESSAGE =
  "This server needs its OAuth client details: fill in Advanced configuration, then Connect again.";

export function needsClientDetails(code: ErrorCode, o: OAuthState, secretStored = false): boolean {
  return NEEDS_CLIENT_DETAILS.has(code) && advancedEmpty(o, secretStored);
}
