//! A profile in a temporary folder on a [`FixedClock`] (unit tests move time instead of
//! sleeping). The vault is the platform keychain (the test script starts one).

use std::sync::Arc;

use crate::clock::FixedClock;
use crate::vault::Vault;
use crate::{Patchbay, paths};

pub(crate) struct Profile {
    pub(crate) pb: Arc<Patchbay>,
    pub(crate) clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

pub(crate) fn profile() -> Profile {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(FixedClock::new(
        time::macros::datetime!(2026-12-01 12:00 UTC),
    ));
    let lock = paths::vault_lock(dir.path());
    let pb = Patchbay::open_with(
        dir.path(),
        |id| Vault::for_profile(id).with_lock_file(lock),
        clock.clone(),
    )
    .expect("open");
    Profile {
        pb: Arc::new(pb),
        clock,
        _dir: dir,
    }
}

/// An enabled MCP action with no authentication.
pub(crate) fn action(p: &Profile, name: &str) -> crate::model::ActionView {
    p.pb.add_action(crate::actions::NewAction {
        name: name.into(),
        url: "https://mcp.example.com/mcp".into(),
        ..Default::default()
    })
    .expect("add action")
}
