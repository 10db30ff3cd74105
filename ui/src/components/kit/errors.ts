import type { ErrorCode } from "../../bindings/ErrorCode";
import { toIpcError } from "../../ipc";
import type { ToastInput } from "./toastStore";

// Records (not switch statements) so the compiler flags any ErrorCode added in Rust.
const TITLES: Record<ErrorCode, string> = {
  invalid_input: "Some values aren’t valid",
  not_found: "Not found",
  conflict: "That name is taken",
  in_use: "Still in use",
  vault_locked: "The keyring is locked",
  vault_unavailable: "No keyring available",
  database: "Couldn’t read or write the database",
  io: "Couldn’t read or write a file",
  internal: "Something went wrong",
  discovery_failed: "Couldn’t find the server’s sign-in settings",
  resource_mismatch: "The server named a different resource",
  issuer_mismatch: "The sign-in server didn’t match",
  pkce_unsupported: "The server doesn’t support secure sign-in (PKCE)",
  needs_client_id: "This server needs a client ID",
  registration_refused: "The server refused to register Patchbay",
  redirect_uri_mismatch: "The redirect URL isn’t registered",
  access_denied: "Access was denied",
  authorization_failed: "Sign-in failed",
  consent_timeout: "Sign-in timed out",
  state_mismatch: "The sign-in response didn’t match",
  token_error: "Couldn’t get a token",
  unreachable: "Couldn’t reach the server",
  tls: "Secure connection failed",
  port_busy: "The sign-in port is busy",
  not_connected: "Not connected",
  needs_reconnect: "Needs to reconnect",
  auth_rejected: "The server rejected the credentials",
  insufficient_scope: "Missing permissions",
  unsupported_transport: "Unsupported server type",
  protocol: "The server answered unexpectedly",
  timeout: "The server took too long",
  server_error: "The server had an error",
  token_request_failed: "The token request failed",
  circuit_open: "Paused after repeated failures",
  cancelled: "Cancelled",
};

const ADVICE: Record<ErrorCode, string | null> = {
  invalid_input: "Correct the highlighted values and try again.",
  not_found: "It may have been removed elsewhere. Refresh the list.",
  conflict: "Pick another name.",
  in_use: "Point those actions elsewhere first, then try again.",
  vault_locked: "Unlock your system keyring (for example, log in to it), then try again.",
  vault_unavailable: "Install or start a system keyring service, then restart Patchbay.",
  database: "Another Patchbay process may be using the data store: wait a moment, then try again.",
  io: "Check the disk has space and the data folder is writable, then try again.",
  internal: "Try again. If it keeps happening, check the logs.",
  discovery_failed:
    "Check the URL. If the server has no sign-in discovery, fill in Advanced configuration.",
  resource_mismatch: "Check the URL is the server’s exact address.",
  issuer_mismatch: "Check the authorization server in Advanced configuration.",
  pkce_unsupported: "Ask the provider to enable PKCE; Patchbay can’t sign in without it.",
  needs_client_id:
    "Register an app with the provider, then fill in the client ID in Advanced configuration.",
  registration_refused:
    "Register an app with the provider, then fill in the client ID in Advanced configuration.",
  redirect_uri_mismatch:
    "Add Patchbay’s callback URL to the app registered with the provider, then try again.",
  access_denied: "Try again and allow access in the browser.",
  authorization_failed: "Try again. If it keeps failing, check the Advanced configuration.",
  consent_timeout: "Try again and finish signing in in the browser.",
  state_mismatch: "Start the sign-in again from Patchbay.",
  token_error: "Try connecting again. Check the client ID and secret if you set them.",
  unreachable: "Check the URL and your network connection.",
  tls: "Check the URL and your network connection (a proxy or certificate may be in the way).",
  port_busy: "Close the other program using the sign-in port, then try again.",
  not_connected: "Connect first.",
  needs_reconnect: "Reconnect to sign in again.",
  auth_rejected: "Check the token or reconnect, then try again.",
  insufficient_scope: "Reconnect and grant the permissions it asks for.",
  unsupported_transport: "Check the URL points to a Streamable HTTP MCP endpoint.",
  protocol: "Check the URL points to the right kind of server.",
  timeout: "Check the URL and your network connection, then try again.",
  server_error: "The problem is on the server’s side. Try again later.",
  token_request_failed: "Check the request: URL, method, body and the JSONPath to the token.",
  circuit_open: "Wait a moment or run Test Connection to try again now.",
  cancelled: null,
};

/** A short heading for an error code. */
export function errorTitle(code: ErrorCode): string {
  return TITLES[code] ?? TITLES.internal;
}

/** What the user can do about it, or null when there is nothing to suggest. */
export function errorAdvice(code: ErrorCode): string | null {
  return Object.hasOwn(ADVICE, code) ? ADVICE[code] : ADVICE.internal;
}

/** A failed call as a toast: what failed, the message, and what to do. */
export function errorToast(what: string, error: unknown): ToastInput {
  const e = toIpcError(error);
  const advice = errorAdvice(e.code);
  return {
    title: `${what}: ${errorTitle(e.code)}`,
    description: [e.message, advice].filter(Boolean).join(" "),
    tone: "error",
  };
}
