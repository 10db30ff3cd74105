/**
 * The single bridge between the UI and the Rust side.
 *
 * This is the ONLY module allowed to import `@tauri-apps/api` (enforced by
 * ESLint). Everything else talks to the backend through the typed wrappers
 * below, which also normalise every rejection into an {@link IpcError}.
 *
 * Outside Tauri (a plain browser during `vite` dev, or `vite preview` with a
 * `?mock=` query parameter) the calls are answered by `./mock` instead, so the
 * UI can be developed and screenshotted without the desktop shell.
 */
import { invoke, type InvokeArgs } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";

import type { ActionForm } from "./bindings/ActionForm";
import type { ActionSeries } from "./bindings/ActionSeries";
import type { ActionView } from "./bindings/ActionView";
import type { AppStatus } from "./bindings/AppStatus";
import type { Attention } from "./bindings/Attention";
import type { ApprovalCounts } from "./bindings/ApprovalCounts";
import type { ApprovalView } from "./bindings/ApprovalView";
import type { CallbackUrls } from "./bindings/CallbackUrls";
import type { ConnectionForm } from "./bindings/ConnectionForm";
import type { ConnectionView } from "./bindings/ConnectionView";
import type { DeviceCodePrompt } from "./bindings/DeviceCodePrompt";
import type { DisconnectReport } from "./bindings/DisconnectReport";
import type { IdpView } from "./bindings/IdpView";
import type { DoctorReport } from "./bindings/DoctorReport";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ExportClient } from "./bindings/ExportClient";
import type { ExportReport } from "./bindings/ExportReport";
import type { ExportVia } from "./bindings/ExportVia";
import type { FormField } from "./bindings/FormField";
import type { GatewayClientForm } from "./bindings/GatewayClientForm";
import type { GatewayClientView } from "./bindings/GatewayClientView";
import type { GatewayKeyForm } from "./bindings/GatewayKeyForm";
import type { GatewayKeyView } from "./bindings/GatewayKeyView";
import type { GatewayTool } from "./bindings/GatewayTool";
import type { GatewayView } from "./bindings/GatewayView";
import type { GrantView } from "./bindings/GrantView";
import type { Health } from "./bindings/Health";
import type { HttpTokenForm } from "./bindings/HttpTokenForm";
import type { ImportFileReport } from "./bindings/ImportFileReport";
import type { ImportForm } from "./bindings/ImportForm";
import type { LogEntry } from "./bindings/LogEntry";
import type { LogExport } from "./bindings/LogExport";
import type { LogHistogram } from "./bindings/LogHistogram";
import type { LogQuery } from "./bindings/LogQuery";
import type { NewGatewayClient } from "./bindings/NewGatewayClient";
import type { NewGatewayKey } from "./bindings/NewGatewayKey";
import type { OwnerKind } from "./bindings/OwnerKind";
import type { Provider } from "./bindings/Provider";
import type { SavedHttpToken } from "./bindings/SavedHttpToken";
import type { SeriesWindow } from "./bindings/SeriesWindow";
import type { Settings } from "./bindings/Settings";
import type { SettingsView } from "./bindings/SettingsView";
import type { SignInReturned } from "./bindings/SignInReturned";
import type { TextTokenForm } from "./bindings/TextTokenForm";
import type { TokenTestReport } from "./bindings/TokenTestReport";
import type { TokenView } from "./bindings/TokenView";
import type { PendingConsent } from "./bindings/PendingConsent";
import type { GatewayConsents } from "./bindings/GatewayConsents";
import type { ConsentDecision } from "./bindings/ConsentDecision";

/** Event the Rust side emits when another process changed the data store (it polls SQLite's
 * `data_version` every 250 ms). */
export const DATA_CHANGED_EVENT = "db-changed";

// A Record (not an array) so the compiler flags any ErrorCode added in Rust.
const ERROR_CODES: Record<ErrorCode, true> = {
  invalid_input: true,
  not_found: true,
  conflict: true,
  in_use: true,
  vault_locked: true,
  vault_unavailable: true,
  database: true,
  io: true,
  internal: true,
  discovery_failed: true,
  resource_mismatch: true,
  issuer_mismatch: true,
  pkce_unsupported: true,
  needs_client_id: true,
  registration_refused: true,
  redirect_uri_mismatch: true,
  access_denied: true,
  authorization_failed: true,
  consent_timeout: true,
  state_mismatch: true,
  token_error: true,
  unreachable: true,
  tls: true,
  port_busy: true,
  not_connected: true,
  needs_reconnect: true,
  auth_rejected: true,
  insufficient_scope: true,
  unsupported_transport: true,
  protocol: true,
  timeout: true,
  server_error: true,
  token_request_failed: true,
  circuit_open: true,
  cancelled: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

// A Record for the same reason: a FormField added in Rust must be listed here.
const FORM_FIELDS: Record<FormField, true> = {
  name: true,
  kind: true,
  url: true,
  method: true,
  headers: true,
  body: true,
  auth: true,
  description: true,
  provider: true,
  clientId: true,
  clientSecret: true,
  tokenAuthMethod: true,
  authorizationUrl: true,
  tokenUrl: true,
  registrationUrl: true,
  revocationUrl: true,
  scopes: true,
  resourceOverride: true,
  clientMetadataUrl: true,
  value: true,
  tokenPath: true,
  prefix: true,
  headerName: true,
  expires: true,
  grant: true,
  assertionFile: true,
  idp: true,
  privateKey: true,
};

export function isFormField(value: unknown): value is FormField {
  return typeof value === "string" && Object.hasOwn(FORM_FIELDS, value);
}

/** Every failed backend call rejects with one of these. */
export class IpcError extends Error {
  override readonly name = "IpcError";
  readonly code: ErrorCode;
  /** How to fix it, when the backend had something to say (often in CLI terms). */
  readonly hint: string | undefined;
  /** The form field it is about (a clash is about the name); undefined for the whole form. */
  readonly field: FormField | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; hint?: string | undefined; field?: FormField | undefined },
  ) {
    super(message, options);
    this.code = code;
    this.hint = options?.hint;
    this.field = options?.field;
  }
}

/**
 * Converts whatever an `invoke` rejected with into an {@link IpcError}.
 * `{ code, message, hint, field }` bodies keep their code and field (if they are known
 * ones); strings, `Error`s and anything else become code `"internal"`.
 */
export function toIpcError(value: unknown): IpcError {
  if (value instanceof IpcError) return value;
  if (typeof value === "string") {
    return new IpcError("internal", value.trim() || "Unknown error", { cause: value });
  }
  if (typeof value === "object" && value !== null) {
    const { code, message, hint, field } = value as {
      code?: unknown;
      message?: unknown;
      hint?: unknown;
      field?: unknown;
    };
    const text = typeof message === "string" && message.trim() !== "" ? message : "Unknown error";
    return new IpcError(isErrorCode(code) ? code : "internal", text, {
      cause: value,
      hint: typeof hint === "string" && hint.trim() !== "" ? hint : undefined,
      field: isFormField(field) ? field : undefined,
    });
  }
  return new IpcError("internal", `Unexpected error: ${String(value)}`, { cause: value });
}

/** True inside the Tauri webview (the IPC bridge is injected before any script runs). */
export function isTauri(): boolean {
  return (
    typeof window !== "undefined" &&
    (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ !== undefined
  );
}

/**
 * The mock scenario to use, or null for the real backend. Never non-null
 * inside Tauri. In a browser: `?mock=<scenario>` wins; dev builds default to
 * "list".
 */
function mockScenario(): string | null {
  if (isTauri() || typeof window === "undefined") return null;
  const param = new URLSearchParams(window.location.search).get("mock");
  if (param) return param;
  return import.meta.env.DEV ? "list" : null;
}

/** Answers asked for before anything needed them (`startEarly`), each used once. */
const early = new Map<string, Promise<unknown>>();

/**
 * Start these argument-less commands now; the next call of each gets this answer (or
 * error) instead of asking again. Only inside the app (the mock answers at once anyway).
 */
export function startEarly(commands: readonly string[]): void {
  if (!isTauri()) return;
  for (const command of commands) {
    if (early.has(command)) continue;
    const answer = call(command);
    // Whoever takes it handles its error; until then it is not an unhandled rejection.
    answer.catch(() => undefined);
    early.set(command, answer);
  }
}

/**
 * The answer of an early command, taken, when it arrives within `ms`; `undefined` when it
 * failed, is late, or was never started (it then stays for the next call, which reports
 * the error or waits for the answer as any call would).
 */
export async function takeEarly(
  command: string,
  ms: number,
): Promise<{ value: unknown } | undefined> {
  const answer = early.get(command);
  if (answer === undefined) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  const got = await Promise.race([
    answer.then(
      (value) => ({ value }),
      () => undefined,
    ),
    late,
  ]);
  clearTimeout(timer);
  if (got !== undefined && early.get(command) === answer) early.delete(command);
  return got;
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  const started = args === undefined ? early.get(command) : undefined;
  if (started !== undefined) {
    early.delete(command);
    return started as Promise<T>;
  }
  try {
    const scenario = mockScenario();
    if (scenario !== null) {
      const mock = await import("./mock");
      return (await mock.handle(
        scenario,
        command,
        args as Record<string, unknown> | undefined,
      )) as T;
    }
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

/** The provider gallery (a data file in core). */
export function listProviders(): Promise<Provider[]> {
  return call<Provider[]>("list_providers");
}

export function listActions(): Promise<ActionView[]> {
  return call<ActionView[]>("list_actions");
}

export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>("app_status");
}

// ---- Actions ---------------------------------------------------------------

/** Create (`original` null) or update the action named `original`. */
export function saveAction(original: string | null, form: ActionForm): Promise<ActionView> {
  return call<ActionView>("save_action", { original, form });
}

export function setActionEnabled(name: string, enabled: boolean): Promise<ActionView> {
  return call<ActionView>("set_action_enabled", { name, enabled });
}

export function removeAction(name: string): Promise<ActionView> {
  return call<ActionView>("remove_action", { name });
}

/** Test Connection: health is stored and returned. */
export function testAction(name: string): Promise<Health> {
  return call<Health>("test_action", { name });
}

// ---- OAuth sign-in (actions and connections) ---------------------------------

/**
 * Opens the system browser and resolves once the sign-in came back (loopback
 * callback or app link), timed out, failed, or was cancelled (`cancelled`).
 */
export function connect(kind: OwnerKind, name: string): Promise<GrantView> {
  return call<GrantView>("connect", { kind, name });
}

/**
 * Sign in with a code on another device (RFC 8628): the code arrives as the `device-code`
 * event (`onDeviceCode`) once the server gave it; resolves once the user approved, or
 * rejects (refused, expired, `cancelled` through `cancelConnect`).
 */
export function connectWithCode(kind: OwnerKind, name: string): Promise<GrantView> {
  return call<GrantView>("connect_with_code", { kind, name });
}

/** Whether this desktop shows a system tray (where closing the window can leave the app). */
export function trayHost(): Promise<boolean> {
  return call<boolean>("tray_host");
}

/** The enterprise identity providers (`patchbay idp`), for the enterprise-managed grant. */
export function listIdps(): Promise<IdpView[]> {
  return call<IdpView[]>("list_idps");
}

/** Event: a device sign-in's verification URL and code. */
export const DEVICE_CODE_EVENT = "device-code";

/** Calls `cb` when a device sign-in started from this window has its code. */
export async function onDeviceCode(cb: (p: DeviceCodePrompt) => void): Promise<() => void> {
  if (mockScenario() !== null) {
    const mock = await import("./mock");
    return mock.onDeviceCode(cb);
  }
  return listen<DeviceCodePrompt>(DEVICE_CODE_EVENT, (event) => cb(event.payload));
}

/** Stops a sign-in that waits for the browser. Resolves to false if none was waiting. */
export function cancelConnect(kind: OwnerKind, name: string): Promise<boolean> {
  return call<boolean>("cancel_connect", { kind, name });
}

export function oauthStatus(kind: OwnerKind, name: string): Promise<GrantView> {
  return call<GrantView>("oauth_status", { kind, name });
}

/** Revokes at the provider (RFC 7009) where it can, and forgets the tokens. */
export function disconnect(kind: OwnerKind, name: string): Promise<DisconnectReport> {
  return call<DisconnectReport>("disconnect", { kind, name });
}

// ---- OAuth connections ---------------------------------------------------------

export function listConnections(): Promise<ConnectionView[]> {
  return call<ConnectionView[]>("list_connections");
}

export function saveConnection(
  original: string | null,
  form: ConnectionForm,
): Promise<ConnectionView> {
  return call<ConnectionView>("save_connection", { original, form });
}

export function removeConnection(name: string): Promise<ConnectionView> {
  return call<ConnectionView>("remove_connection", { name });
}

/** The redirect URIs to register with a provider (loopback and app link). */
export function callbackUrls(): Promise<CallbackUrls> {
  return call<CallbackUrls>("callback_urls");
}

// ---- Tokens ------------------------------------------------------------------

export function listTokens(): Promise<TokenView[]> {
  return call<TokenView[]>("list_tokens");
}

export function saveTextToken(original: string | null, form: TextTokenForm): Promise<TokenView> {
  return call<TokenView>("save_text_token", { original, form });
}

/** "Test request" on an unsaved HTTP request token: nothing is stored. */
export function testHttpTokenForm(form: HttpTokenForm): Promise<TokenTestReport> {
  return call<TokenTestReport>("test_http_token_form", { form });
}

/**
 * Saves a new HTTP request token once its request passes; `saveAnyway` skips
 * the test. A failing test rejects with `token_request_failed` and saves nothing.
 */
export function addHttpToken(form: HttpTokenForm, saveAnyway: boolean): Promise<SavedHttpToken> {
  return call<SavedHttpToken>("add_http_token", { form, saveAnyway });
}

/** Edits name, description, prefix, header and JSONPath of an HTTP request token. */
export function editHttpToken(original: string, form: HttpTokenForm): Promise<TokenView> {
  return call<TokenView>("edit_http_token", { original, form });
}

/** Performs a saved HTTP request token's request again and reports. */
export function testToken(name: string): Promise<TokenTestReport> {
  return call<TokenTestReport>("test_token", { name });
}

export function removeToken(name: string): Promise<TokenView> {
  return call<TokenView>("remove_token", { name });
}

/**
 * Calls `cb` whenever the backend reports that stored data changed (from this
 * app or any other process). Resolves to an unlisten function.
 */
export async function onDataChanged(cb: () => void): Promise<() => void> {
  if (mockScenario() !== null) return () => {};
  return listen(DATA_CHANGED_EVENT, () => cb());
}

/** Event carrying a `patchbay://…` (or `dev.patchbay.app:…`) URL the app was opened with. */
export const DEEP_LINK_EVENT = "deep-link";

/**
 * Calls `cb` with each app link the OS hands to the running app (a second
 * launch is forwarded here by the single-instance plugin). Resolves to an
 * unlisten function.
 */
export async function onDeepLink(cb: (url: string) => void): Promise<() => void> {
  if (mockScenario() !== null) return () => {};
  return listen<string>(DEEP_LINK_EVENT, (event) => cb(event.payload));
}

// ---- End-user confirmation ---------------------------------------------------------

/** Tool calls waiting for the user's Approve / Deny (any process may have asked). */
export function pendingApprovals(): Promise<ApprovalView[]> {
  return call<ApprovalView[]>("pending_approvals");
}

/** The user's decision; rejects if the request was already decided or expired. */
export function decideApproval(id: string, approve: boolean): Promise<ApprovalView> {
  return call<ApprovalView>("decide_approval", { id, approve });
}

/** Browser sign-ins of local apps waiting for the user's consent (any gateway asked). */
export function pendingGatewayConsents(): Promise<GatewayConsents> {
  return call<GatewayConsents>("pending_gateway_consents");
}

/** Allow (with the actions chosen; none: what it asked for) or deny a waiting sign-in. */
export function decideGatewayConsent(
  id: string,
  decision: ConsentDecision,
): Promise<PendingConsent> {
  return call<PendingConsent>("decide_gateway_consent", { id, decision });
}

/** What needs the user now: reconnects, approvals, consents, open breakers, with fixes. */
export function attention(): Promise<Attention[]> {
  return call<Attention[]>("attention");
}

/** Approvals, denials and expiries per action. */
export function approvalCounts(): Promise<ApprovalCounts[]> {
  return call<ApprovalCounts[]>("approval_counts");
}

// ---- Export to local MCP clients ---------------------------------------------------------

/**
 * The entries `client` would get for these actions, through `patchbay proxy` or the gateway
 * (`via`), in its own format, and where its config file is. Empty `names`: every enabled MCP
 * action (proxy), or one entry for the gateway's `/mcp`. Writes nothing.
 */
export function exportPreview(
  client: ExportClient,
  names: string[],
  via: ExportVia,
): Promise<ExportReport> {
  return call<ExportReport>("export_preview", { client, names, via });
}

/**
 * Merges the entries into the client's config file: other entries and comments are kept
 * (gateway entries take out the `patchbay proxy` entries they replace), a timestamped backup
 * is written first, an unparseable file is refused untouched.
 */
export function exportWrite(
  client: ExportClient,
  names: string[],
  via: ExportVia,
): Promise<ExportReport> {
  return call<ExportReport>("export_write", { client, names, via });
}

// ---- Import from other MCP clients ------------------------------------------------------

/**
 * What the other MCP clients' config files (Claude Desktop, Claude Code, Cursor, VS Code,
 * Windsurf, Codex) and mcp-remote's token store hold: a dry run of `patchbay import`, one
 * report per file. Changes nothing.
 */
export function importScan(): Promise<ImportFileReport[]> {
  return call<ImportFileReport[]>("import_scan");
}

/**
 * Imports the entries `form` names (tokens into the keychain, mcp-remote's sign-ins moved)
 * and rewrites the ones it names for that, as `patchbay import --rewrite` does.
 */
export function importApply(form: ImportForm): Promise<ImportFileReport[]> {
  return call<ImportFileReport[]>("import_apply", { form });
}

// ---- Logs ---------------------------------------------------------------------

/**
 * Log rows matching `query`, oldest first: the most recent `limit` rows, or with `afterId`
 * the rows after that one (for following). Request and response are already redacted.
 */
export function listLogs(query: LogQuery): Promise<LogEntry[]> {
  return call<LogEntry[]>("list_logs", { query });
}

/** The rows `query` selects, counted per time bucket over its range (the Logs histogram). */
export function logHistogram(query: LogQuery): Promise<LogHistogram> {
  return call<LogHistogram>("log_histogram", { query });
}

/** Every action's calls, errors and p50/p95 latency per hour over the last 24 h or 7 days. */
export function healthSeries(window: SeriesWindow): Promise<ActionSeries[]> {
  return call<ActionSeries[]>("health_series", { window });
}

/** One whole log row (request and response included); null once retention removed it. */
export function getLog(id: number): Promise<LogEntry | null> {
  return call<LogEntry | null>("get_log", { id });
}

/** Writes the rows `query` selects as JSON lines into the Downloads folder. */
export function exportLogs(query: LogQuery): Promise<LogExport> {
  return call<LogExport>("export_logs", { query });
}

// ---- Settings ----------------------------------------------------------------

export function getSettings(): Promise<SettingsView> {
  return call<SettingsView>("get_settings");
}

/** Saves every setting at once; one bad value saves nothing (`invalid_input`). */
export function saveSettings(settings: Settings): Promise<SettingsView> {
  return call<SettingsView>("save_settings", { settings });
}

// ---- The local gateway ---------------------------------------------------------------

/**
 * The Gateway screen: the `gatewayEnabled` setting, who serves this profile's gateway (this
 * app, another process, nobody), its recent clients, and why the app's gateway does not run
 * when it should (`error`).
 */
export function gatewayStatus(): Promise<GatewayView> {
  return call<GatewayView>("gateway_status");
}

/**
 * Saves `gatewayEnabled`; the app then starts or stops its gateway and answers how that went
 * (a failed start is in `error`, and turning it on again tries again).
 */
export function setGatewayEnabled(enabled: boolean): Promise<GatewayView> {
  return call<GatewayView>("set_gateway_enabled", { enabled });
}

/** Every access key (never the key itself). */
export function listGatewayKeys(): Promise<GatewayKeyView[]> {
  return call<GatewayKeyView[]>("list_gateway_keys");
}

/** Creates an access key; the answer's `key` is the only copy there will ever be. */
export function addGatewayKey(form: GatewayKeyForm): Promise<NewGatewayKey> {
  return call<NewGatewayKey>("add_gateway_key", { form });
}

/** Revokes an access key: the next request with it is refused. */
export function revokeGatewayKey(name: string): Promise<GatewayKeyView> {
  return call<GatewayKeyView>("revoke_gateway_key", { name });
}

/** Every OAuth client of the gateway's own authorization server (never a secret). */
export function listGatewayClients(): Promise<GatewayClientView[]> {
  return call<GatewayClientView[]>("list_gateway_clients");
}

/**
 * Makes a custom OAuth client; a confidential one's `clientSecret` in the answer is the only
 * copy there will ever be.
 */
export function addGatewayClient(form: GatewayClientForm): Promise<NewGatewayClient> {
  return call<NewGatewayClient>("add_gateway_client", { form });
}

/** A new secret for a confidential client (shown once); the old one stops working at once. */
export function rotateGatewayClientSecret(name: string): Promise<NewGatewayClient> {
  return call<NewGatewayClient>("rotate_gateway_client_secret", { name });
}

/** Revokes an OAuth client: every token it holds stops working at once. */
export function revokeGatewayClient(name: string): Promise<GatewayClientView> {
  return call<GatewayClientView>("revoke_gateway_client", { name });
}

/** Lets a revoked client sign in again; none of its old tokens comes back. */
export function reactivateGatewayClient(name: string): Promise<GatewayClientView> {
  return call<GatewayClientView>("reactivate_gateway_client", { name });
}

/** The tools of an MCP action, asked of its server (it may be unreachable). */
export function gatewayTools(name: string): Promise<GatewayTool[]> {
  return call<GatewayTool[]>("gateway_tools", { name });
}

/**
 * The page's start-up marks by name, `performance.now()` values (ms since the page began
 * loading), `now` the moment of sending. Only for the start-up breakdown.
 */
export type PageMarks = Record<string, number> & { now: number };

/** Tells the app its first screen rendered; resolves to the milliseconds since it started. */
export function appReady(marks?: PageMarks): Promise<number> {
  return call<number>("app_ready", { marks: marks ?? null });
}

/** Event: an app-link sign-in callback reached this instance and finished its flow. */
export const SIGN_IN_RETURNED_EVENT = "sign-in-returned";

/** `matched`: a pending sign-in took the link (its Connect call reports the outcome). */
export type { SignInReturned };

/** Calls `cb` when a sign-in comes back through the app link (the window is brought forward). */
export async function onSignInReturned(cb: (r: SignInReturned) => void): Promise<() => void> {
  if (mockScenario() !== null) return () => {};
  return listen<SignInReturned>(SIGN_IN_RETURNED_EVENT, (event) => cb(event.payload));
}

/** Diagnose: the action's step-by-step trace (redacted), as `patchbay doctor NAME`. */
export function doctor(name: string): Promise<DoctorReport> {
  return call<DoctorReport>("doctor", { name });
}
