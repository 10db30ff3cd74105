/**
 * The gateway's OAuth clients, pure: how a client reads in the table, and the New OAuth
 * client wizard's form (checked as typed, sent as `GatewayClientForm`; core checks again and
 * names the field it refuses).
 */
import type { ActionView } from "../../bindings/ActionView";
import type { FormField } from "../../bindings/FormField";
import type { GatewayClientForm } from "../../bindings/GatewayClientForm";
import type { GatewayClientKind } from "../../bindings/GatewayClientKind";
import type { GatewayClientType } from "../../bindings/GatewayClientType";
import type { GatewayClientView } from "../../bindings/GatewayClientView";
import { nameError } from "../../lib/validate";
import { type ScopeDraft, type ScopeField, scopeForm, scopeProblems } from "./model";

export const CLIENT_TYPES: Record<GatewayClientType, { label: string; explain: string }> = {
  confidential: {
    label: "Confidential",
    explain:
      "Has a client secret. For a backend or server-side app that can keep a secret: the usual choice.",
  },
  public: {
    label: "Public",
    explain:
      "No secret: PKCE proves each sign-in instead. For a single-page, desktop or mobile app that can’t keep one.",
  },
};

export const CLIENT_KINDS: Record<GatewayClientKind, { label: string; explain: string }> = {
  custom: { label: "Custom", explain: "Made here: its actions were chosen then." },
  registered: { label: "Registered", explain: "Registered itself with the gateway (RFC 7591)." },
  "metadata-document": {
    label: "Metadata URL",
    explain: "Known by the URL of its client metadata document.",
  },
};

/** Active clients first, then revoked; newest first within each. */
export function sortClients(list: readonly GatewayClientView[]): GatewayClientView[] {
  const rank = (c: GatewayClientView) => (c.status === "active" ? 0 : 1);
  return [...list].sort((a, b) => rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt));
}

/** What a client may use, in words. */
export function mayUseText(c: Pick<GatewayClientView, "actions">): string {
  if (c.actions.includes("*")) return "Every action, present and future";
  if (c.actions.length === 0) return "No actions (the ones it could use were removed)";
  return c.actions.join(", ");
}

// ---- The New OAuth client wizard -----------------------------------------------------

export type ClientDraft = ScopeDraft & {
  name: string;
  type: GatewayClientType;
  /** The allowed redirect URIs, one per line. */
  redirectUris: string;
};

/** The wizard's fields, as errors name them. */
export type ClientField = "name" | "redirectUris" | ScopeField;

/** The wizard's steps: the app (name, type, redirect URIs), then what it may use. */
export type ClientStep = "app" | "scope";

export const STEP_OF: Record<ClientField, ClientStep> = {
  name: "app",
  redirectUris: "app",
  auth: "scope",
  tools: "scope",
};

export const emptyClientDraft = (): ClientDraft => ({
  name: "",
  type: "confidential",
  redirectUris: "",
  all: false,
  actions: [],
  limits: {},
});

/** The redirect URIs typed, one per line, blank lines dropped. */
export function redirectLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why core would refuse this redirect URI (its `redirect_uri` rules), or undefined: an
 * absolute URL without a fragment; https, http on this computer only, or an app's
 * reverse-domain scheme (`com.example.app:/callback`).
 */
export function redirectUriError(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return `‘${uri}’ isn’t a full URI: write the one your app listens on, e.g. http://127.0.0.1:8080/callback.`;
  }
  if (uri.includes("#")) return `‘${uri}’ must not have a fragment (#…).`;
  const scheme = u.protocol.slice(0, -1);
  if (scheme === "https" && u.hostname !== "") return undefined;
  if (scheme === "http") {
    return isLoopback(u.hostname)
      ? undefined
      : `‘${uri}’ uses plain http away from this computer: use https, or http on 127.0.0.1, [::1] or localhost.`;
  }
  if (scheme.includes(".")) return undefined;
  return `‘${uri}’: the scheme ‘${scheme}’ isn’t allowed. Use https, http on this computer, or your app’s reverse-domain scheme (com.example.app:/callback).`;
}

export function clientProblems(
  d: ClientDraft,
  actions: readonly ActionView[],
): Partial<Record<ClientField, string>> {
  const out: Partial<Record<ClientField, string>> = {};
  const name = nameError(d.name);
  if (name) out.name = name;
  const lines = redirectLines(d.redirectUris);
  if (lines.length === 0) {
    out.redirectUris = "Enter at least one redirect URI: the app tells you which.";
  } else {
    const bad = lines.map(redirectUriError).find((e) => e !== undefined);
    if (bad) out.redirectUris = bad;
  }
  Object.assign(
    out,
    scopeProblems(d, actions, "Pick the actions this client may use, or every action."),
  );
  return out;
}

/** The problems of one step only (Next checks the first, Create both). */
export function stepProblems(
  problems: Partial<Record<ClientField, string>>,
  step: ClientStep,
): Partial<Record<ClientField, string>> {
  return Object.fromEntries(
    Object.entries(problems).filter(([k]) => STEP_OF[k as ClientField] === step),
  );
}

/**
 * Where the backend's `field` shows in the wizard; any other field is about the whole form.
 * Core names a redirect URI's problem `url`, and what the client may use `auth`.
 */
const FORM_FIELD_CLIENT: Partial<Record<FormField, ClientField>> = {
  name: "name",
  url: "redirectUris",
  auth: "auth",
};

export function clientFieldOfError(error: {
  field?: FormField | undefined;
}): ClientField | undefined {
  return error.field === undefined ? undefined : FORM_FIELD_CLIENT[error.field];
}

/** The form as the backend takes it. */
export function toClientForm(d: ClientDraft, actions: readonly ActionView[]): GatewayClientForm {
  return {
    name: d.name.trim(),
    type: d.type,
    redirectUris: redirectLines(d.redirectUris),
    ...scopeForm(d, actions),
  };
}
