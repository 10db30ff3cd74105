//! The store and the vault against a real SQLite file and a real Secret Service.

use crate::support::{all_bytes, contains, profile};
use patchbay_core::actions::{NewAction, OAuthInput};
use patchbay_core::connections::NewConnection;
use patchbay_core::model::{Health, HealthStatus};
use patchbay_core::store::{FIRST_SCHEMA, SCHEMA_VERSION, Store};
use patchbay_core::tokens::{NewHttpToken, NewTextToken};
use patchbay_core::{Error, ExposeSecret, Patchbay, SecretString};

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

#[test]
fn secrets_live_only_in_the_keychain() {
    let p = profile();
    let s_conn = "conn-secret-7d1f0a";
    let s_action = "action-secret-93bc11";
    let s_text = "text-token-value-55aa";
    let s_header = "header-secret-0c0c";
    let s_body = "body-secret-e1e1";
    p.pb.add_connection(NewConnection {
        name: "gh".into(),
        provider: "github".into(),
        client_id: "client-1".into(),
        client_secret: Some(secret(s_conn)),
        authorization_url: "https://github.com/login/oauth/authorize".into(),
        token_url: "https://github.com/login/oauth/access_token".into(),
        ..Default::default()
    })
    .expect("connection saved");
    p.pb.add_action(NewAction {
        name: "linear".into(),
        url: "https://mcp.linear.app/mcp".into(),
        auth: Some(patchbay_core::model::AuthSpec::OAuth),
        oauth: OAuthInput {
            client_id: Some("cid".into()),
            client_secret: Some(secret(s_action)),
            ..Default::default()
        },
        ..Default::default()
    })
    .expect("action saved");
    p.pb.add_text_token(NewTextToken {
        name: "pat".into(),
        description: None,
        value: secret(s_text),
        prefix: Some("Bearer   ".into()),
        header_name: "Authorization".into(),
    })
    .expect("text token saved");
    p.pb.add_http_token(NewHttpToken {
        name: "fetched".into(),
        url: "https://auth.example.com/token".into(),
        secret_headers: vec![("X-Api-Key".into(), secret(s_header))],
        body: vec![("grant_type".into(), "client_credentials".into())],
        secret_body: vec![("client_secret".into(), secret(s_body))],
        token_path: "data.access_token".into(),
        header_name: "Authorization".into(),
        ..Default::default()
    })
    .expect("http token saved");

    // Make the WAL hold everything too: read before any checkpoint.
    let files = all_bytes(p.dir.path());
    assert!(
        files.iter().any(|(n, _)| n.ends_with("patchbay.db")),
        "the database file exists: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for s in [s_conn, s_action, s_text, s_header, s_body] {
        for (name, bytes) in &files {
            assert!(!contains(bytes, s), "secret {s} found in {name}");
        }
    }
    // ...and they are really in the keychain.
    let t = p.pb.get_token("pat").expect("token");
    let (h, v) = p.pb.text_token_header(&t).expect("header from keychain");
    assert_eq!(
        (h.as_str(), v.expose_secret()),
        ("Authorization", format!("Bearer {s_text}").as_str())
    );
    let c = p.pb.get_connection("gh").expect("connection");
    assert_eq!(
        p.pb.connection_client_secret(&c)
            .expect("read")
            .map(|s| s.expose_secret().to_string()),
        Some(s_conn.to_string())
    );
    let a = p.pb.get_action("linear").expect("action");
    assert_eq!(
        p.pb.action_client_secret(&a)
            .expect("read")
            .map(|s| s.expose_secret().to_string()),
        Some(s_action.to_string())
    );
    let ht = p.pb.get_token("fetched").expect("token");
    let secrets: Vec<(String, String)> =
        p.pb.http_token_secrets(&ht)
            .expect("read")
            .into_iter()
            .map(|(k, v)| (k, v.expose_secret().to_string()))
            .collect();
    assert_eq!(
        secrets,
        vec![
            ("header:X-Api-Key".to_string(), s_header.to_string()),
            ("body:client_secret".to_string(), s_body.to_string())
        ]
    );
}

#[test]
fn a_failed_database_write_undoes_the_vault_write() {
    let p = profile();
    p.pb.add_text_token(NewTextToken {
        name: "tok".into(),
        description: None,
        value: secret("first-value"),
        prefix: None,
        header_name: "X-Key".into(),
    })
    .expect("first saved");
    // Same name, other case: the DB refuses after the vault was written.
    let err =
        p.pb.add_text_token(NewTextToken {
            name: "TOK".into(),
            description: None,
            value: secret("second-value"),
            prefix: None,
            header_name: "X-Key".into(),
        })
        .expect_err("duplicate name");
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    let expected = p.pb.expected_vault_keys().expect("keys");
    let present: Vec<String> =
        p.pb.vault()
            .list()
            .expect("list")
            .expect("searchable")
            .into_iter()
            .map(|e| e.key)
            .collect();
    assert_eq!(
        present.len(),
        1,
        "only the first token's entry remains: {present:?}"
    );
    assert!(expected.contains(&present[0]));
    let t = p.pb.get_token("tok").expect("first still there");
    assert_eq!(
        p.pb.text_token_header(&t).expect("value").1.expose_secret(),
        "first-value"
    );
}

#[test]
fn removing_deletes_rows_then_secrets_and_the_sweep_takes_orphans() {
    let p = profile();
    p.pb.add_text_token(NewTextToken {
        name: "tok".into(),
        description: None,
        value: secret("v-1"),
        prefix: None,
        header_name: "X-Key".into(),
    })
    .expect("saved");
    p.pb.remove_token("tok").expect("removed");
    let left = p.pb.vault().list().expect("list").expect("searchable");
    assert!(left.is_empty(), "no entry left after remove: {left:?}");

    // An orphan: an entry no row owns (as after a crash between vault write and commit).
    p.pb.vault()
        .set(
            "token/00000000-dead-beef-0000-000000000000/value",
            &secret("orphan"),
        )
        .expect("set");
    let spared = p.pb.sweep_orphans().expect("sweep");
    assert!(
        spared.removed.is_empty(),
        "a fresh entry is spared (its row may be mid-commit elsewhere)"
    );
    let swept = p.pb.sweep_orphans_older_than(0).expect("sweep");
    assert_eq!(
        swept.removed,
        vec!["token/00000000-dead-beef-0000-000000000000/value".to_string()]
    );
    assert!(
        p.pb.vault()
            .list()
            .expect("list")
            .expect("searchable")
            .is_empty()
    );
}

#[test]
fn profiles_do_not_share_keychain_entries() {
    let a = profile();
    let b = profile();
    assert_ne!(a.pb.profile_id(), b.pb.profile_id());
    a.pb.add_text_token(NewTextToken {
        name: "tok".into(),
        description: None,
        value: secret("only-a"),
        prefix: None,
        header_name: "X".into(),
    })
    .expect("saved");
    assert!(
        b.pb.vault()
            .list()
            .expect("list")
            .expect("searchable")
            .is_empty(),
        "b sees none of a's entries"
    );
    // b's sweep never touches a's entries.
    b.pb.sweep_orphans_older_than(0).expect("sweep");
    assert_eq!(
        a.pb.vault()
            .list()
            .expect("list")
            .expect("searchable")
            .len(),
        1
    );
}

#[test]
fn a_database_made_by_the_first_schema_is_upgraded_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let v1 = Store::open_with(dir.path(), FIRST_SCHEMA).expect("v1 database");
        assert_eq!(v1.schema_version().expect("version"), 1);
        v1.write(|tx| {
            tx.execute(
                "INSERT INTO actions (id, name, kind, url, description, enabled, confirm, auth_type, created_at, updated_at)
                 VALUES ('a1', 'legacy', 'mcp', 'https://mcp.example.com/mcp', 'made by v1', 1, 0, 'none', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                [],
            )?;
            Ok(())
        })
        .expect("v1 row");
    }
    let pb = Patchbay::open(dir.path()).expect("upgrade");
    assert_eq!(
        pb.store().schema_version().expect("version"),
        SCHEMA_VERSION
    );
    let list = pb.list_actions().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "legacy");
    assert_eq!(list[0].description, "made by v1");
    assert_eq!(
        list[0].health.latency_ms, None,
        "new column defaults to NULL"
    );
    pb.record_health(
        "legacy",
        &Health {
            status: HealthStatus::Healthy,
            reason: None,
            message: None,
            checked_at: Some("2026-01-02T00:00:00.000Z".into()),
            latency_ms: Some(42),
            tool_count: Some(3),
        },
    )
    .expect("v2 columns writable");
    assert_eq!(
        pb.get_action("legacy").expect("get").health.tool_count,
        Some(3)
    );
}

#[test]
fn a_database_from_a_newer_patchbay_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open(dir.path()).expect("create"));
    let db = dir.path().join("patchbay.db");
    assert!(set_user_version(&db, 99), "set user_version");
    let before = std::fs::read(&db).expect("read");
    let err = Patchbay::open(dir.path()).expect_err("refused");
    assert!(
        matches!(err, Error::DatabaseTooNew { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("newer Patchbay"), "{err}");
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "the file is not modified"
    );
}

/// Stamp the database as if a newer Patchbay had written it.
fn set_user_version(db: &std::path::Path, v: i64) -> bool {
    let dir = db.parent().expect("parent");
    let store = Store::open(dir).expect("open");
    store
        .write(|tx| Ok(tx.pragma_update(None, "user_version", v)?))
        .is_ok()
}

#[test]
fn concurrent_writers_from_two_handles_all_land() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().to_path_buf();
    std::thread::scope(|s| {
        for w in 0..4 {
            let path = path.clone();
            s.spawn(move || {
                let pb = Patchbay::open(&path).expect("open");
                for i in 0..10 {
                    pb.add_action(NewAction {
                        name: format!("a{w}-{i}"),
                        url: "https://mcp.example.com/mcp".into(),
                        ..Default::default()
                    })
                    .expect("insert under contention");
                }
            });
        }
    });
    let pb = Patchbay::open(&path).expect("open");
    assert_eq!(pb.list_actions().expect("list").len(), 40);
}

#[test]
fn a_failed_edit_restores_the_previous_secret() {
    let p = profile();
    for name in ["one", "two"] {
        p.pb.add_text_token(NewTextToken {
            name: name.into(),
            description: None,
            value: secret(&format!("{name}-value")),
            prefix: None,
            header_name: "X-Key".into(),
        })
        .expect("saved");
    }
    // A new value and a rename onto a taken name: the DB refuses after the vault write.
    let err =
        p.pb.edit_token(
            "one",
            patchbay_core::tokens::TokenPatch {
                rename: Some("TWO".into()),
                value: Some(secret("replacement")),
                ..Default::default()
            },
        )
        .expect_err("name taken");
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
    let t = p.pb.get_token("one").expect("unchanged");
    assert_eq!(
        p.pb.text_token_header(&t).expect("value").1.expose_secret(),
        "one-value",
        "the old value is back in the keychain"
    );
}
