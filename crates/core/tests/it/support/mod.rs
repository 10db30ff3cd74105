//! Shared test support: a fresh PATCHBAY_HOME per test over the real Secret Service that the
//! test script starts (scripts/with-keyring.sh).

#![allow(dead_code)]

use patchbay_core::Patchbay;
use tempfile::TempDir;

pub struct Profile {
    pub dir: TempDir,
    pub pb: Patchbay,
}

pub fn profile() -> Profile {
    let dir = tempfile::tempdir().expect("tempdir");
    let pb = Patchbay::open(dir.path()).expect("open a fresh profile");
    Profile { dir, pb }
}

pub use patchbay_testsupport::{all_bytes, contains};
