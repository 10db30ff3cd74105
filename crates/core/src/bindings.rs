//! TypeScript bindings for the UI (`ui/src/bindings/`), generated from the wire types with
//! ts-rs. `make bindings` rewrites them; the test suite fails when they drift.

use std::path::Path;

use ts_rs::{Config, TS};

use crate::error::ErrorBody;
use crate::model::{ActionView, AppStatus, ConnectionView, DisconnectReport, GrantView, TokenView};

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
    crate::runtime::http_token::TokenTestReport::export_all(&cfg)?;
    crate::logs::LogEntry::export_all(&cfg)?;
    crate::logs::LogQuery::export_all(&cfg)?;
    crate::forms::ActionForm::export_all(&cfg)?;
    crate::forms::ConnectionForm::export_all(&cfg)?;
    crate::forms::TextTokenForm::export_all(&cfg)?;
    crate::forms::HttpTokenForm::export_all(&cfg)?;
    crate::forms::SavedHttpToken::export_all(&cfg)?;
    crate::forms::CallbackUrls::export_all(&cfg)?;
    crate::forms::OwnerKind::export_all(&cfg)?;
    crate::approvals::ApprovalView::export_all(&cfg)?;
    crate::approvals::ApprovalCounts::export_all(&cfg)?;
    crate::model::Health::export_all(&cfg)?;
    crate::export::ExportReport::export_all(&cfg)?;
    crate::providers::Provider::export_all(&cfg)?;
    crate::settings::SettingsView::export_all(&cfg)?;
    crate::logs::LogExport::export_all(&cfg)?;
    crate::model::SignInReturned::export_all(&cfg)?;
    Ok(())
}
