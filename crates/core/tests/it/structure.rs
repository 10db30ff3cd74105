//! Imports in `patchbay-core` only go down. The modules are listed bottom-up in [`ORDER`];
//! a module may name (`crate::x`, `use crate::{x, ...}`) only modules listed before it, plus
//! the few pairs in [`SIDEWAYS`], each with its reason. A new upward or sideways import
//! fails here, naming the file and the line.
//!
//! Calls through `self.` on the shared `Patchbay` context are not imports and are not seen
//! here; the rule is about what a module names. A second rule: environment variables are
//! named only in `env.rs`.

use std::collections::BTreeMap;
use std::path::Path;

/// Bottom-up. Submodules count as their top module (`oauth::lifecycle` is `oauth`).
const ORDER: &[&str] = &[
    // The vocabulary: wire types (the `patchbay-model` crate, re-exported), errors,
    // validation, time, paths.
    "model",
    "clock",
    "env",
    "error",
    "validate",
    "paths",
    // Infrastructure, and the context (`lib`: `Patchbay`) built from it.
    "http",
    "store",
    "vault",
    // The P-256 keys of private_key_jwt clients: generated or imported, signing assertions.
    "signing_key",
    // DPoP (RFC 9449): proofs signed with a grant's own key, the scheme, server nonces.
    "dpop",
    "locks",
    "browser",
    // Start at login: the user's XDG autostart entry.
    "autostart",
    "lib",
    "rollup",
    "logs",
    // The domain: what the user configures.
    "settings",
    "actions",
    "connections",
    "tokens",
    "approvals",
    "sweep",
    // Signing in and keeping tokens valid.
    "oauth",
    // Using an action: MCP and HTTP calls, credentials, the breaker, the proxy.
    "runtime",
    // What faces the app and the CLI.
    "providers",
    "forms",
    "export",
    "import",
    // The local gateway: serves every action to local clients.
    "gateway",
    // What the desktop's Gateway screen asks (the CLI's `gateway key add` shares its form).
    "gateway_app",
    // What needs the user now, across all of the above (`patchbay status`, the Actions screen).
    "attention",
    // What the desktop's notifications say: changes since the last look.
    "notices",
    // Diagnosing an action step by step (`doctor`): discovery, credentials, calls.
    "doctor",
    // Test-only: a profile on a fixed clock for the unit tests.
    "testing",
    // Test-only: property tests over every parser of untrusted input (scripts/fuzz.sh).
    "fuzz",
    // The entry points of the coverage-guided fuzz targets (feature `fuzzing`, and tests).
    "fuzz_entry",
];

/// Allowed imports against the order: (from, to, why).
const SIDEWAYS: &[(&str, &str, &str)] = &[(
    "gateway",
    "testing",
    "test-only: gateway/fuzz.rs (compiled only for tests) opens a test profile for its properties",
)];

/// Items the crate root re-exports, by the module that defines them.
fn root_item(name: &str) -> Option<&'static str> {
    match name {
        "Patchbay" | "Entries" => Some("lib"),
        "Error" | "ErrorBody" | "ErrorCode" | "Kind" | "Result" => Some("error"),
        _ => None, // re-exports of other crates (secrecy)
    }
}

/// The module a file belongs to: `oauth/lifecycle.rs` -> `oauth`, `lib.rs` -> `lib`.
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_string()
}

/// The file's code without its tests module (clippy keeps it last) and comment lines.
fn code_of(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|(_, next)| next.trim_start().starts_with("mod "))
        {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        out.push((n + 1, line.to_string()));
    }
    out
}

/// The top modules a line names through `crate::`.
fn named(line: &str, modules: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // `use crate::{a, b::c, D}`: the names at depth 1 of the braces.
            let mut depth = 1;
            let mut word = String::new();
            let mut words = Vec::new();
            let mut at_start = true;
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        if !word.is_empty() {
                            words.push(std::mem::take(&mut word));
                        }
                        at_start = true;
                    }
                    c if depth == 1 && at_start && (c.is_alphanumeric() || c == '_') => {
                        word.push(c)
                    }
                    _ => {
                        if !word.is_empty() {
                            words.push(std::mem::take(&mut word));
                            at_start = false;
                        }
                    }
                }
            }
            if !word.is_empty() {
                words.push(word);
            }
            found.extend(words);
        } else {
            let word: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(word);
        }
        rest = after;
    }
    found
        .into_iter()
        .filter_map(|w| {
            if modules.contains(&w.as_str()) {
                Some(w)
            } else {
                root_item(&w).map(String::from)
            }
        })
        .collect()
}

/// In `lib.rs`, modules are named without `crate::` (`use store::Store`, `oauth::x`).
fn named_from_root(line: &str, modules: &[&str]) -> Vec<String> {
    if line.trim_start().starts_with("pub mod ") || line.trim_start().starts_with("mod ") {
        return Vec::new();
    }
    modules
        .iter()
        .filter(|m| {
            let pat = format!("{m}::");
            line.match_indices(&pat).any(|(i, _)| {
                i == 0
                    || !line[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            })
        })
        .map(|m| m.to_string())
        .collect()
}

#[test]
fn imports_in_core_only_go_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, usize> = ORDER.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let files = rust_files(&src);
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let from = module_of(rel);
        let Some(&from_rank) = rank.get(from.as_str()) else {
            unknown.push(rel.display().to_string());
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (n, line) in code_of(&text) {
            let mut targets = named(&line, ORDER);
            if from == "lib" {
                targets.extend(named_from_root(&line, ORDER));
            }
            for to in targets {
                if to == from {
                    continue;
                }
                let to_rank = rank[to.as_str()];
                let allowed = to_rank < from_rank
                    || SIDEWAYS
                        .iter()
                        .any(|(f, t, _)| *f == from && *t == to.as_str());
                if !allowed {
                    wrong.push(format!(
                        "{}:{n}: `{from}` names `{to}`, which is not below it: {}",
                        rel.display(),
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from ORDER in tests/structure.rs (place each where it belongs): {unknown:?}"
    );
    assert!(
        wrong.is_empty(),
        "imports that do not go down (move the item down, or the caller up):\n{}",
        wrong.join("\n")
    );
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read a source folder") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_environment_variable_is_named_in_env_rs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stray = Vec::new();
    for dir in ["crates/core/src", "crates/cli/src", "src-tauri/src"] {
        for file in rust_files(&root.join(dir)) {
            if file.ends_with("crates/core/src/env.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read a source file");
            for (n, line) in code_of(&text) {
                if line.contains("\"PATCHBAY_") {
                    stray.push(format!("{}:{n}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        stray.is_empty(),
        "read environment variables through patchbay_core::env (and list new ones there):\n{}",
        stray.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_qualified_names() {
    let m = ORDER;
    assert_eq!(
        named(
            "use crate::{Entries, Patchbay, oauth::x, vault::{a, b}};",
            m
        ),
        ["lib", "lib", "oauth", "vault"]
    );
    assert_eq!(
        named("let k = crate::vault::keys::x(crate::Error::y);", m),
        ["vault", "error"]
    );
    assert_eq!(named("use crate::SecretString;", m), Vec::<String>::new());
    assert_eq!(
        named_from_root("    token_locks: oauth::lifecycle::TokenLocks,", m),
        ["oauth"]
    );
    assert!(named_from_root("pub mod oauth;", m).is_empty());
    assert_eq!(
        code_of("use a;\n// crate::x\n#[cfg(test)]\nmod tests {\nuse crate::y;\n}"),
        [(1, "use a;".to_string())]
    );
}

/// The desktop commands as each of the five places that must agree lists them.
fn command_lists(root: &Path) -> Vec<(&'static str, std::collections::BTreeSet<String>)> {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect("read a file");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    // src-tauri/src/commands.rs: `#[tauri::command]` then `pub (async) fn NAME`.
    let commands_rs = read("src-tauri/src/commands.rs");
    let mut defined = std::collections::BTreeSet::new();
    let mut lines = commands_rs.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[tauri::command]" {
            for next in lines.by_ref() {
                if let Some(i) = next.find("fn ") {
                    defined.insert(ident(&next[i + 3..]));
                    break;
                }
            }
        }
    }
    // src-tauri/src/lib.rs: `commands::NAME,` inside generate_handler![...].
    let lib_rs = read("src-tauri/src/lib.rs");
    let handler = lib_rs
        .split("generate_handler![")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap_or_default();
    let registered = handler
        .split(',')
        .filter_map(|s| s.trim().strip_prefix("commands::").map(ident))
        .collect();
    // src-tauri/build.rs: the quoted names inside `.commands(&[...])`.
    let build_rs = read("src-tauri/build.rs");
    let manifest = build_rs
        .split(".commands(&[")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap_or_default();
    let declared = manifest
        .split(',')
        .filter_map(|s| s.trim().strip_prefix('"').map(ident))
        .collect();
    // tauri.conf.json: the main capability's `allow-NAME` permissions (plugins' have a ':').
    let conf: serde_json::Value =
        serde_json::from_str(&read("tauri.conf.json")).expect("tauri.conf.json is JSON");
    let allowed = conf["app"]["security"]["capabilities"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["permissions"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p.as_str().map(String::from))
        .filter(|p| !p.contains(':'))
        .filter_map(|p| p.strip_prefix("allow-").map(|n| n.replace('-', "_")))
        .collect();
    // ui/src/ipc.ts: `call<T>("NAME", ...)`.
    let ipc_ts = read("ui/src/ipc.ts");
    let called = ipc_ts
        .lines()
        .filter(|l| l.contains("call<") || l.contains("call(\""))
        .filter_map(|l| l.split("(\"").nth(1).map(ident))
        .collect();
    vec![
        ("src-tauri/src/commands.rs (#[tauri::command] fns)", defined),
        ("src-tauri/src/lib.rs (generate_handler!)", registered),
        ("src-tauri/build.rs (AppManifest::commands)", declared),
        ("tauri.conf.json (allow-* permissions)", allowed),
        ("ui/src/ipc.ts (call(\"...\"))", called),
    ]
}

#[test]
fn the_desktop_commands_are_the_same_in_all_five_places() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let lists = command_lists(&root);
    let (first_name, first) = &lists[0];
    assert!(
        first.len() > 20,
        "commands.rs lists the commands: {first:?}"
    );
    let mut drift = Vec::new();
    for (name, list) in &lists[1..] {
        let missing: Vec<_> = first.difference(list).collect();
        let extra: Vec<_> = list.difference(first).collect();
        if !missing.is_empty() || !extra.is_empty() {
            drift.push(format!(
                "{name}: missing {missing:?}, not in {first_name}: {extra:?}"
            ));
        }
    }
    assert!(
        drift.is_empty(),
        "a desktop command must be defined, registered, declared, allowed and called alike:\n{}",
        drift.join("\n")
    );
}

#[test]
fn the_desktop_events_have_the_same_names_in_the_shell_and_the_ui() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect("read a file");
    // `pub const NAME: &str = "event";` in the shell, `export const NAME_EVENT = "event";` in ipc.ts.
    let quoted = |line: &str| line.split('"').nth(1).map(String::from);
    let shell: std::collections::BTreeMap<String, String> = read("src-tauri/src/lib.rs")
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("pub const ")?;
            let (name, _) = rest.split_once(": &str = ")?;
            Some((name.to_string(), quoted(l)?))
        })
        .collect();
    let ui: std::collections::BTreeMap<String, String> = read("ui/src/ipc.ts")
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("export const ")?;
            let (name, _) = rest.split_once("_EVENT = ")?;
            Some((name.to_string(), quoted(l)?))
        })
        .collect();
    assert!(shell.len() >= 3, "the shell's events: {shell:?}");
    assert_eq!(
        shell, ui,
        "event names: src-tauri/src/lib.rs vs ui/src/ipc.ts"
    );
}
