/**
 * The OAuth connection form as pure data: the draft the dialog edits, its validation
 * (the same rules the backend applies, so most mistakes show before a round trip), the
 * `ConnectionForm` wire object, and how a connection's sign-in state reads.
 */
import type { ConnectionForm } from "../../bindings/ConnectionForm";
import type { ConnectionView } from "../../bindings/ConnectionView";
import type { GrantView } from "../../bindings/GrantView";
import type { TokenAuthMethod } from "../../bindings/TokenAuthMethod";
import type { IpcError } from "../../ipc";

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
  };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Names of actions, connections and tokens: the backend's `validate::name`. */
export function nameProblem(value: string): string | null {
  if (value.trim() === "") return "Enter a name.";
  if (!NAME_RE.test(value)) {
    return "Start with a letter or digit, then up to 63 letters, digits, “.”, “_” or “-” (no spaces).";
  }
  return null;
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127(\.\d{1,3}){3}$/.test(h);
}

/** An endpoint URL: https, or http on 127.0.0.1 / [::1] / localhost; no credentials. */
export function urlProblem(value: string, required: boolean): string | null {
  const v = value.trim();
  if (v === "") return required ? "Enter a URL." : null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return "Enter a full URL such as https://example.com/oauth/token.";
  }
  if (url.username !== "" || url.password !== "") {
    return "Remove the user name or password from the URL.";
  }
  if (url.protocol === "https:" && url.hostname !== "") return null;
  if (url.protocol === "http:") {
    return isLoopbackHost(url.hostname)
      ? null
      : "Use https (plain http is allowed only on 127.0.0.1, [::1] or localhost).";
  }
  return "Use an https:// URL (or http:// on loopback).";
}

/** RFC 6749 §3.3 scope tokens, space- or comma-separated. */
export function scopesProblem(value: string): string | null {
  const bad = splitScopes(value).find((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s));
  return bad === undefined
    ? null
    : `“${bad}” has characters OAuth scopes can’t contain (quotes, backslashes or non-ASCII).`;
}

export function splitScopes(value: string): string[] {
  return value.split(/[\s,]+/).filter((s) => s !== "");
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
  const name = nameProblem(d.name);
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
    const problem = urlProblem(d[field], required);
    if (problem) errors[field] = problem;
  }
  const scopes = scopesProblem(d.scopes);
  if (scopes) errors.scopes = scopes;

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
  };
}

/**
 * The field a backend rejection is about (its message names it), so the error shows
 * next to what to fix. Null when it is about no single field.
 */
export function fieldOfError(error: Pick<IpcError, "code" | "message">): ConnectionField | null {
  if (error.code === "conflict") return "name";
  if (error.code !== "invalid_input") return null;
  const m = error.message.toLowerCase();
  if (m.includes("connection name")) return "name";
  if (m.includes("provider")) return "provider";
  if (m.includes("client id")) return "clientId";
  if (m.includes("client secret") || m.includes("token auth method")) return "clientSecret";
  if (m.includes("authorization url")) return "authorizationUrl";
  if (m.includes("token url")) return "tokenUrl";
  if (m.includes("revocation url")) return "revocationUrl";
  if (m.includes("registration url")) return "registrationUrl";
  if (m.includes("scope")) return "scopes";
  return null;
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
