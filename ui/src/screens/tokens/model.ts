/**
 * The token forms as pure data: drafts for a text token and an HTTP request token, their
 * validation (the backend's rules), the wire objects, and how a token and a test report read.
 */
import type { FormField } from "../../bindings/FormField";
import type { HttpTokenForm } from "../../bindings/HttpTokenForm";
import type { RequestField } from "../../bindings/RequestField";
import type { TextTokenForm } from "../../bindings/TextTokenForm";
import type { TokenTestReport } from "../../bindings/TokenTestReport";
import type { TokenView } from "../../bindings/TokenView";
import type { IpcError } from "../../ipc";
import { headerNameError, HEADER_VALUE_RE, nameError, urlError } from "../../lib/validate";

export type TokenKindChoice = "text" | "http";

export type TextDraft = {
  name: string;
  description: string;
  /** Only what the user typed now; a stored value is never read back. */
  value: string;
  headerName: string;
  prefix: string;
};

/** A header or body field row; `id` keys the row in the list (never sent). */
export type RowDraft = { id: number; name: string; value: string; secret: boolean };

export type HttpDraft = {
  name: string;
  description: string;
  method: string;
  url: string;
  headers: RowDraft[];
  body: RowDraft[];
  form: boolean;
  tokenPath: string;
  headerName: string;
  prefix: string;
};

/** Problems by field: `name`, `url`, … and `header-name-N`, `body-name-N` for the rows. */
export type TokenErrors = Partial<Record<string, string>>;

export const METHODS = ["POST", "GET", "PUT", "PATCH"] as const;
export const DEFAULT_HEADER = "Authorization";
export const DEFAULT_PREFIX = "Bearer";
export const DEFAULT_TOKEN_PATH = "$.access_token";

let nextRowId = 1;
export function newRow(over: Partial<Omit<RowDraft, "id">> = {}): RowDraft {
  nextRowId += 1;
  return { id: nextRowId, name: "", value: "", secret: false, ...over };
}

export function emptyTextDraft(): TextDraft {
  return {
    name: "",
    description: "",
    value: "",
    headerName: DEFAULT_HEADER,
    prefix: DEFAULT_PREFIX,
  };
}

export function emptyHttpDraft(): HttpDraft {
  return {
    name: "",
    description: "",
    method: "POST",
    url: "",
    headers: [newRow()],
    body: [newRow()],
    form: false,
    tokenPath: DEFAULT_TOKEN_PATH,
    headerName: DEFAULT_HEADER,
    prefix: DEFAULT_PREFIX,
  };
}

export function textDraftFromView(t: TokenView): TextDraft {
  return {
    name: t.name,
    description: t.description,
    value: "",
    headerName: t.headerName,
    prefix: t.prefix ?? "",
  };
}

/** An HTTP request token as stored; secret header and body values come back empty. */
export function httpDraftFromView(t: TokenView): HttpDraft {
  const r = t.request;
  return {
    name: t.name,
    description: t.description,
    method: r?.method ?? "POST",
    url: r?.url ?? "",
    headers: (r?.headers ?? []).map((h) =>
      newRow({ name: h.name, value: h.value ?? "", secret: h.secret }),
    ),
    body: (r?.body ?? []).map((b) =>
      newRow({ name: b.key, value: b.value ?? "", secret: b.secret }),
    ),
    form: r?.form ?? false,
    tokenPath: r?.tokenPath ?? DEFAULT_TOKEN_PATH,
    headerName: t.headerName,
    prefix: t.prefix ?? "",
  };
}

function prefixProblem(value: string): string | null {
  return HEADER_VALUE_RE.test(value) ? null : "Remove line breaks and control characters.";
}

/** Where the token is: `$.a.b`, `$['a']`, or the shorthand `a.b`. */
export function tokenPathProblem(value: string): string | null {
  const v = value.trim();
  if (v === "") return "Say where the token is in the response, e.g. $.access_token.";
  if (/\s/.test(v.replace(/\[[^\]]*\]/g, ""))) return "Remove the spaces from the path.";
  if (v.startsWith("$")) {
    return v === "$" || /^\$(\.|\[)/.test(v)
      ? null
      : "Write a JSONPath such as $.data.access_token.";
  }
  return /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\])*$/.test(v)
    ? null
    : "Write a JSONPath such as $.data.access_token (or the shorthand data.access_token).";
}

export function validateText(d: TextDraft, adding: boolean): TokenErrors {
  const errors: TokenErrors = {};
  const name = nameError(d.name);
  if (name) errors.name = name;
  if (adding && d.value.trim() === "") errors.value = "Enter the token’s value.";
  else if (!HEADER_VALUE_RE.test(d.value)) {
    errors.value = "The value can’t contain line breaks or control characters.";
  }
  const header = headerNameError(d.headerName, false);
  if (header) errors.headerName = header;
  const prefix = prefixProblem(d.prefix);
  if (prefix) errors.prefix = prefix;
  return errors;
}

function rowErrors(rows: RowDraft[], kind: "header" | "body", errors: TokenErrors): void {
  rows.forEach((row, i) => {
    const named = row.name.trim() !== "";
    if (!named) {
      if (row.value !== "")
        errors[`${kind}-name-${i}`] = "Give this field a name, or clear its value.";
      return;
    }
    if (kind === "header") {
      const problem = headerNameError(row.name, true);
      if (problem) errors[`header-name-${i}`] = problem;
      if (!HEADER_VALUE_RE.test(row.value)) {
        errors[`header-value-${i}`] = "Remove line breaks and control characters.";
      }
    }
    if (kind === "body" && rows.findIndex((r) => r.name.trim() === row.name.trim()) !== i) {
      errors[`body-name-${i}`] = "This field is already in the body.";
    }
  });
}

/** `editing`: only the parts an edit can change are checked (the request is fixed). */
export function validateHttp(d: HttpDraft, editing: boolean): TokenErrors {
  const errors: TokenErrors = {};
  const name = nameError(d.name);
  if (name) errors.name = name;
  const path = tokenPathProblem(d.tokenPath);
  if (path) errors.tokenPath = path;
  const header = headerNameError(d.headerName, false);
  if (header) errors.headerName = header;
  const prefix = prefixProblem(d.prefix);
  if (prefix) errors.prefix = prefix;
  if (editing) return errors;
  const url = urlError(d.url, true);
  if (url) errors.url = url;
  rowErrors(d.headers, "header", errors);
  rowErrors(d.body, "body", errors);
  return errors;
}

/** Errors that make a test request pointless (the name and the token's header don't matter). */
export function requestErrors(errors: TokenErrors): TokenErrors {
  return Object.fromEntries(
    Object.entries(errors).filter(
      ([k]) => !["name", "headerName", "prefix", "description"].includes(k),
    ),
  );
}

export function toTextForm(d: TextDraft): TextTokenForm {
  return {
    name: d.name.trim(),
    description: d.description.trim(),
    value: d.value.trim() === "" ? null : d.value,
    headerName: d.headerName.trim() === "" ? DEFAULT_HEADER : d.headerName.trim(),
    prefix: d.prefix.trim(),
  };
}

function fields(rows: RowDraft[]): RequestField[] {
  return rows
    .filter((r) => r.name.trim() !== "")
    .map((r) => ({ name: r.name.trim(), value: r.value, secret: r.secret }));
}

export function toHttpForm(d: HttpDraft): HttpTokenForm {
  return {
    name: d.name.trim(),
    description: d.description.trim(),
    method: d.method,
    url: d.url.trim(),
    headers: fields(d.headers),
    body: fields(d.body),
    form: d.form,
    tokenPath: d.tokenPath.trim(),
    headerName: d.headerName.trim() === "" ? DEFAULT_HEADER : d.headerName.trim(),
    prefix: d.prefix.trim(),
  };
}

/** Where the backend's `field` shows on the token dialog (undefined: no such field here). */
const FORM_FIELD_KEYS: Record<FormField, string | undefined> = {
  name: "name",
  value: "value",
  url: "url",
  method: "method",
  tokenPath: "tokenPath",
  prefix: "prefix",
  headerName: "headerName",
  kind: undefined,
  headers: undefined,
  body: undefined,
  auth: undefined,
  description: undefined,
  provider: undefined,
  clientId: undefined,
  clientSecret: undefined,
  tokenAuthMethod: undefined,
  authorizationUrl: undefined,
  tokenUrl: undefined,
  registrationUrl: undefined,
  revocationUrl: undefined,
  scopes: undefined,
  resourceOverride: undefined,
  clientMetadataUrl: undefined,
  expires: undefined,
  grant: undefined,
  assertionFile: undefined,
  idp: undefined,
  privateKey: undefined,
};

/** The field a backend rejection is about (its `field`), or null for the whole dialog. */
export function tokenFieldOfError(error: Pick<IpcError, "field">): string | null {
  return error.field === undefined ? null : (FORM_FIELD_KEYS[error.field] ?? null);
}

export function kindLabel(t: Pick<TokenView, "kind">): string {
  return t.kind === "text" ? "Text" : "HTTP request";
}

/** How the token goes out, never with its value: `Authorization: Bearer ••••`. */
export function headerPreview(t: Pick<TokenView, "headerName" | "prefix">): string {
  const prefix = t.prefix?.trim() ? `${t.prefix.trim()} ` : "";
  return `${t.headerName}: ${prefix}••••`;
}

export type ReportSummary = { headline: string; lines: string[] };

/** A test report in words (never a token: only its first 4 characters and length). */
export function describeReport(r: TokenTestReport): ReportSummary {
  const status = r.status === null ? "No HTTP answer" : `HTTP ${r.status}`;
  const headline = `${status} in ${r.latencyMs} ms`;
  if (r.ok && r.found) {
    return {
      headline,
      lines: [`Token found at ${r.found.path}: ${r.found.preview}… (${r.found.length} characters)`],
    };
  }
  const lines: string[] = [];
  if (r.message) lines.push(r.message);
  return { headline, lines };
}

/** The response's shape as rows (`key`, `type`), or its one type for a non-object answer. */
export function shapeRows(
  shape: TokenTestReport["shape"],
): { key: string; type: string }[] | string | null {
  if (shape === null) return null;
  if (typeof shape === "string") return shape;
  return Object.entries(shape)
    .map(([key, type]) => ({ key, type }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
