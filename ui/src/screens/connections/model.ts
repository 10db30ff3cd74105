/**
 * The OAuth connection form as pure data: the draft the dialog edits, its validation
 * (lib/validate: the backend's rules, so most mistakes show before a round trip), the
 * `ConnectionForm` wire object, and how a connection's sign-in state reads.
 */
import type { ConnectionForm } from "../../bindings/ConnectionForm";
import type { ConnectionView } from "../../bindings/ConnectionView";
import type { FormField } from "../../bindings/FormField";
import type { GrantView } from "../../bindings/GrantView";
import type { OAuthGrant } from "../../bindings/OAuthGrant";
import type { TokenAuthMethod } from "../../bindings/TokenAuthMethod";
import type { IpcError } from "../../ipc";
import { PUBLIC_CLIENT_CREDENTIALS } from "../../lib/grants";
import { nameError, scopesError, splitScopes, urlError } from "../../lib/validate";

/** "auto": let the backend pick from whether there is a client secret. */
export type AuthMethodChoice = TokenAuthMethod | "auto";

export type ConnectionDraft = {
  name: string;
  provider: string;
  clientId: string;
  /** Only what the user typed now; a stored secret is never read back. */
  clientSecret: string;
  clearClientSecret: boolean;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl: string;
  registrationUrl: string;
  tokenAuthMethod: AuthMethodChoice;
  scopes: string;
  /** A user signs in, or the client asks for itself (no user). */
  grant: OAuthGrant;
};

export type ConnectionField = keyof ConnectionDraft;
export type ConnectionErrors = Partial<Record<ConnectionField, string>>;

export const AUTH_METHOD_OPTIONS: { value: AuthMethodChoice; label: string }[] = [
  { value: "auto", label: "Automatic (from whether there is a client secret)" },
  {
    value: "client_secret_basic",
    label: "client_secret_basic (secret in the Authorization header)",
  },
  { value: "client_secret_post", label: "client_secret_post (secret in the request body)" },
  {
    value: "private_key_jwt",
    label:
      "private_key_jwt (a signing key Patchbay keeps; `patchbay connection show` prints its public key)",
  },
  { value: "none", label: "none (public PKCE client, no secret)" },
];

export function emptyConnectionDraft(): ConnectionDraft {
  return {
    name: "",
    provider: "",
    clientId: "",
    clientSecret: "",
    clearClientSecret: false,
    authorizationUrl: "",
    tokenUrl: "",
    revocationUrl: "",
    registrationUrl: "",
    tokenAuthMethod: "auto",
    scopes: "",
    grant: "authorization-code",
  };
}

/** The draft for editing `view`: every field as stored, the secret left empty (= keep). */
export function draftFromConnection(view: ConnectionView): ConnectionDraft {
  return {
    name: view.name,
    provider: view.provider,
    clientId: view.clientId,
    clientSecret: "",
    clearClientSecret: false,
    authorizationUrl: view.authorizationUrl,
    tokenUrl: view.tokenUrl,
    revocationUrl: view.revocationUrl ?? "",
    registrationUrl: view.registrationUrl ?? "",
    tokenAuthMethod: view.tokenAuthMethod,
    scopes: view.scopes.join(" "),
    grant: view.grant,
  };
}

/**
 * Every problem with the draft, by field. `stored` is the connection being edited (null
 * when adding): whether it already has a client secret decides what the method needs.
 */
export function validateConnection(
  d: ConnectionDraft,
  stored: Pick<ConnectionView, "clientSecretSet"> | null,
): ConnectionErrors {
  const errors: ConnectionErrors = {};
  const name = nameError(d.name);
  if (name) errors.name = name;
  const provider = d.provider.trim();
  if (provider === "") errors.provider = "Enter the service this connects to, e.g. HubSpot.";
  else if (provider.length > 64) errors.provider = "Keep the provider name to 64 characters.";
  if (d.clientId.trim() === "") {
    errors.clientId = "Copy the client ID from the OAuth app you registered with the provider.";
  }
  for (const [field, required] of [
    ["authorizationUrl", true],
    ["tokenUrl", true],
    ["revocationUrl", false],
    ["registrationUrl", false],
  ] as const) {
    const problem = urlError(d[field], required);
    if (problem) errors[field] = problem;
  }
  const scopes = scopesError(d.scopes);
  if (scopes) errors.scopes = scopes;

  if (d.grant === "client-credentials" && d.tokenAuthMethod === "none") {
    errors.grant = PUBLIC_CLIENT_CREDENTIALS;
  }
  const typed = d.clientSecret.trim() !== "";
  if (typed && d.clearClientSecret) {
    errors.clientSecret = "Enter a new secret or remove the stored one, not both.";
  } else if (d.tokenAuthMethod === "none" && typed) {
    errors.clientSecret =
      "A public client (method “none”) has no secret: leave this empty or pick another method.";
  } else if (
    d.tokenAuthMethod === "client_secret_basic" ||
    d.tokenAuthMethod === "client_secret_post"
  ) {
    const keeps = stored !== null && stored.clientSecretSet && !d.clearClientSecret;
    if (!typed && !keeps) {
      errors.clientSecret = `${d.tokenAuthMethod} needs a client secret: enter it, or pick “none” for a public PKCE client.`;
    }
  }
  return errors;
}

/** The wire object. An empty secret is `null`: keep the stored one (or none when adding). */
export function toConnectionForm(d: ConnectionDraft): ConnectionForm {
  return {
    name: d.name.trim(),
    provider: d.provider.trim(),
    clientId: d.clientId.trim(),
    clientSecret: d.clientSecret.trim() === "" ? null : d.clientSecret,
    clearClientSecret: d.clearClientSecret,
    authorizationUrl: d.authorizationUrl.trim(),
    tokenUrl: d.tokenUrl.trim(),
    revocationUrl: d.revocationUrl.trim(),
    registrationUrl: d.registrationUrl.trim(),
    tokenAuthMethod: d.tokenAuthMethod === "auto" ? null : d.tokenAuthMethod,
    scopes: splitScopes(d.scopes).join(" "),
    grant: d.grant,
  };
}

/**
 * Where the backend's `field` shows on this dialog (undefined: no such field here). A token
 * auth method problem is about the secret the method needs (or must not have), so it shows
 * where the client-side check puts it: under Client secret.
 */
const FORM_FIELD_KEYS: Record<FormField, ConnectionField | undefined> = {
  name: "name",
  provider: "provider",
  clientId: "clientId",
  clientSecret: "clientSecret",
  tokenAuthMethod: "clientSecret",
  authorizationUrl: "authorizationUrl",
  tokenUrl: "tokenUrl",
  revocationUrl: "revocationUrl",
  registrationUrl: "registrationUrl",
  scopes: "scopes",
  kind: undefined,
  url: undefined,
  method: undefined,
  headers: undefined,
  body: undefined,
  auth: undefined,
  description: undefined,
  resourceOverride: undefined,
  clientMetadataUrl: undefined,
  value: undefined,
  tokenPath: undefined,
  prefix: undefined,
  headerName: undefined,
  expires: undefined,
  grant: "grant",
  assertionFile: "grant",
  idp: "grant",
  privateKey: "clientSecret",
};

/** The field a backend rejection is about, so it shows next to what to fix; null: none. */
export function fieldOfError(error: Pick<IpcError, "field">): ConnectionField | null {
  return error.field === undefined ? null : (FORM_FIELD_KEYS[error.field] ?? null);
}

export type SignInState = {
  kind: "connected" | "reconnect" | "disconnected";
  label: string;
  tone: "success" | "warning" | "neutral";
};

/** How a connection's grant reads in the list. */
export function signInState(grant: GrantView): SignInState {
  if (grant.connected) {
    return {
      kind: "connected",
      label: grant.account ? `Connected as ${grant.account}` : "Connected",
      tone: "success",
    };
  }
  if (grant.needsReconnect)
    return { kind: "reconnect", label: "Reconnect needed", tone: "warning" };
  return { kind: "disconnected", label: "Not connected", tone: "neutral" };
}

export function authMethodLabel(view: Pick<ConnectionView, "publicClient">): string {
  return view.publicClient ? "Public (PKCE)" : "Confidential";
}

/** Connections grouped by provider (case-insensitive), providers and names sorted. */
export function groupByProvider(
  list: ConnectionView[],
): { provider: string; items: ConnectionView[] }[] {
  const groups = new Map<string, { provider: string; items: ConnectionView[] }>();
  for (const c of list) {
    const key = c.provider.trim().toLowerCase();
    const group = groups.get(key) ?? { provider: c.provider.trim(), items: [] };
    group.items.push(c);
    groups.set(key, group);
  }
  const byName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "base" });
  return [...groups.values()]
    .sort((a, b) => byName(a.provider, b.provider))
    .map((g) => ({ ...g, items: g.items.sort((a, b) => byName(a.name, b.name)) }));
}
