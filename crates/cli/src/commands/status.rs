//! `patchbay status [NAME]`, `settings` and `providers`: what the profile holds.

use patchbay_core::model::{Attention, VaultStatus};
use patchbay_core::{Kind, Result};
use serde::Serialize;

use super::{Status, open};
use crate::args::SettingsCmd;
use crate::{outln, output};

/// `status --json` (no NAME).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileStatus {
    version: String,
    home: String,
    profile_id: String,
    database: std::path::PathBuf,
    schema_version: i64,
    vault: VaultStatus,
    /// What needs the user now (reconnects, approvals, consents, open breakers), with fixes.
    attention: Vec<Attention>,
}

/// `status NAME` (an action) or `connection status NAME`: whether it is connected, as whom.
pub fn grant(kind: Kind, name: &str, json: bool) -> Result<Status> {
    let g = open(false)?.oauth_status(kind, name)?;
    if json {
        output::json(&g);
    } else {
        output::grant(name, &g);
    }
    Ok(Status::Done)
}

/// `status`: version, folders, schema, keychain, and what needs the user.
pub fn profile(json: bool) -> Result<Status> {
    let pb = open(false)?;
    let status = pb.status();
    let report = ProfileStatus {
        version: status.version,
        home: status.home,
        profile_id: pb.profile_id().to_string(),
        database: pb.store().path().to_path_buf(),
        schema_version: pb.store().schema_version()?,
        vault: status.vault,
        attention: pb.attention()?,
    };
    if json {
        output::json(&report);
        return Ok(Status::Done);
    }
    outln!("patchbay {}", report.version);
    outln!("home:      {}", report.home);
    outln!(
        "database:  {} (schema v{})",
        report.database.display(),
        report.schema_version
    );
    outln!("profile:   {}", report.profile_id);
    match report.vault.message {
        None => outln!("keychain:  ok ({})", pb.vault().service()),
        Some(m) => outln!("keychain:  {:?}: {m}", report.vault.state),
    }
    if report.attention.is_empty() {
        outln!("needs you: nothing");
    } else {
        outln!("needs you: {}", report.attention.len());
        for a in &report.attention {
            outln!("  {}: {}", <&str>::from(a.kind), a.message);
            outln!("    fix: {}", a.fix);
        }
    }
    Ok(Status::Done)
}

/// `settings [set KEY VALUE | reset [KEY]]`: every setting after the change.
pub fn settings(cmd: Option<SettingsCmd>, json: bool) -> Result<Status> {
    let pb = open(false)?;
    let view = match cmd {
        None => pb.settings_view()?,
        Some(SettingsCmd::Set { key, value }) => pb.set_setting(&key, &value)?,
        Some(SettingsCmd::Reset { key }) => pb.reset_settings(key.as_deref())?,
    };
    output::show(&view, json);
    Ok(Status::Done)
}

/// `providers`: the gallery.
pub fn providers(json: bool) -> Result<Status> {
    output::show(patchbay_core::providers::providers(), json);
    Ok(Status::Done)
}
