//! The provider gallery: well-known remote MCP servers with their URL and how they sign in,
//! from one data file (`providers.json`, each entry with its documentation URL as `source`).
//! The CLI (`patchbay providers`, `action add --provider`) and the window read it from here.

use std::sync::OnceLock;

use crate::actions::NewAction;
use crate::model::AuthSpec;
pub use crate::model::{OwnAppSetup, Provider, ProviderFlow};
use crate::{Error, Kind, Result};

const DATA: &str = include_str!("providers.json");

/// Every gallery entry, in the file's order.
pub fn providers() -> &'static [Provider] {
    static LIST: OnceLock<Vec<Provider>> = OnceLock::new();
    LIST.get_or_init(|| {
        serde_json::from_str(DATA).expect("providers.json is valid (checked by the unit tests)")
    })
}

/// The entry `id` (exact, case-insensitive).
pub fn provider(id: &str) -> Result<&'static Provider> {
    providers()
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| Error::NotFound {
            kind: Kind::Provider,
            name: id.to_string(),
        })
}

/// `input` with what the provider `id` knows filled in where the caller gave nothing:
/// URL, description, `oauth` authentication, and (for OAuth) endpoints and scopes.
pub fn prefill(id: &str, mut input: NewAction) -> Result<NewAction> {
    let p = provider(id)?;
    if input.url.trim().is_empty() {
        input.url = p.url.clone();
    }
    if input.description.is_none() {
        input.description = Some(p.description.clone());
    }
    let auth = input.auth.get_or_insert(AuthSpec::OAuth);
    if *auth == AuthSpec::OAuth {
        let o = &mut input.oauth;
        if o.authorization_url.is_none() {
            o.authorization_url = p.authorization_url.clone();
        }
        if o.token_url.is_none() {
            o.token_url = p.token_url.clone();
        }
        if o.scopes.is_none() {
            o.scopes = p.scopes.clone();
        }
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn https(u: &str) -> bool {
        u.starts_with("https://") && u.len() > "https://".len() && !u.contains(' ')
    }

    #[test]
    fn the_file_parses_with_at_least_15_entries() {
        assert!(providers().len() >= 15, "{} entries", providers().len());
    }

    #[test]
    fn ids_are_unique_valid_names() {
        let mut seen = HashSet::new();
        for p in providers() {
            crate::validate::name("provider id", &p.id).expect("a valid name");
            assert_eq!(p.id, p.id.to_ascii_lowercase(), "{} is lower-case", p.id);
            assert!(seen.insert(p.id.clone()), "duplicate id {}", p.id);
            assert!(!p.name.trim().is_empty(), "{} has a name", p.id);
            let d = p.description.trim();
            assert!(
                !d.is_empty() && !d.contains('\n'),
                "{}: one-line description",
                p.id
            );
        }
    }

    #[test]
    fn every_url_is_https_and_every_entry_has_a_source() {
        for p in providers() {
            assert!(https(&p.url), "{}: server URL {}", p.id, p.url);
            crate::validate::url("url", &p.url).expect("an acceptable server URL");
            assert!(https(&p.source), "{}: source {}", p.id, p.source);
            for u in [&p.authorization_url, &p.token_url].into_iter().flatten() {
                assert!(https(u), "{}: endpoint {u}", p.id);
            }
        }
    }

    #[test]
    fn own_app_entries_say_what_to_register_and_dcr_entries_do_not() {
        for p in providers() {
            match (p.flow, &p.register) {
                (ProviderFlow::OwnApp, Some(r)) => {
                    assert!(!r.where_.trim().is_empty(), "{}: where", p.id);
                    assert!(!r.what.trim().is_empty(), "{}: what", p.id);
                    assert_eq!(
                        r.redirect_uri,
                        format!(
                            "http://127.0.0.1:{}/callback",
                            crate::oauth::callback::DEFAULT_PORT
                        ),
                        "{}: the loopback callback",
                        p.id
                    );
                }
                (ProviderFlow::OwnApp, None) => panic!("{}: own_app without register", p.id),
                (ProviderFlow::Dcr, Some(_)) => panic!("{}: dcr with register", p.id),
                (ProviderFlow::Dcr, None) => {}
            }
        }
    }

    #[test]
    fn the_suggested_providers_are_there() {
        for id in [
            "linear",
            "notion",
            "atlassian",
            "sentry",
            "cloudflare",
            "supabase",
            "canva",
            "github",
            "slack",
            "hubspot",
            "asana",
            "figma",
            "stripe",
            "vercel",
        ] {
            provider(id).expect("in the gallery");
        }
        assert!(providers().iter().any(|p| p.id.starts_with("google")));
    }

    #[test]
    fn unknown_id_is_not_found_with_the_gallery_hint() {
        let e = provider("nope").expect_err("unknown");
        assert_eq!(e.code(), crate::ErrorCode::NotFound);
        assert!(e.hint().unwrap_or_default().contains("patchbay providers"));
    }

    #[test]
    fn prefill_fills_gaps_and_keeps_what_was_given() {
        let gh = prefill(
            "GitHub",
            NewAction {
                name: "gh".into(),
                ..Default::default()
            },
        )
        .expect("known");
        assert_eq!(gh.url, "https://api.githubcopilot.com/mcp/");
        assert_eq!(gh.auth, Some(AuthSpec::OAuth));
        assert_eq!(gh.oauth.scopes.as_deref(), Some("repo read:org"));
        assert_eq!(
            gh.oauth.token_url.as_deref(),
            Some("https://github.com/login/oauth/access_token")
        );
        assert!(gh.description.is_some());

        let given = NewAction {
            name: "gh".into(),
            url: "https://example.com/mcp".into(),
            auth: Some(AuthSpec::Token("pat".into())),
            description: Some("mine".into()),
            ..Default::default()
        };
        let kept = prefill("github", given).expect("known");
        assert_eq!(kept.url, "https://example.com/mcp");
        assert_eq!(kept.auth, Some(AuthSpec::Token("pat".into())));
        assert_eq!(kept.description.as_deref(), Some("mine"));
        assert!(
            kept.oauth.scopes.is_none(),
            "no OAuth settings for a token action"
        );
    }
}
