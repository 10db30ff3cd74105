/**
 * The Add / Edit Custom Action form's pure logic: its state (empty or from an ActionView),
 * client-side validation (the same rules the backend applies, so most mistakes show inline
 * before anything is sent), the `ActionForm` wire object, and which backend error belongs
 * next to which field.
 */
import type { ActionForm as ActionFormWire } from "../../bindings/ActionForm";
import type { ActionKind } from "../../bindings/ActionKind";
import type { ActionView } from "../../bindings/ActionView";
import type { AuthType } from "../../bindings/AuthType";
import type { CallbackKind } from "../../bindings/CallbackKind";
import type { ErrorCode } from "../../bindings/ErrorCode";
import type { OAuthForm } from "../../bindings/OAuthForm";
import type { Provider } from "../../bindings/Provider";
import type { TokenAuthMethod } from "../../bindings/TokenAuthMethod";

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The auth types that point at a stored token or connection. */
export type RefAuthType = "token" | "http-token" | "connection";

export function isRefAuth(t: AuthType): t is RefAuthType {
  return t === "token" || t === "http-token" || t === "connection";
}

export type HeaderRow = { key: number; name: string; value: string };

export type OAuthState = {
  clientId: string;
  /** Empty on edit = keep the stored one. Never pre-filled. */
  clientSecret: string;
  clearClientSecret: boolean;
  /** "" = Automatic. */
  tokenAuthMethod: "" | TokenAuthMethod;
  authorizationUrl: string;
  tokenUrl: string;
  registrationUrl: string;
  scopes: string;
  assumePkceS256: boolean;
  resourceOverride: string;
  omitResource: boolean;
  clientMetadataUrl: string;
  callback: CallbackKind;
};

export type FormState = {
  name: string;
  kind: ActionKind;
  url: string;
  method: string;
  headers: HeaderRow[];
  body: string;
  auth: AuthType;
  /** The chosen token / connection per auth type, so switching cards loses nothing. */
  refs: Record<RefAuthType, string>;
  oauth: OAuthState;
  description: string;
  confirm: boolean;
  enabled: boolean;
};

/** Field keys for errors: the form fields' `name`s (headers are `header-name-N` / `header-value-N`). */
export type FieldKey =
  | "name"
  | "kind"
  | "url"
  | "method"
  | "headers"
  | `header-name-${number}`
  | `header-value-${number}`
  | "body"
  | "auth"
  | "authRef"
  | "clientId"
  | "clientSecret"
  | "tokenAuthMethod"
  | "authorizationUrl"
  | "tokenUrl"
  | "registrationUrl"
  | "scopes"
  | "resourceOverride"
  | "clientMetadataUrl"
  | "description";

export type FieldErrors = Partial<Record<FieldKey, string>>;

/** The fields inside "Advanced configuration" (an error there opens it). */
export const ADVANCED_FIELDS: readonly FieldKey[] = [
  "clientId",
  "clientSecret",
  "tokenAuthMethod",
  "authorizationUrl",
  "tokenUrl",
  "registrationUrl",
  "scopes",
  "resourceOverride",
  "clientMetadataUrl",
];

/** Top-to-bottom order of the fields, to focus the first one with an error. */
export function fieldOrder(state: FormState): FieldKey[] {
  const headerKeys = state.headers.flatMap((_, i): FieldKey[] => [
    `header-name-${i}`,
    `header-value-${i}`,
  ]);
  return [
    "name",
    "kind",
    "url",
    "method",
    ...headerKeys,
    "headers",
    "body",
    "auth",
    "authRef",
    "clientId",
    "clientSecret",
    "authorizationUrl",
    "tokenUrl",
    "registrationUrl",
    "scopes",
    "tokenAuthMethod",
    "resourceOverride",
    "clientMetadataUrl",
    "description",
  ];
}

export function emptyOAuth(): OAuthState {
  return {
    clientId: "",
    clientSecret: "",
    clearClientSecret: false,
    tokenAuthMethod: "",
    authorizationUrl: "",
    tokenUrl: "",
    registrationUrl: "",
    scopes: "",
    assumePkceS256: false,
    resourceOverride: "",
    omitResource: false,
    clientMetadataUrl: "",
    callback: "loopback",
  };
}

let headerSeq = 0;

/** A new header row with a stable React key. */
export function headerRow(name = "", value = ""): HeaderRow {
  headerSeq += 1;
  return { key: headerSeq, name, value };
}

/** A new action: MCP server, OAuth 2.1 (the recommended card), no confirmation. */
export function emptyForm(): FormState {
  return {
    name: "",
    kind: "mcp",
    url: "",
    method: "POST",
    headers: [],
    body: "",
    auth: "oauth",
    refs: { token: "", "http-token": "", connection: "" },
    oauth: emptyOAuth(),
    description: "",
    confirm: false,
    enabled: true,
  };
}

/**
 * A new action from a gallery entry: its id as the name, the server URL, OAuth 2.1 with the
 * entry's endpoints and scopes (an own-app provider still needs the user's client id).
 */
export function fromProvider(p: Provider): FormState {
  const f = emptyForm();
  return {
    ...f,
    name: p.id,
    url: p.url,
    auth: "oauth",
    description: p.description,
    oauth: {
      ...f.oauth,
      authorizationUrl: p.authorizationUrl ?? "",
      tokenUrl: p.tokenUrl ?? "",
      scopes: p.scopes ?? "",
    },
  };
}

/** The form for editing `a`; secrets are never filled in (empty = keep the stored one). */
export function formFromAction(a: ActionView): FormState {
  const refs = { token: "", "http-token": "", connection: "" };
  if (isRefAuth(a.auth.type)) refs[a.auth.type] = a.auth.ref ?? "";
  const o = a.oauth;
  return {
    name: a.name,
    kind: a.kind,
    url: a.url,
    method: a.http?.method ?? "POST",
    headers: (a.http?.headers ?? []).map((h) => headerRow(h.name, h.value)),
    body: a.http?.body ?? "",
    auth: a.auth.type,
    refs,
    oauth: o
      ? {
          clientId: o.clientId ?? "",
          clientSecret: "",
          clearClientSecret: false,
          tokenAuthMethod: o.tokenAuthMethod ?? "",
          authorizationUrl: o.authorizationUrl ?? "",
          tokenUrl: o.tokenUrl ?? "",
          registrationUrl: o.registrationUrl ?? "",
          scopes: o.scopes.join(" "),
          assumePkceS256: o.assumePkceS256,
          resourceOverride: o.resourceOverride ?? "",
          omitResource: o.omitResource,
          clientMetadataUrl: o.clientMetadataUrl ?? "",
          callback: o.callback,
        }
      : emptyOAuth(),
    description: a.description,
    confirm: a.confirm,
    enabled: a.enabled,
  };
}

const EMPTY_OAUTH_WIRE: OAuthForm = {
  clientId: "",
  clientSecret: null,
  clearClientSecret: false,
  tokenAuthMethod: null,
  authorizationUrl: "",
  tokenUrl: "",
  registrationUrl: "",
  scopes: "",
  assumePkceS256: false,
  resourceOverride: "",
  omitResource: false,
  clientMetadataUrl: "",
  callback: "loopback",
};

function isBlankRow(h: HeaderRow): boolean {
  return h.name.trim() === "" && h.value.trim() === "";
}

/** What `saveAction` receives. OAuth settings are sent only with the OAuth 2.1 card. */
export function toWire(s: FormState): ActionFormWire {
  const http = s.kind === "http";
  const o = s.oauth;
  const body = s.body.trim() === "" ? null : s.body;
  return {
    name: s.name.trim(),
    kind: s.kind,
    url: s.url.trim(),
    method: http ? s.method : null,
    headers: http
      ? s.headers
          .filter((h) => !isBlankRow(h))
          .map((h) => ({ name: h.name.trim(), value: h.value }))
      : [],
    body: http ? body : null,
    auth: { type: s.auth, ref: isRefAuth(s.auth) ? s.refs[s.auth] : null },
    oauth:
      s.auth === "oauth"
        ? {
            clientId: o.clientId.trim(),
            clientSecret: o.clientSecret === "" ? null : o.clientSecret,
            clearClientSecret: o.clientSecret === "" && o.clearClientSecret,
            tokenAuthMethod: o.tokenAuthMethod === "" ? null : o.tokenAuthMethod,
            authorizationUrl: o.authorizationUrl.trim(),
            tokenUrl: o.tokenUrl.trim(),
            registrationUrl: o.registrationUrl.trim(),
            scopes: o.scopes.trim(),
            assumePkceS256: o.assumePkceS256,
            resourceOverride: o.resourceOverride.trim(),
            omitResource: o.omitResource,
            clientMetadataUrl: o.clientMetadataUrl.trim(),
            callback: o.callback,
          }
        : { ...EMPTY_OAUTH_WIRE },
    description: s.description.trim(),
    confirm: s.confirm,
    enabled: s.enabled,
  };
}

/** A stable fingerprint of what would be saved (to detect unsaved edits). */
export function wireKey(s: FormState): string {
  return JSON.stringify(toWire(s));
}

// ---- Validation ----------------------------------------------------------------

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HEADER_NAME_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PLACEHOLDER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function nameError(value: string): string | undefined {
  const v = value.trim();
  if (v === "") return "Enter a name.";
  if (v.length > 64) return "Use at most 64 characters.";
  if (!NAME_RE.test(v)) {
    return "Use letters, digits, '-', '_' or '.', starting with a letter or digit.";
  }
  return undefined;
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * An endpoint URL as the backend accepts it: https, or http on a loopback host only, with no
 * user name or password. `what` names it in the "required" message ("the token URL").
 */
export function urlError(value: string, what: string, required: boolean): string | undefined {
  const v = value.trim();
  if (v === "") return required ? `Enter ${what}.` : undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "Enter a full URL starting with https://, such as https://example.com/mcp.";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return "Use an https:// URL (or http:// on this computer).";
  }
  if (u.username !== "" || u.password !== "") {
    return "Don't put a user name or password in the URL: use a token or connection.";
  }
  if (u.hostname === "") return "The URL needs a host name.";
  if (u.protocol === "http:" && !isLoopbackHost(u.hostname)) {
    return "Use https (plain http is allowed only on 127.0.0.1, [::1] or localhost).";
  }
  return undefined;
}

function clientMetadataUrlError(value: string): string | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "Enter the https URL of your client metadata document.";
  }
  if (u.protocol !== "https:") return "The client metadata URL must use https.";
  if (u.pathname === "/" || u.pathname === "") {
    return "The client metadata URL needs a path (the document's location).";
  }
  if (v.includes("#")) return "The client metadata URL must not have a fragment.";
  return undefined;
}

/** `{{param}}` placeholders: balanced and identifiers. */
export function bodyTemplateError(body: string): string | undefined {
  let rest = body;
  for (;;) {
    const start = rest.indexOf("{{");
    if (start < 0) return undefined;
    const after = rest.slice(start + 2);
    const end = after.indexOf("}}");
    if (end < 0) return "A '{{' has no closing '}}'. Placeholders look like {{name}}.";
    const name = after.slice(0, end).trim();
    if (!PLACEHOLDER_RE.test(name)) {
      return `'{{${name}}}' is not a valid placeholder: use letters, digits and '_', starting with a letter or '_'.`;
    }
    rest = after.slice(end + 2);
  }
}

/** The placeholders of a body template, in first-use order (for the hint under the body). */
export function bodyParams(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) {
    const p = m[1]!;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

const REF_MISSING: Record<RefAuthType, string> = {
  token: "Choose the bearer token this action sends.",
  "http-token": "Choose the HTTP request token this action sends.",
  connection: "Choose the OAuth connection this action uses.",
};

/**
 * Every problem the backend would refuse, per field. `secretStored` = the action already has
 * a client secret (edits).
 */
export function validate(s: FormState, secretStored = false): FieldErrors {
  const e: FieldErrors = {};
  const set = (k: FieldKey, msg: string | undefined) => {
    if (msg !== undefined && e[k] === undefined) e[k] = msg;
  };
  set("name", nameError(s.name));
  set(
    "url",
    urlError(s.url, s.kind === "http" ? "the HTTP endpoint URL" : "the MCP server URL", true),
  );

  if (s.kind === "http") {
    if (!(METHODS as readonly string[]).includes(s.method)) set("method", "Choose a method.");
    s.headers.forEach((h, i) => {
      if (isBlankRow(h)) return;
      const name = h.name.trim();
      if (name === "") set(`header-name-${i}`, "Enter the header's name.");
      else if (name.toLowerCase() === "authorization") {
        set(
          `header-name-${i}`,
          "The Authorization header comes from Authentication: choose a token there instead.",
        );
      } else if (!HEADER_NAME_RE.test(name)) {
        set(`header-name-${i}`, "Use letters, digits and - _ . without spaces or colons.");
      }
      if (/[\r\n\0]/.test(h.value)) set(`header-value-${i}`, "Line breaks aren't allowed here.");
    });
    if (s.body.trim() !== "") {
      if (s.method === "GET") {
        set("body", "A GET request cannot have a body: choose POST, PUT or PATCH, or clear it.");
      }
      set("body", bodyTemplateError(s.body));
    }
  }

  if (isRefAuth(s.auth) && s.refs[s.auth].trim() === "") set("authRef", REF_MISSING[s.auth]);

  if (s.auth === "oauth") {
    const o = s.oauth;
    if (/\p{Cc}/u.test(o.clientId)) set("clientId", "The client ID contains control characters.");
    if (o.clientId.length > 512) set("clientId", "The client ID is too long.");
    const needEndpoints = s.kind === "http";
    const endpointHint = "Needed for OAuth on an HTTP endpoint (only MCP servers publish it).";
    if (needEndpoints && o.authorizationUrl.trim() === "") set("authorizationUrl", endpointHint);
    if (needEndpoints && o.tokenUrl.trim() === "") set("tokenUrl", endpointHint);
    set("authorizationUrl", urlError(o.authorizationUrl, "the authorization URL", false));
    set("tokenUrl", urlError(o.tokenUrl, "the token URL", false));
    set("registrationUrl", urlError(o.registrationUrl, "the registration URL", false));
    set("resourceOverride", urlError(o.resourceOverride, "the resource", false));
    set("clientMetadataUrl", clientMetadataUrlError(o.clientMetadataUrl));
    // RFC 6749 §3.3 scope tokens.
    const bad = o.scopes
      .split(/[\s,]+/)
      .find((sc) => sc !== "" && !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(sc));
    if (bad !== undefined) {
      set(
        "scopes",
        `The scope '${bad}' has characters OAuth doesn't allow (quotes, backslashes, non-ASCII).`,
      );
    }
    if (o.omitResource && o.resourceOverride.trim() !== "") {
      set("resourceOverride", "Give a resource override or omit the resource, not both.");
    }
    const hasSecret = o.clientSecret !== "" || (secretStored && !o.clearClientSecret);
    if (hasSecret && o.clientId.trim() === "") {
      set("clientId", "A client secret needs a client ID: enter the one your provider issued.");
    }
    if (o.tokenAuthMethod === "none" && hasSecret) {
      set("tokenAuthMethod", "'none' is for public clients, which have no client secret.");
    }
    if (
      (o.tokenAuthMethod === "client_secret_basic" || o.tokenAuthMethod === "client_secret_post") &&
      !hasSecret
    ) {
      set("clientSecret", `${o.tokenAuthMethod} needs a client secret (or choose Automatic).`);
    }
  }
  return e;
}

export function firstErrorField(s: FormState, errors: FieldErrors): FieldKey | undefined {
  return fieldOrder(s).find((k) => errors[k] !== undefined);
}

// ---- Backend errors ------------------------------------------------------------

/** Where a backend message about the form belongs, by what it names. Order matters. */
const MESSAGE_FIELDS: readonly [RegExp, FieldKey][] = [
  [/^invalid action name|^name\b/i, "name"],
  [/cannot become an? /i, "kind"],
  [/\b(MCP server|HTTP endpoint) URL\b|^(the )?url\b/i, "url"],
  [/^OAuth on an HTTP action needs/i, "authorizationUrl"],
  [/\bauthorization URL\b/i, "authorizationUrl"],
  [/\btoken URL\b/i, "tokenUrl"],
  [/\bregistration URL\b/i, "registrationUrl"],
  [/\bclient metadata URL\b/i, "clientMetadataUrl"],
  [/\bresource\b/i, "resourceOverride"],
  [/client secret needs a client id|\bclient id\b/i, "clientId"],
  [/token auth method '?none'? is for public/i, "tokenAuthMethod"],
  [/token auth method .* needs a client secret|\bclient secret\b/i, "clientSecret"],
  [/token auth method/i, "tokenAuthMethod"],
  [/^scope\b/i, "scopes"],
  [/header/i, "headers"],
  [/body|placeholder/i, "body"],
  [/HTTP method/i, "method"],
  [/^choose the |^token '|^connection '/i, "authRef"],
];

/** The field a backend error belongs to, or undefined when it concerns the whole form. */
export function fieldForError(code: ErrorCode, message: string): FieldKey | undefined {
  if (code === "conflict") return "name";
  if (code !== "invalid_input") return undefined;
  const m = message.trim();
  return MESSAGE_FIELDS.find(([re]) => re.test(m))?.[1];
}

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
    !(secretStored && !o.clearClientSecret)
  );
}

export const CLIENT_DETAILS_MESSAGE =
  "This server needs its OAuth client details: fill in Advanced configuration, then Connect again.";

export function needsClientDetails(code: ErrorCode, o: OAuthState, secretStored = false): boolean {
  return NEEDS_CLIENT_DETAILS.has(code) && advancedEmpty(o, secretStored);
}
