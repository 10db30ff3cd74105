/**
 * The Add / Edit Custom Action form's state (empty, from a gallery entry or from an
 * ActionView) and the `ActionForm` wire object `saveAction` receives. Its checks are in
 * `validation.ts`, the Connect advice in `clientDetails.ts`.
 */
import type { ActionForm as ActionFormWire } from "../../bindings/ActionForm";
import type { ActionKind } from "../../bindings/ActionKind";
import type { ActionView } from "../../bindings/ActionView";
import type { AuthType } from "../../bindings/AuthType";
import type { CallbackKind } from "../../bindings/CallbackKind";
import type { OAuthForm } from "../../bindings/OAuthForm";
import type { OAuthGrant } from "../../bindings/OAuthGrant";
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
  /** A user signs in, or the client asks for itself (no user, no browser). */
  grant: OAuthGrant;
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
  /** jwt-bearer: the file holding the workload's identity token. */
  assertionFile: string;
  /** enterprise-managed: the identity provider's name. */
  idp: string;
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
  | "grant"
  | "assertionFile"
  | "idp"
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

export function emptyOAuth(): OAuthState {
  return {
    grant: "authorization-code",
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
    assertionFile: "",
    idp: "",
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
          grant: a.grant ?? "authorization-code",
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
          assertionFile: o.assertionFile ?? "",
          idp: o.idp ?? "",
        }
      : emptyOAuth(),
    description: a.description,
    confirm: a.confirm,
    enabled: a.enabled,
  };
}

const EMPTY_OAUTH_WIRE: OAuthForm = {
  grant: "authorization-code",
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
  assertionFile: "",
  idp: "",
};

/** A header row left empty (it is not sent). */
export function isBlankRow(h: HeaderRow): boolean {
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
            grant: o.grant,
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
            assertionFile: o.grant === "jwt-bearer" ? o.assertionFile.trim() : "",
            idp: o.grant === "enterprise-managed" ? o.idp.trim() : "",
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
