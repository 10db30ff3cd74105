/**
 * The backend in component tests: Tauri's own IPC mock (`mockIPC`) answers every command
 * that `ipc.ts` invokes, so the tests go through the real wrappers, argument names and error
 * conversion. Each command is a `vi.fn` taking the command's arguments (as ipc.ts sends
 * them); a command a test didn't answer rejects with an `internal` error. Backend events
 * (`db-changed`, `deep-link`, …) are sent with `emit`.
 *
 *     const backend = mockBackend();           // in beforeEach
 *     backend.list_actions.mockResolvedValue([makeAction()]);
 *     backend.save_action.mockRejectedValue(wireError("conflict", "exists", { field: "name" }));
 *     expect(backend.save_action).toHaveBeenCalledWith({ original: null, form });
 *
 * `test/setup.ts` removes the mock after each test.
 */
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { vi, type Mock } from "vitest";

import type { IdpView } from "../bindings/IdpView";
import type { ActionForm } from "../bindings/ActionForm";
import type { ActionSeries } from "../bindings/ActionSeries";
import type { ActionView } from "../bindings/ActionView";
import type { AppStatus } from "../bindings/AppStatus";
import type { Attention } from "../bindings/Attention";
import type { ConsentDecision } from "../bindings/ConsentDecision";
import type { GatewayConsents } from "../bindings/GatewayConsents";
import type { PendingConsent } from "../bindings/PendingConsent";
import type { ApprovalCounts } from "../bindings/ApprovalCounts";
import type { ApprovalView } from "../bindings/ApprovalView";
import type { CallbackUrls } from "../bindings/CallbackUrls";
import type { ConnectionForm } from "../bindings/ConnectionForm";
import type { ConnectionView } from "../bindings/ConnectionView";
import type { DoctorReport } from "../bindings/DoctorReport";
import type { DisconnectReport } from "../bindings/DisconnectReport";
import type { ErrorBody } from "../bindings/ErrorBody";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ExportClient } from "../bindings/ExportClient";
import type { ExportReport } from "../bindings/ExportReport";
import type { ExportVia } from "../bindings/ExportVia";
import type { GatewayClientForm } from "../bindings/GatewayClientForm";
import type { GatewayClientView } from "../bindings/GatewayClientView";
import type { GatewayKeyForm } from "../bindings/GatewayKeyForm";
import type { GatewayKeyView } from "../bindings/GatewayKeyView";
import type { GatewayTool } from "../bindings/GatewayTool";
import type { ImportFileReport } from "../bindings/ImportFileReport";
import type { ImportForm } from "../bindings/ImportForm";
import type { GatewayView } from "../bindings/GatewayView";
import type { GrantView } from "../bindings/GrantView";
import type { Health } from "../bindings/Health";
import type { HttpTokenForm } from "../bindings/HttpTokenForm";
import type { LogEntry } from "../bindings/LogEntry";
import type { LogExport } from "../bindings/LogExport";
import type { LogHistogram } from "../bindings/LogHistogram";
import type { LogQuery } from "../bindings/LogQuery";
import type { NewGatewayClient } from "../bindings/NewGatewayClient";
import type { NewGatewayKey } from "../bindings/NewGatewayKey";
import type { OwnerKind } from "../bindings/OwnerKind";
import type { Provider } from "../bindings/Provider";
import type { SavedHttpToken } from "../bindings/SavedHttpToken";
import type { SeriesWindow } from "../bindings/SeriesWindow";
import type { Settings } from "../bindings/Settings";
import type { SettingsView } from "../bindings/SettingsView";
import type { TextTokenForm } from "../bindings/TextTokenForm";
import type { TokenTestReport } from "../bindings/TokenTestReport";
import type { TokenView } from "../bindings/TokenView";
import type { PageMarks } from "../ipc";
import { settingsView } from "../screens/settings/fixtures";
import { makeStatus } from "./fixtures";

type Owner = { kind: OwnerKind; name: string };
type Named = { name: string };

/** Every command ipc.ts invokes: [its arguments, its answer]. */
type Commands = {
  list_providers: [undefined, Provider[]];
  list_actions: [undefined, ActionView[]];
  app_status: [undefined, AppStatus];
  save_action: [{ original: string | null; form: ActionForm }, ActionView];
  set_action_enabled: [{ name: string; enabled: boolean }, ActionView];
  remove_action: [Named, ActionView];
  test_action: [Named, Health];
  connect: [Owner, GrantView];
  connect_with_code: [Owner, GrantView];
  list_idps: [undefined, IdpView[]];
  tray_host: [undefined, boolean];
  cancel_connect: [Owner, boolean];
  oauth_status: [Owner, GrantView];
  disconnect: [Owner, DisconnectReport];
  list_connections: [undefined, ConnectionView[]];
  save_connection: [{ original: string | null; form: ConnectionForm }, ConnectionView];
  remove_connection: [Named, ConnectionView];
  callback_urls: [undefined, CallbackUrls];
  list_tokens: [undefined, TokenView[]];
  save_text_token: [{ original: string | null; form: TextTokenForm }, TokenView];
  test_http_token_form: [{ form: HttpTokenForm }, TokenTestReport];
  add_http_token: [{ form: HttpTokenForm; saveAnyway: boolean }, SavedHttpToken];
  edit_http_token: [{ original: string; form: HttpTokenForm }, TokenView];
  test_token: [Named, TokenTestReport];
  remove_token: [Named, TokenView];
  pending_approvals: [undefined, ApprovalView[]];
  decide_approval: [{ id: string; approve: boolean }, ApprovalView];
  pending_gateway_consents: [undefined, GatewayConsents];
  attention: [undefined, Attention[]];
  decide_gateway_consent: [{ id: string; decision: ConsentDecision }, PendingConsent];
  approval_counts: [undefined, ApprovalCounts[]];
  export_preview: [{ client: ExportClient; names: string[]; via: ExportVia }, ExportReport];
  export_write: [{ client: ExportClient; names: string[]; via: ExportVia }, ExportReport];
  list_logs: [{ query: LogQuery }, LogEntry[]];
  log_histogram: [{ query: LogQuery }, LogHistogram];
  health_series: [{ window: SeriesWindow }, ActionSeries[]];
  get_log: [{ id: number }, LogEntry | null];
  export_logs: [{ query: LogQuery }, LogExport];
  get_settings: [undefined, SettingsView];
  save_settings: [{ settings: Settings }, SettingsView];
  app_ready: [{ marks: PageMarks | null }, number];
  gateway_status: [undefined, GatewayView];
  set_gateway_enabled: [{ enabled: boolean }, GatewayView];
  list_gateway_keys: [undefined, GatewayKeyView[]];
  add_gateway_key: [{ form: GatewayKeyForm }, NewGatewayKey];
  revoke_gateway_key: [Named, GatewayKeyView];
  gateway_tools: [Named, GatewayTool[]];
  list_gateway_clients: [undefined, GatewayClientView[]];
  add_gateway_client: [{ form: GatewayClientForm }, NewGatewayClient];
  rotate_gateway_client_secret: [Named, NewGatewayClient];
  revoke_gateway_client: [Named, GatewayClientView];
  reactivate_gateway_client: [Named, GatewayClientView];
  doctor: [Named, DoctorReport];
  import_scan: [undefined, ImportFileReport[]];
  import_apply: [{ form: ImportForm }, ImportFileReport[]];
};

export type Command = keyof Commands;

/** A command's mock: called with the command's arguments, answers (or rejects) as set. */
export type CommandMock<C extends Command> = Mock<
  (args: Commands[C][0]) => Promise<Commands[C][1]>
>;

export type Backend = { [C in Command]: CommandMock<C> } & {
  /** Sends a backend event to whoever listens (wrap it in `act`). */
  emit: (event: string, payload?: unknown) => void;
  /** How many listeners an event has now. */
  listeners: (event: string) => number;
  /** Answers what the app shell asks for on every screen: an ok keychain, no actions, no
   * waiting approvals, default settings, nothing to import. */
  answerShell: () => void;
};

const COMMANDS: Record<Command, true> = {
  list_providers: true,
  list_actions: true,
  app_status: true,
  save_action: true,
  set_action_enabled: true,
  remove_action: true,
  test_action: true,
  connect: true,
  connect_with_code: true,
  list_idps: true,
  tray_host: true,
  cancel_connect: true,
  oauth_status: true,
  disconnect: true,
  list_connections: true,
  save_connection: true,
  remove_connection: true,
  callback_urls: true,
  list_tokens: true,
  save_text_token: true,
  test_http_token_form: true,
  add_http_token: true,
  edit_http_token: true,
  test_token: true,
  remove_token: true,
  pending_approvals: true,
  decide_approval: true,
  pending_gateway_consents: true,
  attention: true,
  decide_gateway_consent: true,
  approval_counts: true,
  export_preview: true,
  export_write: true,
  list_logs: true,
  log_histogram: true,
  health_series: true,
  get_log: true,
  export_logs: true,
  get_settings: true,
  save_settings: true,
  app_ready: true,
  gateway_status: true,
  set_gateway_enabled: true,
  list_gateway_keys: true,
  add_gateway_key: true,
  revoke_gateway_key: true,
  gateway_tools: true,
  list_gateway_clients: true,
  add_gateway_client: true,
  rotate_gateway_client_secret: true,
  revoke_gateway_client: true,
  reactivate_gateway_client: true,
  doctor: true,
  import_scan: true,
  import_apply: true,
};

/** An error as the Rust side sends it (`ErrorBody`), for `mockRejectedValue`. */
export function wireError(
  code: ErrorCode,
  message: string,
  extra: Omit<ErrorBody, "code" | "message"> = {},
): ErrorBody {
  return { code, message, ...extra };
}

type Internals = { runCallback: (id: number, data: unknown) => void };

/** Installs the mock for this test: call it in `beforeEach` (or at the start of a test). */
export function mockBackend(): Backend {
  const mocks = Object.fromEntries(
    (Object.keys(COMMANDS) as Command[]).map((command) => [
      command,
      // Rejects as Tauri does: with the ErrorBody the Rust side sent, not an Error.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      vi.fn(() => Promise.reject(wireError("internal", `no answer for ${command} in this test`))),
    ]),
  ) as unknown as { [C in Command]: CommandMock<C> };
  const listeners = new Map<string, number[]>();

  mockIPC((command, args) => {
    const a = args as Record<string, unknown> | undefined;
    if (command === "plugin:event|listen") {
      const { event, handler } = a as { event: string; handler: number };
      listeners.set(event, [...(listeners.get(event) ?? []), handler]);
      return handler;
    }
    if (command === "plugin:event|unlisten") {
      const { event, eventId } = a as { event: string; eventId: number };
      listeners.set(
        event,
        (listeners.get(event) ?? []).filter((id) => id !== eventId),
      );
      return null;
    }
    if (!Object.hasOwn(COMMANDS, command)) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(wireError("internal", `unknown command ${command}`));
    }
    const mock = mocks[command as Command] as unknown as (args: unknown) => Promise<unknown>;
    return mock(a);
  });

  const internals = (window as unknown as { __TAURI_INTERNALS__: Internals }).__TAURI_INTERNALS__;
  return {
    ...mocks,
    emit(event, payload = null) {
      for (const id of listeners.get(event) ?? []) {
        internals.runCallback(id, { event, id, payload });
      }
    },
    listeners: (event) => listeners.get(event)?.length ?? 0,
    answerShell() {
      mocks.app_status.mockResolvedValue(makeStatus());
      mocks.list_actions.mockResolvedValue([]);
      mocks.pending_approvals.mockResolvedValue([]);
      mocks.pending_gateway_consents.mockResolvedValue({ pending: [] });
      mocks.attention.mockResolvedValue([]);
      mocks.import_scan.mockResolvedValue([]);
      mocks.get_settings.mockResolvedValue(settingsView());
      mocks.app_ready.mockResolvedValue(0);
    },
  };
}

/** Removes the mock (after each test, from test/setup.ts): outside Tauri again. */
export function clearBackend(): void {
  clearMocks();
  delete (window as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__;
  delete (window as { __TAURI_EVENT_PLUGIN_INTERNALS__?: unknown })
    .__TAURI_EVENT_PLUGIN_INTERNALS__;
}
