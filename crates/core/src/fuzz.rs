//! Property tests over the parsers of untrusted input (issue 21's fuzzing, with proptest):
//! each takes generated input, half shaped like what it parses and half anything, and must
//! answer without panicking, a clear error being as good as a value; what it accepts keeps
//! the invariants its callers rely on. `make test` runs each for proptest's default budget
//! (256 inputs, plus every input saved in `proptest-regressions/` from earlier failures);
//! `scripts/fuzz.sh` runs them for a fixed budget (`PROPTEST_CASES`) and reports the counts.
//!
//! The OAuth engine's own parsers (responses, claims, the device grant's answers) are in
//! `oauth/fuzz.rs`, beside what they test.

use proptest::prelude::*;

use crate::model::ExportClient;
use crate::validate;

/// Any text, or text made of the characters that matter to these parsers.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,80}",
        r#"[a-zA-Z0-9 :/?#@!$&'()*+,;=%._~{}\[\]"\\-]{0,120}"#,
    ]
}

/// URL-like text: schemes, hosts, ports, paths, queries, placeholders and junk mixed.
fn url_like() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("https://".to_string()),
            Just("http://".to_string()),
            Just("".to_string()),
            Just("javascript:".to_string()),
            Just("file://".to_string())
        ],
        prop_oneof![
            Just("127.0.0.1".to_string()),
            Just("localhost".to_string()),
            Just("[::1]".to_string()),
            Just("example.com".to_string()),
            Just("user:pw@host".to_string()),
            Just("{{host}}".to_string()),
            "[a-z0-9.-]{0,20}"
        ],
        prop_oneof![
            Just("".to_string()),
            Just(":8080".to_string()),
            Just(":0".to_string()),
            Just(":99999".to_string()),
            ":[0-9]{0,6}"
        ],
        "(/[a-zA-Z0-9%{}._~-]{0,12}){0,4}",
        prop_oneof![
            Just("".to_string()),
            "\\?[a-z{}=&%0-9]{0,30}",
            "#[a-z]{0,8}"
        ],
    )
        .prop_map(|(s, h, p, path, q)| format!("{s}{h}{p}{path}{q}"))
}

/// JSON documents shaped like MCP client configs (some servers, some junk), as text.
fn config_json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
        url_like().prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("command".to_string()),
                    Just("args".to_string()),
                    Just("url".to_string()),
                    Just("serverUrl".to_string()),
                    Just("headers".to_string()),
                    Just("env".to_string()),
                    Just("type".to_string()),
                    "[a-zA-Z_]{1,10}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    (
        prop_oneof![
            Just("mcpServers".to_string()),
            Just("servers".to_string()),
            Just("mcp_servers".to_string()),
            "[a-z]{1,8}"
        ],
        prop::collection::btree_map("[a-zA-Z0-9_.-]{0,12}", value, 0..4),
        any::<bool>(),
    )
        .prop_map(|(key, servers, garble)| {
            let doc = serde_json::json!({ key: servers });
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            if garble {
                // Cut it somewhere: a file half written, or a comment left open.
                let at = s.len() / 2;
                let at = (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                s.truncate(at);
                s.push_str("/* ");
            }
            s
        })
}

const CLIENTS: [ExportClient; 7] = [
    ExportClient::ClaudeDesktop,
    ExportClient::ClaudeCode,
    ExportClient::Cursor,
    ExportClient::Vscode,
    ExportClient::Windsurf,
    ExportClient::Codex,
    ExportClient::Generic,
];

proptest! {
    #[test]
    fn urls_are_accepted_only_as_absolute_http_urls(s in prop_oneof![url_like(), text()]) {
        if let Ok(u) = validate::url("URL", &s) {
            let parsed = url::Url::parse(&u).expect("what url() accepts parses");
            prop_assert!(matches!(parsed.scheme(), "http" | "https"), "{u}");
            prop_assert!(parsed.host().is_some(), "{u}");
        }
        let _ = validate::templated_url("URL", &s);
        let _ = validate::client_metadata_url(&s);
    }

    #[test]
    fn names_scopes_and_ids_keep_their_shape(s in text()) {
        if let Ok(n) = validate::name("action", &s) {
            prop_assert!(!n.is_empty() && n.len() <= 64);
            prop_assert!(n.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
        }
        if let Ok(scopes) = validate::scopes(&s) {
            for sc in scopes {
                prop_assert!(!sc.is_empty() && !sc.contains(char::is_whitespace), "{sc:?}");
            }
        }
        let _ = validate::client_id(&s);
        let _ = validate::method(&s);
        let _ = validate::auth(&s);
        let _ = validate::duration(&s);
    }

    #[test]
    fn headers_body_fields_and_paths_never_panic(s in text()) {
        if let Ok(h) = validate::header_line(&s) {
            prop_assert!(!h.name.is_empty());
            prop_assert!(!h.value.contains(['\r', '\n']), "no header injection");
        }
        let _ = validate::body_field_line(&s);
        let _ = validate::json_path(&s);
        let _ = validate::header_name(&s);
        let _ = validate::header_value("X-Test", &s);
    }

    #[test]
    fn templates_fill_every_placeholder_they_name(
        s in prop_oneof![text(), "([a-z /]{0,6}\\{\\{[a-z_ ]{0,8}\\}?\\}?){0,5}"]
    ) {
        if let Ok(params) = validate::template_params(&s) {
            let filled = validate::fill_text(&s, |p| format!("<{p}>"));
            for p in params {
                prop_assert!(filled.contains(&format!("<{p}>")), "{p} in {filled}");
            }
        }
    }

    #[test]
    fn client_config_files_parse_or_say_where_they_are_broken(
        client in prop::sample::select(&CLIENTS[..]),
        doc in prop_oneof![config_json(), text()],
    ) {
        match crate::import::parse::entries(client, &doc, "config.json") {
            Ok(entries) => {
                for e in entries {
                    let _ = crate::import::parse::token_of(&e);
                    let _ = e.kind();
                }
            }
            Err(e) => prop_assert!(e.to_string().contains("config.json"), "{e}"),
        }
    }

    #[test]
    fn mcp_remote_command_lines_never_panic(
        args in prop::collection::vec(
            prop_oneof![
                Just("mcp-remote".to_string()),
                Just("npx".to_string()),
                Just("-y".to_string()),
                Just("--header".to_string()),
                Just("--transport".to_string()),
                Just("Authorization: Bearer ${TOKEN}".to_string()),
                url_like(),
                text(),
            ],
            0..8,
        )
    ) {
        let _ = crate::import::mcp_remote::find("npx", &args);
        if let Some(a) = crate::import::mcp_remote::parse(&args) {
            let _ = crate::import::mcp_remote::server_url_hash(&a);
        }
    }

    #[test]
    fn www_authenticate_challenges_never_panic(
        s in prop_oneof![
            text(),
            r#"(Bearer|DPoP|Basic|bearer)?( ?[a-z_]{1,16}=("[^"]{0,30}"?|[a-z0-9:/._-]{0,30}),?){0,5}"#,
        ]
    ) {
        if let Some(scope) = crate::oauth::discovery::parse_challenge(&s).and_then(|c| c.scope) {
            prop_assert!(s.contains(scope.trim()) || scope.is_empty());
        }
    }

    #[test]
    fn gateway_key_scopes_and_cli_enums_never_panic(s in text()) {
        let _ = crate::gateway::keys::parse_actions(&s);
        let _ = crate::export::parse_client(&s);
        let _ = crate::logs::parse_kind(&s);
        let _ = crate::clock::parse_rfc3339(&s);
    }
}

/// A JSON value of any shape, with the keys mcp-remote's store files carry.
fn store_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 16, 6, |inner| {
        prop::collection::btree_map(
            prop_oneof![
                Just("access_token".to_string()),
                Just("refresh_token".to_string()),
                Just("expires_at".to_string()),
                Just("scope".to_string()),
                Just("client_id".to_string()),
                Just("client_secret".to_string()),
                Just("token_endpoint_auth_method".to_string()),
                "[a-z_]{1,10}"
            ],
            inner,
            0..6,
        )
        .prop_map(|m| serde_json::Value::Object(m.into_iter().collect()))
    })
}

proptest! {
    #[test]
    fn mcp_remote_store_files_are_adopted_or_refused_without_their_tokens(
        tokens in prop_oneof![store_json().prop_map(|v| v.to_string()), text()],
        info in prop_oneof![store_json().prop_map(|v| v.to_string()), text()],
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let hash = "0123456789abcdef0123456789abcdef";
        std::fs::write(dir.path().join(format!("{hash}_tokens.json")), &tokens).expect("write");
        std::fs::write(dir.path().join(format!("{hash}_client_info.json")), &info)
            .expect("write");
        for item in crate::import::mcp_remote::items(dir.path()) {
            if let Err(e) = crate::import::adopted(&item) {
                let said = e.to_string();
                let v: serde_json::Value = serde_json::from_str(&tokens).unwrap_or_default();
                for secret in ["access_token", "refresh_token"] {
                    if let Some(s) = v[secret].as_str().filter(|s| s.len() >= 8) {
                        prop_assert!(!said.contains(s), "{secret} in the error: {said}");
                    }
                }
            }
        }
    }

    #[test]
    fn settings_values_are_saved_or_refused_with_the_key(
        key in prop_oneof![
            prop::sample::select(crate::settings::keys()).prop_map(String::from),
            text(),
        ],
        value in prop_oneof![
            text(),
            "-?[0-9]{1,12}",
            Just("true".to_string()),
            Just("false".to_string()),
            Just(String::new()),
        ],
    ) {
        static P: std::sync::OnceLock<crate::testing::Profile> = std::sync::OnceLock::new();
        let p = P.get_or_init(crate::testing::profile);
        match p.pb.set_setting(&key, &value) {
            Ok(view) => {
                let _ = view;
                // Back to the defaults, so the next input starts from them.
                let _ = p.pb.reset_settings(None);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
