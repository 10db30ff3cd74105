/**
 * The action form's checks: the backend's rules for each field (the shared ones from
 * lib/validate), so most mistakes show inline before anything is sent; which field to focus
 * first; and where a backend error about a field shows.
 */
import { PUBLIC_CLIENT_CREDENTIALS } from "../../lib/grants";
import type { AuthType } from "../../bindings/AuthType";
import type { FormField } from "../../bindings/FormField";
import type { IpcError } from "../../ipc";
import { headerNameError, nameError, scopesError, urlError } from "../../lib/validate";
import {
  isBlankRow,
  isRefAuth,
  METHODS,
  type FieldErrors,
  type FieldKey,
  type FormState,
  type RefAuthType,
} from "./model";

/** The fields inside "Advanced configuration" (an error there opens it). */
export const ADVANCED_FIELDS: readonly FieldKey[] = [
  "grant",
  "assertionFile",
  "idp",
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
    "grant",
    "assertionFile",
    "idp",
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

const PLACEHOLDER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
    urlError(s.url, true, s.kind === "http" ? "the HTTP endpoint URL" : "the MCP server URL"),
  );

  if (s.kind === "http") {
    if (!(METHODS as readonly string[]).includes(s.method)) set("method", "Choose a method.");
    s.headers.forEach((h, i) => {
      if (isBlankRow(h)) return;
      if (h.name.trim().toLowerCase() === "authorization") {
        set(
          `header-name-${i}`,
          "The Authorization header comes from Authentication: choose a token there instead.",
        );
      } else set(`header-name-${i}`, headerNameError(h.name, true));
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
    // Client credentials have no user to send anywhere: the token URL is enough.
    const userSignsIn = o.grant !== "client-credentials";
    if (needEndpoints && userSignsIn && o.authorizationUrl.trim() === "") {
      set("authorizationUrl", endpointHint);
    }
    if (needEndpoints && o.tokenUrl.trim() === "") set("tokenUrl", endpointHint);
    set("authorizationUrl", urlError(o.authorizationUrl, false));
    set("tokenUrl", urlError(o.tokenUrl, false));
    set("registrationUrl", urlError(o.registrationUrl, false));
    set("resourceOverride", urlError(o.resourceOverride, false));
    set("clientMetadataUrl", clientMetadataUrlError(o.clientMetadataUrl));
    set("scopes", scopesError(o.scopes));
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
    if (o.tokenAuthMethod === "private_key_jwt" && o.clientSecret !== "") {
      set("clientSecret", "private_key_jwt signs with a key, not a secret: leave this empty.");
    }
    if (o.grant === "client-credentials" && o.tokenAuthMethod === "none") {
      set("grant", PUBLIC_CLIENT_CREDENTIALS);
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

/** Where the backend's `field` shows on this form (undefined: no such field here). */
const FORM_FIELD_KEYS: Record<FormField, FieldKey | undefined> = {
  name: "name",
  kind: "kind",
  url: "url",
  method: "method",
  headers: "headers",
  body: "body",
  auth: "auth",
  description: "description",
  clientId: "clientId",
  clientSecret: "clientSecret",
  tokenAuthMethod: "tokenAuthMethod",
  authorizationUrl: "authorizationUrl",
  tokenUrl: "tokenUrl",
  registrationUrl: "registrationUrl",
  scopes: "scopes",
  resourceOverride: "resourceOverride",
  clientMetadataUrl: "clientMetadataUrl",
  grant: "grant",
  assertionFile: "assertionFile",
  idp: "idp",
  // The app generates the key (no import here): its errors show on the method.
  privateKey: "tokenAuthMethod",
  provider: undefined,
  revocationUrl: undefined,
  value: undefined,
  tokenPath: undefined,
  prefix: undefined,
  headerName: undefined,
  expires: undefined,
};

/**
 * The field a backend error belongs to (its `field`), or undefined when it concerns the whole
 * form. An error about the authentication of an action that uses a stored token or
 * connection is shown at the picker.
 */
export function fieldForError(
  error: Pick<IpcError, "field">,
  auth: AuthType,
): FieldKey | undefined {
  if (error.field === undefined) return undefined;
  const key = FORM_FIELD_KEYS[error.field];
  return key === "auth" && isRefAuth(auth) ? "authRef" : key;
}

/** Where focus goes for a field: the chosen card of a choice, the control otherwise. */
export function fieldSelector(key: FieldKey, s: FormState): string {
  if (key === "kind") return `[data-testid="kind-${s.kind}"]`;
  if (key === "auth") return `[data-testid="auth-card-${s.auth}"]`;
  if (key === "headers") return `[data-testid="add-header"]`;
  return `[name="${key}"]:not([aria-hidden="true"])`;
}

/** What the server said, as a sentence next to a field. */
export function fieldMessage(err: IpcError): string {
  if (err.code === "conflict") return "An action with this name already exists: pick another name.";
  const m = err.message.trim();
  return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".");
}
