//! The UI's TypeScript types are generated from Rust; this fails when the committed ones
//! drift. Regenerate with `make bindings` (UPDATE_BINDINGS=1 cargo test -p patchbay-model --test bindings).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
    {
        let p = e.expect("dir entry").path();
        if p.extension().is_some_and(|x| x == "ts") {
            let name = p
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .to_string();
            out.insert(name, std::fs::read_to_string(&p).expect("readable binding"));
        }
    }
    out
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let committed_dir: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let fresh = tempfile::tempdir().expect("tempdir");
    patchbay_model::bindings::export(fresh.path()).expect("bindings export");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        if committed_dir.exists() {
            std::fs::remove_dir_all(&committed_dir).expect("clear old bindings");
        }
        std::fs::create_dir_all(&committed_dir).expect("create bindings dir");
        patchbay_model::bindings::export(&committed_dir).expect("bindings export");
        return;
    }
    let generated = read_dir(fresh.path());
    let committed = read_dir(&committed_dir);
    assert!(!generated.is_empty(), "ts-rs generated no bindings");
    let stale: Vec<&String> = generated
        .keys()
        .filter(|k| committed.get(*k) != generated.get(*k))
        .collect();
    let extra: Vec<&String> = committed
        .keys()
        .filter(|k| !generated.contains_key(*k))
        .collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/bindings is out of date (changed or missing: {stale:?}; no longer generated: {extra:?}); run `make bindings` and commit the result"
    );
}
