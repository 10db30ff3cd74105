//! TypeScript bindings for the UI (`ui/src/bindings/`), generated from the wire types with
//! ts-rs. `make bindings` rewrites them; the test suite fails when they drift.

use std::path::Path;

use ts_rs::{Config, TS};

use crate::*;

/// Write every wire type (and what it refers to) into `dir`, one `.ts` file per type.
pub fn export(dir: &Path) -> Result<(), ts_rs::ExportError> {
    // JSON numbers, not bigint: our integers (latencies, counts) are far below 2^53.
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    ActionView::export_all(&cfg)?;
    ConnectionView::export_all(&cfg)?;
    TokenView::export_all(&cfg)?;
    AppStatus::export_all(&cfg)?;
    ErrorBody::export_all(&cfg)?;
    GrantView::export_all(&cfg)?;
    DisconnectReport::export_all(&cfg)?;
    DeviceCodePrompt::export_all(&cfg)?;
    IdpView::export_all(&cfg)?;
    TokenTestReport::export_all(&cfg)?;
    LogEntry::export_all(&cfg)?;
    LogQuery::export_all(&cfg)?;
    ActionForm::export_all(&cfg)?;
    ConnectionForm::export_all(&cfg)?;
    TextTokenForm::export_all(&cfg)?;
    HttpTokenForm::export_all(&cfg)?;
    SavedHttpToken::export_all(&cfg)?;
    CallbackUrls::export_all(&cfg)?;
    OwnerKind::export_all(&cfg)?;
    ApprovalView::export_all(&cfg)?;
    ApprovalCounts::export_all(&cfg)?;
    Health::export_all(&cfg)?;
    ExportReport::export_all(&cfg)?;
    Provider::export_all(&cfg)?;
    SettingsView::export_all(&cfg)?;
    LogExport::export_all(&cfg)?;
    SignInReturned::export_all(&cfg)?;
    GatewayKeyView::export_all(&cfg)?;
    NewGatewayKey::export_all(&cfg)?;
    GatewayStatus::export_all(&cfg)?;
    GatewayView::export_all(&cfg)?;
    GatewayKeyForm::export_all(&cfg)?;
    GatewayTool::export_all(&cfg)?;
    GatewayConsents::export_all(&cfg)?;
    ConsentDecision::export_all(&cfg)?;
    Attention::export_all(&cfg)?;
    GatewayClientView::export_all(&cfg)?;
    NewGatewayClient::export_all(&cfg)?;
    GatewayClientForm::export_all(&cfg)?;
    DoctorReport::export_all(&cfg)?;
    ImportFileReport::export_all(&cfg)?;
    ImportForm::export_all(&cfg)?;
    ActionSeries::export_all(&cfg)?;
    LogHistogram::export_all(&cfg)?;
    Ok(())
}
