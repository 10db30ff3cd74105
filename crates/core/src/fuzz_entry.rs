//! Entry points for coverage-guided fuzzing (cargo-fuzz / libFuzzer, `fuzz/` at the
//! project's root; `scripts/fuzz.sh` runs them for a time budget). Each takes the raw bytes
//! libFuzzer makes up and hands them to one family of parsers of untrusted input, the same
//! ones the proptest properties of `crate::fuzz` drive with shaped inputs. None may panic or
//! hang, whatever the bytes.
//!
//! Compiled with the `fuzzing` feature (the fuzz crate turns it on) and for the unit tests,
//! which replay every input kept under `crates/core/fuzz-regressions/` (crashes found, kept
//! for good) and the seeds under `fuzz/seeds/`.

use crate::model::ExportClient;
use crate::validate;

pub use crate::gateway::fuzz_entry::client_id_metadata_document;
pub use crate::oauth::fuzz_entry::{jwt, metadata, oauth_answer};

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// A `WWW-Authenticate` header from a server (RFC 6750 / 9728 challenges).
pub fn www_authenticate(data: &[u8]) {
    if let Some(scope) = crate::oauth::discovery::parse_challenge(&text(data)).and_then(|c| c.scope)
    {
        let _ = validate::scopes(&scope);
    }
}

/// What a user types: URLs, names, scopes, client ids, methods, `--auth`, durations, header
/// and body lines, JSONPath, and the CLI's enumerations and times.
pub fn user_text(data: &[u8]) {
    let s = text(data);
    let _ = validate::url("URL", &s);
    let _ = validate::templated_url("URL", &s);
    let _ = validate::client_metadata_url(&s);
    let _ = validate::name("action", &s);
    let _ = validate::scopes(&s);
    let _ = validate::client_id(&s);
    let _ = validate::method(&s);
    let _ = validate::auth(&s);
    let _ = validate::duration(&s);
    let _ = validate::header_line(&s);
    let _ = validate::body_field_line(&s);
    let _ = validate::json_path(&s);
    let _ = validate::header_name(&s);
    let _ = validate::header_value("X-Test", &s);
    let _ = crate::gateway::keys::parse_actions(&s);
    let _ = crate::export::parse_client(&s);
    let _ = crate::logs::parse_kind(&s);
    let _ = crate::clock::parse_rfc3339(&s);
}

/// `{{param}}` templates: every placeholder they name is filled.
pub fn template(data: &[u8]) {
    let s = text(data);
    if let Ok(params) = validate::template_params(&s) {
        let filled = validate::fill_text(&s, |p| format!("<{p}>"));
        for p in params {
            assert!(filled.contains(&format!("<{p}>")), "{p} left unfilled");
        }
    }
}

/// An MCP client's config file (the first byte picks which client's format), read for
/// import and export: JSON, JSONC or TOML.
pub fn config_file(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let client = ExportClient::ALL[usize::from(which) % ExportClient::ALL.len()];
    if let Ok(entries) = crate::import::parse::entries(client, &text(rest), "config.json") {
        for e in entries {
            let _ = crate::import::parse::token_of(&e);
            let _ = e.kind();
        }
    }
}

/// An mcp-remote command line (arguments split at NUL bytes).
pub fn mcp_remote_args(data: &[u8]) {
    let args: Vec<String> = text(data).split('\0').map(String::from).collect();
    let _ = crate::import::mcp_remote::find("npx", &args);
    if let Some(a) = crate::import::mcp_remote::parse(&args) {
        let _ = crate::import::mcp_remote::server_url_hash(&a);
    }
}

/// A link the OS hands the app, and a resource a server names (split at the first NUL).
pub fn links(data: &[u8]) {
    let s = text(data);
    let (a, b) = s.split_once('\0').unwrap_or((&s, ""));
    let _ = crate::oauth::callback::is_app_link_callback(a);
    let _ = crate::oauth::discovery::resource_covers(a, b);
}

/// An entry point: takes any bytes, returns when it has parsed them (or panics: a bug).
pub type Entry = fn(&[u8]);

/// Every entry point by name: the fuzz targets and the replay below use the same table.
pub const TARGETS: &[(&str, Entry)] = &[
    ("www_authenticate", www_authenticate),
    ("user_text", user_text),
    ("template", template),
    ("config_file", config_file),
    ("mcp_remote_args", mcp_remote_args),
    ("links", links),
    ("oauth_answer", oauth_answer),
    ("metadata", metadata),
    ("jwt", jwt),
    ("client_id_metadata_document", client_id_metadata_document),
];

#[cfg(test)]
mod tests {
    use super::TARGETS;

    /// Every kept crash input and every seed still gets through its target. A directory
    /// named after no target is an error (a renamed target would otherwise replay nothing).
    #[test]
    fn every_kept_fuzz_input_is_answered() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut replayed = 0;
        for dir in [root.join("fuzz-regressions"), root.join("../../fuzz/seeds")] {
            let Ok(targets) = std::fs::read_dir(&dir) else {
                continue;
            };
            for t in targets.flatten() {
                let name = t.file_name().to_string_lossy().to_string();
                let f = TARGETS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("{}: no fuzz target named {name}", dir.display()))
                    .1;
                for input in std::fs::read_dir(t.path()).expect("a directory").flatten() {
                    f(&std::fs::read(input.path()).expect("readable"));
                    replayed += 1;
                }
            }
        }
        assert!(replayed > 0, "no seeds under fuzz/seeds/");
    }
}
