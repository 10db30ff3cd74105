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

/// Every byte of every file under `dir` (database, WAL, shared memory, profile id...).
pub fn all_bytes(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.display().to_string(),
                    std::fs::read(&p).expect("read file"),
                ));
            }
        }
    }
    out
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}
