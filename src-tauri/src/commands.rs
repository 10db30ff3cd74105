//! One-line adapters from `invoke` to core. No logic lives here.

use patchbay_core::ErrorBody;
use patchbay_core::approvals::{ApprovalCounts, ApprovalView};
use patchbay_core::export::{ExportClient, ExportReport, ExportVia};
use patchbay_core::forms::{
    ActionForm, CallbackUrls, ConnectionForm, HttpTokenForm, OwnerKind, SavedHttpToken,
    TextTokenForm,
};
use patchbay_core::logs::{LogEntry, LogExport, LogHistogram, LogQuery};
use patchbay_core::model::{
    ActionSeries, ActionView, AppStatus, Attention, ConnectionView, ConsentDecision,
    DisconnectReport, DoctorReport, GatewayClientForm, GatewayClientView, GatewayConsents,
    GatewayKeyForm, GatewayKeyView, GatewayTool, GatewayView, GrantView, Health, IdpView,
    ImportFileReport, ImportForm, NewGatewayClient, NewGatewayKey, PendingConsent, SeriesWindow,
    TokenView,
};
use patchbay_core::providers::Provider;
use patchbay_core::runtime::http_token::TokenTestReport;
use patchbay_core::settings::{Settings, SettingsView};
use tauri::State;

use crate::{PageMarks, Shell};

type Res<T> = Result<T, ErrorBody>;

#[tauri::command]
pub async fn list_actions(shell: State<'_, Shell>) -> Res<Vec<ActionView>> {
    shell.run(|pb| pb.list_actions()).await
}

#[tauri::command]
pub async fn app_status(shell: State<'_, Shell>) -> Res<AppStatus> {
    shell.app_status().await
}

#[tauri::command]
pub async fn save_action(
    shell: State<'_, Shell>,
    original: Option<String>,
    form: ActionForm,
) -> Res<ActionView> {
    shell
        .run(move |pb| pb.save_action_form(original.as_deref(), form))
        .await
}

#[tauri::command]
pub async fn set_action_enabled(
    shell: State<'_, Shell>,
    name: String,
    enabled: bool,
) -> Res<ActionView> {
    shell
        .run(move |pb| pb.set_action_enabled(&name, enabled))
        .await
}

#[tauri::command]
pub async fn remove_action(shell: State<'_, Shell>, name: String) -> Res<ActionView> {
    shell.run(move |pb| pb.remove_action(&name)).await
}

#[tauri::command]
pub async fn test_action(shell: State<'_, Shell>, name: String) -> Res<Health> {
    shell
        .run_async(move |pb| async move { pb.test_action(&name).await })
        .await
}

#[tauri::command]
pub async fn connect(shell: State<'_, Shell>, kind: OwnerKind, name: String) -> Res<GrantView> {
    shell.connect(kind, name).await
}

/// Whether the desktop shows a tray (a StatusNotifier host on the session bus), asked now.
#[tauri::command]
pub async fn tray_host(tray: State<'_, crate::tray::Tray>) -> Res<bool> {
    Ok(tray.look_for_host_now())
}

#[tauri::command]
pub async fn list_idps(shell: State<'_, Shell>) -> Res<Vec<IdpView>> {
    shell.run(|pb| pb.list_idps()).await
}

#[tauri::command]
pub async fn connect_with_code(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    kind: OwnerKind,
    name: String,
) -> Res<GrantView> {
    shell.connect_with_code(app, kind, name).await
}

#[tauri::command]
pub async fn cancel_connect(shell: State<'_, Shell>, kind: OwnerKind, name: String) -> Res<bool> {
    Ok(shell.cancel_connect(kind, &name))
}

#[tauri::command]
pub async fn oauth_status(
    shell: State<'_, Shell>,
    kind: OwnerKind,
    name: String,
) -> Res<GrantView> {
    shell
        .run(move |pb| pb.oauth_status(kind.into(), &name))
        .await
}

#[tauri::command]
pub async fn disconnect(
    shell: State<'_, Shell>,
    kind: OwnerKind,
    name: String,
) -> Res<DisconnectReport> {
    shell
        .run_async(move |pb| async move { pb.disconnect(kind.into(), &name).await })
        .await
}

#[tauri::command]
pub async fn list_connections(shell: State<'_, Shell>) -> Res<Vec<ConnectionView>> {
    shell.run(|pb| pb.list_connections()).await
}

#[tauri::command]
pub async fn save_connection(
    shell: State<'_, Shell>,
    original: Option<String>,
    form: ConnectionForm,
) -> Res<ConnectionView> {
    shell
        .run(move |pb| pb.save_connection_form(original.as_deref(), form))
        .await
}

#[tauri::command]
pub async fn remove_connection(shell: State<'_, Shell>, name: String) -> Res<ConnectionView> {
    shell.run(move |pb| pb.remove_connection(&name)).await
}

#[tauri::command]
pub async fn callback_urls(shell: State<'_, Shell>) -> Res<CallbackUrls> {
    shell.run(|pb| Ok(pb.callback_urls())).await
}

#[tauri::command]
pub async fn list_tokens(shell: State<'_, Shell>) -> Res<Vec<TokenView>> {
    shell.run(|pb| pb.list_tokens()).await
}

#[tauri::command]
pub async fn save_text_token(
    shell: State<'_, Shell>,
    original: Option<String>,
    form: TextTokenForm,
) -> Res<TokenView> {
    shell
        .run(move |pb| pb.save_text_token_form(original.as_deref(), form))
        .await
}

#[tauri::command]
pub async fn test_http_token_form(
    shell: State<'_, Shell>,
    form: HttpTokenForm,
) -> Res<TokenTestReport> {
    shell
        .run_async(move |pb| async move { pb.test_http_token_form(form).await })
        .await
}

#[tauri::command]
pub async fn add_http_token(
    shell: State<'_, Shell>,
    form: HttpTokenForm,
    save_anyway: bool,
) -> Res<SavedHttpToken> {
    shell
        .run_async(move |pb| async move { pb.add_http_token_form(form, save_anyway).await })
        .await
}

#[tauri::command]
pub async fn edit_http_token(
    shell: State<'_, Shell>,
    original: String,
    form: HttpTokenForm,
) -> Res<TokenView> {
    shell
        .run(move |pb| pb.edit_http_token_form(&original, form))
        .await
}

#[tauri::command]
pub async fn test_token(shell: State<'_, Shell>, name: String) -> Res<TokenTestReport> {
    shell
        .run_async(move |pb| async move { pb.test_token(&name).await })
        .await
}

#[tauri::command]
pub async fn remove_token(shell: State<'_, Shell>, name: String) -> Res<TokenView> {
    shell.run(move |pb| pb.remove_token(&name)).await
}

#[tauri::command]
pub async fn pending_approvals(shell: State<'_, Shell>) -> Res<Vec<ApprovalView>> {
    shell.run(|pb| pb.pending_approvals()).await
}

#[tauri::command]
pub async fn decide_approval(
    shell: State<'_, Shell>,
    id: String,
    approve: bool,
) -> Res<ApprovalView> {
    shell.run(move |pb| pb.decide_approval(&id, approve)).await
}

/// Browser sign-ins of local apps waiting for the user's consent (any gateway process asked).
#[tauri::command]
pub async fn pending_gateway_consents(shell: State<'_, Shell>) -> Res<GatewayConsents> {
    shell.run(|pb| pb.pending_gateway_consents()).await
}

/// The consent prompt's answer: approve with the actions chosen, or deny.
#[tauri::command]
pub async fn decide_gateway_consent(
    shell: State<'_, Shell>,
    id: String,
    decision: ConsentDecision,
) -> Res<PendingConsent> {
    shell
        .run(move |pb| pb.decide_gateway_consent(&id, decision))
        .await
}

/// What needs the user now (the Actions screen's bar): reconnects, approvals, consents, open
/// breakers, each with its fix.
#[tauri::command]
pub async fn attention(shell: State<'_, Shell>) -> Res<Vec<Attention>> {
    shell.run(|pb| pb.attention()).await
}

#[tauri::command]
pub async fn approval_counts(shell: State<'_, Shell>) -> Res<Vec<ApprovalCounts>> {
    shell.run(|pb| pb.approval_counts()).await
}

/// The Export screen: a client's entries (and where they go) for these actions, through
/// `patchbay proxy` or the gateway.
#[tauri::command]
pub async fn export_preview(
    shell: State<'_, Shell>,
    client: ExportClient,
    names: Vec<String>,
    via: ExportVia,
) -> Res<ExportReport> {
    shell
        .run(move |pb| pb.export_from_app(client, &names, via, false))
        .await
}

/// "Write to config": merge them into the client's config file (with a backup).
#[tauri::command]
pub async fn export_write(
    shell: State<'_, Shell>,
    client: ExportClient,
    names: Vec<String>,
    via: ExportVia,
) -> Res<ExportReport> {
    shell
        .run(move |pb| pb.export_from_app(client, &names, via, true))
        .await
}

/// The Import card: what the other MCP clients' config files and mcp-remote's store hold,
/// as a dry run of `patchbay import` (nothing changes).
#[tauri::command]
pub async fn import_scan(shell: State<'_, Shell>) -> Res<Vec<ImportFileReport>> {
    shell
        .run_async(|pb| async move { pb.import_scan().await })
        .await
}

/// The Import button: the entries checked, and the rewrites checked (`patchbay import`).
#[tauri::command]
pub async fn import_apply(shell: State<'_, Shell>, form: ImportForm) -> Res<Vec<ImportFileReport>> {
    shell
        .run_async(move |pb| async move { pb.import_chosen(form).await })
        .await
}

#[tauri::command]
pub async fn list_logs(shell: State<'_, Shell>, query: LogQuery) -> Res<Vec<LogEntry>> {
    shell.run(move |pb| pb.logs(&query)).await
}

/// The rows `query` selects, counted per time bucket (the Logs screen's histogram).
#[tauri::command]
pub async fn log_histogram(shell: State<'_, Shell>, query: LogQuery) -> Res<LogHistogram> {
    shell.run(move |pb| pb.log_histogram(&query)).await
}

/// Every action's calls, errors and latency per hour over the last 24 hours or 7 days.
#[tauri::command]
pub async fn health_series(
    shell: State<'_, Shell>,
    window: SeriesWindow,
) -> Res<Vec<ActionSeries>> {
    shell.run(move |pb| pb.health_series(window)).await
}

#[tauri::command]
pub async fn get_log(shell: State<'_, Shell>, id: i64) -> Res<Option<LogEntry>> {
    shell.run(move |pb| pb.log_entry(id)).await
}

/// JSON lines of the rows `query` selects, into the user's Downloads folder (else home).
#[tauri::command]
pub async fn export_logs(shell: State<'_, Shell>, query: LogQuery) -> Res<LogExport> {
    shell
        .run(move |pb| pb.export_logs(&query, &patchbay_core::paths::downloads_dir()?))
        .await
}

#[tauri::command]
pub fn list_providers() -> Vec<Provider> {
    patchbay_core::providers::providers().to_vec()
}

#[tauri::command]
pub async fn get_settings(shell: State<'_, Shell>) -> Res<SettingsView> {
    shell.run(|pb| pb.settings_view()).await
}

#[tauri::command]
pub async fn save_settings(shell: State<'_, Shell>, settings: Settings) -> Res<SettingsView> {
    shell.run(move |pb| pb.save_settings(&settings)).await
}

/// The Gateway screen: the setting, who serves the gateway, recent clients, and why the app's
/// own gateway does not run when it should.
#[tauri::command]
pub async fn gateway_status(shell: State<'_, Shell>) -> Res<GatewayView> {
    shell.gateway_view().await
}

/// The Gateway screen's switch (`gatewayEnabled`): the app starts or stops its gateway.
#[tauri::command]
pub async fn set_gateway_enabled(shell: State<'_, Shell>, enabled: bool) -> Res<GatewayView> {
    shell.set_gateway_enabled(enabled).await
}

#[tauri::command]
pub async fn list_gateway_keys(shell: State<'_, Shell>) -> Res<Vec<GatewayKeyView>> {
    shell.run(|pb| pb.list_gateway_keys()).await
}

/// A new access key: the answer holds the key, the only time it is ever shown.
#[tauri::command]
pub async fn add_gateway_key(shell: State<'_, Shell>, form: GatewayKeyForm) -> Res<NewGatewayKey> {
    shell.run(move |pb| pb.add_gateway_key_form(form)).await
}

#[tauri::command]
pub async fn revoke_gateway_key(shell: State<'_, Shell>, name: String) -> Res<GatewayKeyView> {
    shell.run(move |pb| pb.revoke_gateway_key(&name)).await
}

/// Every OAuth client of the gateway's own authorization server (never a secret).
#[tauri::command]
pub async fn list_gateway_clients(shell: State<'_, Shell>) -> Res<Vec<GatewayClientView>> {
    shell.run(|pb| pb.list_gateway_clients()).await
}

/// A new custom OAuth client: a confidential one's secret is in the answer, the only time it
/// is ever shown.
#[tauri::command]
pub async fn add_gateway_client(
    shell: State<'_, Shell>,
    form: GatewayClientForm,
) -> Res<NewGatewayClient> {
    shell.run(move |pb| pb.add_gateway_client_form(form)).await
}

/// A new secret for a confidential client (shown once); the old one stops working at once.
#[tauri::command]
pub async fn rotate_gateway_client_secret(
    shell: State<'_, Shell>,
    name: String,
) -> Res<NewGatewayClient> {
    shell
        .run(move |pb| pb.rotate_gateway_client_secret(&name))
        .await
}

/// Revoke a client: every token it holds stops working at once.
#[tauri::command]
pub async fn revoke_gateway_client(
    shell: State<'_, Shell>,
    name: String,
) -> Res<GatewayClientView> {
    shell.run(move |pb| pb.revoke_gateway_client(&name)).await
}

/// Let a revoked client sign in again (none of its old tokens comes back).
#[tauri::command]
pub async fn reactivate_gateway_client(
    shell: State<'_, Shell>,
    name: String,
) -> Res<GatewayClientView> {
    shell
        .run(move |pb| pb.reactivate_gateway_client(&name))
        .await
}

/// An MCP action's tools, from its server (for limiting a key to some of them).
#[tauri::command]
pub async fn gateway_tools(shell: State<'_, Shell>, name: String) -> Res<Vec<GatewayTool>> {
    shell
        .run_async(move |pb| async move { pb.gateway_tools(&name).await })
        .await
}

/// The window rendered its first screen: milliseconds since the app started. `marks`: the
/// page's own start-up marks, for the benchmark's breakdown.
#[tauri::command]
pub fn app_ready(shell: State<'_, Shell>, marks: Option<PageMarks>) -> u64 {
    shell.ready(marks)
}

/// Diagnose: the action's step-by-step trace (redacted), as `patchbay doctor NAME`.
#[tauri::command]
pub async fn doctor(shell: State<'_, Shell>, name: String) -> Res<DoctorReport> {
    shell
        .run_async(move |pb| async move { pb.doctor(&name).await })
        .await
}
