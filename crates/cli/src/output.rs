//! Human output (tables, key: value) and JSON output.

use patchbay_core::model::{
    ActionView, AuthType, ConnectionView, HealthStatus, TokenKind, TokenView,
};
use serde::Serialize;

/// `println!` that ends the process quietly when stdout is closed (`patchbay ... | head`)
/// instead of panicking.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// Something a command prints: JSON with `--json`, else its human form.
pub trait Render: Serialize {
    fn human(&self);
}

pub fn show<T: Render + ?Sized>(v: &T, json: bool) {
    if json {
        self::json(v);
    } else {
        v.human();
    }
}

macro_rules! render {
    ($($t:ty => $f:ident),* $(,)?) => {$(
        impl Render for $t {
            fn human(&self) {
                $f(self)
            }
        }
    )*};
}

render!(
    Vec<ActionView> => actions,
    ActionView => action,
    Vec<ConnectionView> => connections,
    ConnectionView => connection,
    Vec<TokenView> => tokens,
    TokenView => token,
    patchbay_core::settings::SettingsView => settings,
    [patchbay_core::providers::Provider] => providers,
);

pub fn json<T: Serialize + ?Sized>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => outln!("{s}"),
        Err(e) => eprintln!("error: cannot encode JSON: {e}"),
    }
}

/// Left-aligned columns, two spaces apart.
pub fn table(header: &[&str], rows: Vec<Vec<String>>) {
    for line in table_lines(header, rows) {
        outln!("{line}");
    }
}

/// The lines of [`table`], columns measured in terminal cells (a CJK name or an emoji takes
/// two).
fn table_lines(header: &[&str], rows: Vec<Vec<String>>) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        let s: Vec<String> = cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    let pad = widths[i].saturating_sub(c.width());
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect();
        s.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(header.iter().map(|h| h.to_string()).collect())];
    out.extend(rows.into_iter().map(line));
    out
}

pub fn auth_label(a: &ActionView) -> String {
    match (a.auth.kind, &a.auth.reference) {
        (AuthType::None, _) => "none".into(),
        (AuthType::OAuth, _) => "oauth".into(),
        (AuthType::Token, Some(r)) => format!("token:{r}"),
        (AuthType::HttpToken, Some(r)) => format!("http-token:{r}"),
        (AuthType::Connection, Some(r)) => format!("connection:{r}"),
        (k, None) => k.as_str().into(),
    }
}

pub fn health_label(a: &ActionView) -> String {
    match (a.health.status, &a.health.reason) {
        (HealthStatus::Unhealthy, Some(r)) => format!("unhealthy ({r})"),
        (s, _) => s.as_str().into(),
    }
}

pub fn actions(list: &[ActionView]) {
    if list.is_empty() {
        outln!("No actions yet. Add one with: patchbay action add NAME --url URL");
        return;
    }
    let rows = list
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.kind.as_str().into(),
                auth_label(a),
                health_label(a),
                if a.enabled { "yes".into() } else { "no".into() },
                a.url.clone(),
            ]
        })
        .collect();
    table(&["NAME", "KIND", "AUTH", "HEALTH", "ENABLED", "URL"], rows);
}

/// The provider gallery: id, sign-in, URL, and what an own OAuth app needs.
pub fn providers(list: &[patchbay_core::providers::Provider]) {
    use patchbay_core::providers::ProviderFlow;
    let rows = list
        .iter()
        .map(|p| {
            vec![
                p.id.clone(),
                p.name.clone(),
                match p.flow {
                    ProviderFlow::Dcr => "oauth (automatic registration)".into(),
                    ProviderFlow::OwnApp => "oauth (needs your own OAuth app)".into(),
                },
                p.url.clone(),
            ]
        })
        .collect();
    table(&["ID", "NAME", "SIGN-IN", "URL"], rows);
    outln!("");
    outln!(
        "Add one with: patchbay action add NAME --provider ID (--json shows what to register for an own app, and each entry's documentation)"
    );
}

pub fn settings(view: &patchbay_core::settings::SettingsView) {
    let as_map = |s: &patchbay_core::settings::Settings| match serde_json::to_value(s) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let show = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let (effective, saved, defaults) = (
        as_map(&view.effective),
        as_map(&view.saved),
        as_map(&view.defaults),
    );
    let rows = patchbay_core::settings::keys()
        .into_iter()
        .map(|k| {
            let source = match view.overrides.iter().find(|o| o.key == k) {
                Some(o) => format!("environment ({})", o.env),
                None if saved.get(k) != defaults.get(k) => "saved".into(),
                None => "default".into(),
            };
            vec![
                k.to_string(),
                show(effective.get(k)),
                show(defaults.get(k)),
                source,
            ]
        })
        .collect();
    table(&["KEY", "VALUE", "DEFAULT", "SOURCE"], rows);
}

fn set(b: bool) -> &'static str {
    if b { "set" } else { "not set" }
}

fn kv(k: &str, v: impl std::fmt::Display) {
    outln!("{:<20}{v}", format!("{k}:"));
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

pub fn action(a: &ActionView) {
    kv("name", &a.name);
    kv("kind", a.kind.as_str());
    kv("url", &a.url);
    kv("enabled", if a.enabled { "yes" } else { "no" });
    kv(
        "description",
        if a.description.is_empty() {
            "-"
        } else {
            &a.description
        },
    );
    kv(
        "confirm",
        if a.confirm {
            "yes (each use waits for approval)"
        } else {
            "no"
        },
    );
    kv("auth", auth_label(a));
    if let Some(g) = a.grant {
        kv("grant", g.as_str());
    }
    if let Some(o) = &a.oauth {
        if let Some(f) = &o.settings.assertion_file {
            kv("assertion file", f);
        }
        if let Some(i) = &o.settings.idp {
            kv("identity provider", i);
        }
        kv("client id", opt(&o.settings.client_id));
        kv("client secret", set(o.client_secret_set));
        kv(
            "token auth method",
            o.settings
                .token_auth_method
                .map(|m| m.as_str())
                .unwrap_or("-"),
        );
        kv("authorization url", opt(&o.settings.authorization_url));
        kv("token url", opt(&o.settings.token_url));
        kv("registration url", opt(&o.settings.registration_url));
        kv(
            "scopes",
            if o.settings.scopes.is_empty() {
                "-".into()
            } else {
                o.settings.scopes.join(" ")
            },
        );
        kv("client metadata url", opt(&o.settings.client_metadata_url));
        kv("callback", o.settings.callback.as_str());
        kv(
            "resource",
            match (&o.settings.resource_override, o.settings.omit_resource) {
                (_, true) => "not sent".to_string(),
                (Some(r), false) => r.clone(),
                (None, false) => "discovered".to_string(),
            },
        );
        if o.settings.assume_pkce_s256 {
            kv("assume pkce s256", "yes");
        }
    }
    if let Some(j) = &a.public_jwk {
        public_jwk(j);
    }
    if let Some(h) = &a.http {
        kv("method", &h.method);
        for hd in &h.headers {
            kv("header", format!("{}: {}", hd.name, hd.value));
        }
        kv("body", h.body.clone().unwrap_or_else(|| "-".into()));
        if !h.params.is_empty() {
            kv("params", h.params.join(", "));
        }
    }
    kv("health", health_label(a));
    match a.breaker.state {
        patchbay_core::model::BreakerState::Closed => {}
        patchbay_core::model::BreakerState::Open => kv(
            "breaker",
            format!(
                "open after {} failures; retries at {}",
                a.breaker.failures,
                a.breaker.retry_at.as_deref().unwrap_or("-")
            ),
        ),
        patchbay_core::model::BreakerState::HalfOpen => {
            kv("breaker", "half-open: the next call is the probe")
        }
    }
    if let Some(m) = &a.health.message {
        kv("health message", m);
    }
    kv("checked at", opt(&a.health.checked_at));
    kv("created at", &a.created_at);
    kv("updated at", &a.updated_at);
}

/// The public key to register with the provider, as one line of JSON (copy it as is).
fn public_jwk(j: &patchbay_core::model::PublicJwk) {
    kv(
        "public jwk",
        serde_json::to_string(j).unwrap_or_else(|_| "-".into()),
    );
}

pub fn connections(list: &[ConnectionView]) {
    if list.is_empty() {
        outln!(
            "No OAuth connections yet. Add one with: patchbay connection add NAME --provider P --client-id ID --authorization-url U --token-url U"
        );
        return;
    }
    let rows = list
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.provider.clone(),
                c.client_id.clone(),
                c.token_auth_method.as_str().into(),
                if c.used_by.is_empty() {
                    "-".into()
                } else {
                    c.used_by.join(",")
                },
            ]
        })
        .collect();
    table(
        &["NAME", "PROVIDER", "CLIENT ID", "AUTH METHOD", "USED BY"],
        rows,
    );
}

pub fn connection(c: &ConnectionView) {
    kv("name", &c.name);
    kv("provider", &c.provider);
    kv("client id", &c.client_id);
    kv("client secret", set(c.client_secret_set));
    kv("token auth method", c.token_auth_method.as_str());
    kv("grant", c.grant.as_str());
    if let Some(j) = &c.public_jwk {
        public_jwk(j);
    }
    kv(
        "client type",
        if c.public_client {
            "public (PKCE only)"
        } else {
            "confidential"
        },
    );
    kv("authorization url", &c.authorization_url);
    kv("token url", &c.token_url);
    kv("revocation url", opt(&c.revocation_url));
    kv("registration url", opt(&c.registration_url));
    kv(
        "scopes",
        if c.scopes.is_empty() {
            "-".into()
        } else {
            c.scopes.join(" ")
        },
    );
    kv(
        "used by",
        if c.used_by.is_empty() {
            "-".into()
        } else {
            c.used_by.join(", ")
        },
    );
    kv("created at", &c.created_at);
    kv("updated at", &c.updated_at);
}

fn token_kind(t: &TokenView) -> &'static str {
    match t.kind {
        TokenKind::Text => "text",
        TokenKind::HttpRequest => "http-request",
    }
}

pub fn tokens(list: &[TokenView]) {
    if list.is_empty() {
        outln!(
            "No tokens yet. Add one with: patchbay token add NAME --header-name Authorization --prefix Bearer --value-stdin"
        );
        return;
    }
    let rows = list
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                token_kind(t).into(),
                t.header_name.clone(),
                t.prefix.clone().unwrap_or_else(|| "-".into()),
                if t.used_by.is_empty() {
                    "-".into()
                } else {
                    t.used_by.join(",")
                },
            ]
        })
        .collect();
    table(&["NAME", "KIND", "HEADER", "PREFIX", "USED BY"], rows);
}

pub fn token(t: &TokenView) {
    kv("name", &t.name);
    kv("kind", token_kind(t));
    kv(
        "description",
        if t.description.is_empty() {
            "-"
        } else {
            &t.description
        },
    );
    kv("header name", &t.header_name);
    kv("prefix", opt(&t.prefix));
    match &t.request {
        None => kv("value", set(t.value_set)),
        Some(r) => {
            kv("request", format!("{} {}", r.method, r.url));
            for h in &r.headers {
                kv(
                    "header",
                    format!(
                        "{}: {}",
                        h.name,
                        if h.secret {
                            "(secret, set)".into()
                        } else {
                            opt(&h.value)
                        }
                    ),
                );
            }
            for f in &r.body {
                kv(
                    "body",
                    format!(
                        "{}={}",
                        f.key,
                        if f.secret {
                            "(secret, set)".into()
                        } else {
                            opt(&f.value)
                        }
                    ),
                );
            }
            kv(
                "body encoding",
                if r.body.is_empty() {
                    "-"
                } else if r.form {
                    "form"
                } else {
                    "json"
                },
            );
            kv("token path", &r.token_path);
        }
    }
    kv(
        "used by",
        if t.used_by.is_empty() {
            "-".into()
        } else {
            t.used_by.join(", ")
        },
    );
    kv("created at", &t.created_at);
    kv("updated at", &t.updated_at);
}

pub fn grant(name: &str, g: &patchbay_core::model::GrantView) {
    if g.needs_reconnect {
        outln!(
            "'{name}' needs to be connected again: {}. Run: patchbay connect {name}",
            g.reconnect_reason
                .as_deref()
                .unwrap_or("its grant stopped working")
        );
        return;
    }
    if !g.connected {
        outln!("'{name}' is not connected. Connect it with: patchbay connect {name}");
        return;
    }
    kv(
        "connected",
        match &g.account {
            Some(a) => format!("yes, as {a}"),
            None => "yes".into(),
        },
    );
    kv(
        "scopes",
        if g.scopes.is_empty() {
            "-".into()
        } else {
            g.scopes.join(" ")
        },
    );
    kv("expires at", opt(&g.expires_at));
    kv(
        "refresh token",
        if g.has_refresh_token { "yes" } else { "no" },
    );
    kv("issuer", opt(&g.issuer));
    kv("client id", opt(&g.client_id));
    kv("resource", opt(&g.resource));
    kv("connected at", opt(&g.connected_at));
    if g.refreshed_at.is_some() {
        kv("refreshed at", opt(&g.refreshed_at));
    }
}

/// What a token request did, never the token.
pub fn token_test(name: &str, r: &patchbay_core::runtime::http_token::TokenTestReport) {
    let status = r
        .status
        .map(|s| format!("HTTP {s}"))
        .unwrap_or_else(|| "no answer".into());
    match &r.found {
        Some(f) => outln!(
            "Token '{name}': {status} in {} ms; token found at {}: {}... ({} characters)",
            r.latency_ms,
            f.path,
            f.preview,
            f.length
        ),
        None => {
            outln!(
                "Token '{name}': {status} in {} ms; no token: {}",
                r.latency_ms,
                r.message.as_deref().unwrap_or("no reason given")
            );
            if let Some(shape) = &r.shape {
                outln!("The response's shape: {shape}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::table_lines;

    #[test]
    fn columns_line_up_in_terminal_cells() {
        let lines = table_lines(
            &["NAME", "URL"],
            vec![
                vec!["日本".into(), "https://a.example".into()],
                vec!["abc".into(), "https://b.example".into()],
            ],
        );
        assert_eq!(
            lines,
            vec![
                "NAME  URL",
                "日本  https://a.example",
                "abc   https://b.example",
            ]
        );
    }
}
