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

import type { ActionView } from "./bindings/ActionView";
import type { AppStatus } from "./bindings/AppStatus";
import type { ErrorCode } from "./bindings/ErrorCode";

/** Event the Rust side emits (debounced) after any change to the data store. */
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
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** Every failed backend call rejects with one of these. */
export class IpcError extends Error {
  override readonly name = "IpcError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Converts whatever an `invoke` rejected with into an {@link IpcError}.
 * `{ code, message }` bodies keep their code (if it is a known one); strings,
 * `Error`s and anything else become code `"internal"`.
 */
export function toIpcError(value: unknown): IpcError {
  if (value instanceof IpcError) return value;
  if (typeof value === "string") {
    return new IpcError("internal", value.trim() || "Unknown error", { cause: value });
  }
  if (typeof value === "object" && value !== null) {
    const { code, message } = value as { code?: unknown; message?: unknown };
    const text = typeof message === "string" && message.trim() !== "" ? message : "Unknown error";
    return new IpcError(isErrorCode(code) ? code : "internal", text, { cause: value });
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

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    const scenario = mockScenario();
    if (scenario !== null) {
      const mock = await import("./mock");
      return (await mock.handle(scenario, command)) as T;
    }
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

export function listActions(): Promise<ActionView[]> {
  return call<ActionView[]>("list_actions");
}

export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>("app_status");
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
