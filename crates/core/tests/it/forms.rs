//! The desktop forms: whole forms map onto the same add / edit operations as the CLI, keep
//! secrets out of every row, and refuse bad input without changing anything.

use crate::support::{all_bytes, contains, profile};
use patchbay_core::ErrorCode;
use patchbay_core::forms::{
    ActionForm, ConnectionForm, HttpTokenForm, OAuthForm, RequestField, TextTokenForm,
};
use patchbay_core::model::{ActionKind, AuthRef, AuthType, CallbackKind, Header};

fn mcp_oauth(name: &str) -> ActionForm {
    ActionForm {
        name: name.into(),
        kind: ActionKind::Mcp,
        url: "https://mcp.example.com/mcp".into(),
        method: None,
        headers: Vec::new(),
        body: None,
        auth: AuthRef {
            kind: AuthType::OAuth,
            reference: None,
        },
        oauth: OAuthForm::default(),
        description: String::new(),
        confirm: false,
        enabled: true,
    }
}

#[test]
fn a_new_oauth_action_keeps_only_what_was_filled_in_and_its_secret_in_the_keychain() {
    let p = profile();
    let mut f = mcp_oauth("linear");
    f.description = "  Issues  ".into();
    f.confirm = true;
    f.oauth = OAuthForm {
        client_id: "client-123".into(),
        client_secret: Some("s3cret-form-value".into()),
        scopes: "read, write".into(),
        callback: CallbackKind::AppLink,
        ..OAuthForm::default()
    };
    let a = p.pb.save_action_form(None, f).expect("create");
    assert_eq!(a.description, "Issues");
    assert!(a.confirm);
    let o = a.oauth.expect("oauth settings");
    assert_eq!(o.settings.client_id.as_deref(), Some("client-123"));
    assert_eq!(o.settings.scopes, vec!["read", "write"]);
    assert_eq!(o.settings.callback, CallbackKind::AppLink);
    assert_eq!(o.settings.authorization_url, None, "empty stays unset");
    assert!(o.client_secret_set);
    for (file, bytes) in all_bytes(p.dir.path()) {
        assert!(
            !contains(&bytes, "s3cret-form-value"),
            "the secret is in {file}"
        );
    }
}

#[test]
fn an_edit_replaces_every_field_keeps_the_secret_when_null_and_renames() {
    let p = profile();
    let mut f = mcp_oauth("linear");
    f.oauth.client_id = "client-123".into();
    f.oauth.client_secret = Some("first-secret".into());
    f.oauth.authorization_url = "https://auth.example.com/authorize".into();
    p.pb.save_action_form(None, f.clone()).expect("create");

    // The form as the app sends it on Save: everything, secret null (kept).
    f.name = "linear-work".into();
    f.oauth.client_secret = None;
    f.oauth.authorization_url = String::new();
    f.oauth.scopes = "a b".into();
    f.enabled = false;
    let a =
        p.pb.save_action_form(Some("linear"), f.clone())
            .expect("edit");
    assert_eq!(a.name, "linear-work");
    assert!(!a.enabled);
    let o = a.oauth.expect("oauth");
    assert!(o.client_secret_set, "null keeps the stored secret");
    assert_eq!(o.settings.authorization_url, None, "empty clears");
    assert_eq!(o.settings.scopes, vec!["a", "b"]);

    // Clearing the secret.
    f.oauth.clear_client_secret = true;
    let a =
        p.pb.save_action_form(Some("linear-work"), f)
            .expect("clear secret");
    assert!(!a.oauth.expect("oauth").client_secret_set);
}

#[test]
fn bad_input_is_refused_with_its_code_and_changes_nothing() {
    let p = profile();
    p.pb.save_action_form(None, mcp_oauth("one"))
        .expect("create");
    let before = p.pb.get_action("one").expect("get");

    let mut bad = mcp_oauth("one");
    bad.url = "ftp://nope".into();
    let e =
        p.pb.save_action_form(Some("one"), bad)
            .expect_err("bad url");
    assert_eq!(e.code(), ErrorCode::InvalidInput);

    let e =
        p.pb.save_action_form(None, mcp_oauth("ONE"))
            .expect_err("taken");
    assert_eq!(e.code(), ErrorCode::Conflict);

    let mut kind = mcp_oauth("one");
    kind.kind = ActionKind::Http;
    let e =
        p.pb.save_action_form(Some("one"), kind)
            .expect_err("kind is fixed");
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("cannot become"), "{e}");

    let mut missing = mcp_oauth("two");
    missing.auth = AuthRef {
        kind: AuthType::Token,
        reference: Some("  ".into()),
    };
    let e =
        p.pb.save_action_form(None, missing)
            .expect_err("no token chosen");
    assert!(e.to_string().contains("bearer token"), "{e}");

    assert_eq!(p.pb.get_action("one").expect("get"), before, "unchanged");
    assert_eq!(p.pb.list_actions().expect("list").len(), 1);
}

#[test]
fn an_http_action_form_keeps_method_headers_and_body_and_refuses_an_authorization_header() {
    let p = profile();
    p.pb.save_text_token_form(
        None,
        TextTokenForm {
            name: "pat".into(),
            value: Some("ghp_value".into()),
            prefix: "Bearer".into(),
            ..TextTokenForm::default()
        },
    )
    .expect("token");
    let mut f = mcp_oauth("api");
    f.kind = ActionKind::Http;
    f.url = "https://api.example.com/search".into();
    f.method = Some("POST".into());
    f.headers = vec![
        Header {
            name: "Accept".into(),
            value: "application/json".into(),
        },
        Header {
            name: " ".into(),
            value: String::new(),
        },
    ];
    f.body = Some(r#"{"q": "{{query}}"}"#.into());
    f.auth = AuthRef {
        kind: AuthType::Token,
        reference: Some("pat".into()),
    };
    let a = p.pb.save_action_form(None, f.clone()).expect("create");
    let h = a.http.expect("http");
    assert_eq!(h.method, "POST");
    assert_eq!(h.headers.len(), 1, "blank rows are dropped");
    assert_eq!(h.params, vec!["query"]);
    assert_eq!(a.auth.reference.as_deref(), Some("pat"));

    f.headers.push(Header {
        name: "Authorization".into(),
        value: "Bearer x".into(),
    });
    let e =
        p.pb.save_action_form(Some("api"), f)
            .expect_err("authorization header");
    assert!(e.to_string().contains("Authorization"), "{e}");
}

#[test]
fn connection_and_token_forms_add_and_edit() {
    let p = profile();
    let f = ConnectionForm {
        name: "hubspot-sales".into(),
        provider: "HubSpot".into(),
        client_id: "hs-client".into(),
        client_secret: Some("hs-secret-value".into()),
        authorization_url: "https://app.hubspot.com/oauth/authorize".into(),
        token_url: "https://api.hubapi.com/oauth/v1/token".into(),
        scopes: "crm.objects.contacts.read".into(),
        ..ConnectionForm::default()
    };
    let c = p.pb.save_connection_form(None, f.clone()).expect("add");
    assert!(c.client_secret_set);
    let c =
        p.pb.save_connection_form(
            Some("hubspot-sales"),
            ConnectionForm {
                client_secret: None,
                revocation_url: "https://api.hubapi.com/oauth/v1/refresh-tokens".into(),
                ..f
            },
        )
        .expect("edit");
    assert!(c.client_secret_set, "kept");
    assert!(c.revocation_url.is_some());

    let t =
        p.pb.save_text_token_form(
            None,
            TextTokenForm {
                name: "key".into(),
                value: None,
                ..TextTokenForm::default()
            },
        )
        .expect_err("a new text token needs its value");
    assert_eq!(t.code(), ErrorCode::InvalidInput);
    let t =
        p.pb.save_text_token_form(
            None,
            TextTokenForm {
                name: "key".into(),
                value: Some("value-1".into()),
                header_name: String::new(),
                ..TextTokenForm::default()
            },
        )
        .expect("add");
    assert_eq!(t.header_name, "Authorization", "the default header");
    let t =
        p.pb.save_text_token_form(
            Some("key"),
            TextTokenForm {
                name: "api-key".into(),
                description: "renamed".into(),
                value: None,
                header_name: "X-Api-Key".into(),
                prefix: String::new(),
            },
        )
        .expect("edit");
    assert_eq!(
        (t.name.as_str(), t.header_name.as_str(), t.prefix),
        ("api-key", "X-Api-Key", None)
    );
    assert!(t.value_set, "null kept the value");
}

#[tokio::test]
async fn an_http_token_draft_is_tested_without_being_saved() {
    let p = profile();
    let f = HttpTokenForm {
        name: String::new(),
        method: "POST".into(),
        url: "http://127.0.0.1:9/token".into(),
        body: vec![RequestField {
            name: "client_secret".into(),
            value: "draft-secret".into(),
            secret: true,
        }],
        token_path: "$.access_token".into(),
        ..HttpTokenForm::default()
    };
    let report =
        p.pb.test_http_token_form(f.clone())
            .await
            .expect("a report, not an error");
    assert!(!report.ok);
    assert_eq!(report.status, None, "nothing listens on port 9");
    assert!(
        p.pb.list_tokens().expect("list").is_empty(),
        "nothing saved"
    );
    let e =
        p.pb.add_http_token_form(
            HttpTokenForm {
                name: "m".into(),
                ..f.clone()
            },
            false,
        )
        .await
        .expect_err("a failing test saves nothing");
    assert_eq!(e.code(), ErrorCode::TokenRequestFailed);
    assert!(p.pb.list_tokens().expect("list").is_empty());
    let saved =
        p.pb.add_http_token_form(
            HttpTokenForm {
                name: "m".into(),
                ..f
            },
            true,
        )
        .await
        .expect("save anyway");
    assert!(saved.report.is_none());
    assert_eq!(saved.token.name, "m");
    for (file, bytes) in all_bytes(p.dir.path()) {
        assert!(!contains(&bytes, "draft-secret"), "the secret is in {file}");
    }
}

/// Each refusal names the form field to show it under (`ErrorBody.field`), so the app never
/// reads the message text to place it.
#[test]
fn a_refusal_names_its_form_field() {
    use patchbay_core::error::FormField as F;
    let p = profile();
    p.pb.save_action_form(None, mcp_oauth("one"))
        .expect("create");
    let field = |e: patchbay_core::Error| e.body().field;

    let mut f = mcp_oauth("two");
    f.url = "ftp://nope".into();
    assert_eq!(
        field(p.pb.save_action_form(None, f).expect_err("url")),
        Some(F::Url)
    );
    let mut f = mcp_oauth("bad name!");
    f.url = "ftp://nope".into();
    assert_eq!(
        field(p.pb.save_action_form(None, f).expect_err("name")),
        Some(F::Name)
    );
    assert_eq!(
        field(
            p.pb.save_action_form(None, mcp_oauth("ONE"))
                .expect_err("taken")
        ),
        Some(F::Name),
        "a clash is about the name"
    );
    let mut f = mcp_oauth("two");
    f.oauth.token_url = "not a url".into();
    assert_eq!(
        field(p.pb.save_action_form(None, f).expect_err("token url")),
        Some(F::TokenUrl)
    );
    let mut f = mcp_oauth("two");
    f.oauth.client_secret = Some("s".into());
    assert_eq!(
        field(
            p.pb.save_action_form(None, f)
                .expect_err("secret without id")
        ),
        Some(F::ClientId)
    );
    let mut f = mcp_oauth("two");
    f.oauth.scopes = "a\u{7}b".into();
    assert_eq!(
        field(p.pb.save_action_form(None, f).expect_err("scopes")),
        Some(F::Scopes)
    );
    let mut f = mcp_oauth("two");
    f.kind = ActionKind::Http;
    f.auth = AuthRef {
        kind: AuthType::None,
        reference: None,
    };
    f.headers = vec![Header {
        name: "Bad Name".into(),
        value: "x".into(),
    }];
    assert_eq!(
        field(p.pb.save_action_form(None, f.clone()).expect_err("header")),
        Some(F::Headers)
    );
    f.headers.clear();
    f.method = Some("FETCH".into());
    assert_eq!(
        field(p.pb.save_action_form(None, f.clone()).expect_err("method")),
        Some(F::Method)
    );
    f.method = Some("GET".into());
    f.body = Some("{{unclosed".into());
    assert_eq!(
        field(p.pb.save_action_form(None, f).expect_err("body")),
        Some(F::Body)
    );
    let mut f = mcp_oauth("two");
    f.auth = AuthRef {
        kind: AuthType::Connection,
        reference: Some("nobody".into()),
    };
    assert_eq!(
        field(p.pb.save_action_form(None, f).expect_err("auth")),
        Some(F::Auth)
    );
    let mut f = mcp_oauth("one");
    f.kind = ActionKind::Http;
    assert_eq!(
        field(p.pb.save_action_form(Some("one"), f).expect_err("kind")),
        Some(F::Kind)
    );

    let c = ConnectionForm {
        name: "c".into(),
        provider: "P".into(),
        client_id: "id".into(),
        authorization_url: "https://a.example.com/authorize".into(),
        token_url: "https://a.example.com/token".into(),
        revocation_url: "nope".into(),
        ..ConnectionForm::default()
    };
    assert_eq!(
        field(
            p.pb.save_connection_form(None, c.clone())
                .expect_err("revocation")
        ),
        Some(F::RevocationUrl)
    );
    let c = ConnectionForm {
        provider: String::new(),
        revocation_url: String::new(),
        ..c
    };
    assert_eq!(
        field(p.pb.save_connection_form(None, c).expect_err("provider")),
        Some(F::Provider)
    );

    let t = TextTokenForm {
        name: "key".into(),
        value: None,
        ..TextTokenForm::default()
    };
    assert_eq!(
        field(p.pb.save_text_token_form(None, t).expect_err("value")),
        Some(F::Value)
    );
    let t = TextTokenForm {
        name: "key".into(),
        value: Some("v".into()),
        header_name: "Bad Header".into(),
        ..TextTokenForm::default()
    };
    assert_eq!(
        field(p.pb.save_text_token_form(None, t).expect_err("header name")),
        Some(F::HeaderName)
    );

    // Errors about no single field carry none, and the JSON has no `field` key then.
    let e = p.pb.get_action("missing").expect_err("not found");
    assert_eq!(e.body().field, None);
    let json = serde_json::to_value(e.body()).expect("json");
    assert!(json.get("field").is_none(), "{json}");
    assert_eq!(
        p.pb.list_actions().expect("list").len(),
        1,
        "nothing was saved"
    );
}
