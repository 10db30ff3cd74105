//! What the desktop app's forms send: whole forms (every field as typed), mapped here onto
//! the same add / edit operations the CLI uses, so both front ends validate alike.
//!
//! Secrets arrive as plain strings over IPC and are wrapped in [`SecretString`] at once;
//! a `null` secret on an edit keeps the stored one.

use secrecy::SecretString;

use crate::Patchbay;
use crate::actions::{ActionPatch, HttpInput, NewAction, OAuthInput};
use crate::connections::{ConnectionPatch, NewConnection};
use crate::error::{Error, FormField, Result};
pub use crate::model::{
    ActionForm, CallbackUrls, ConnectionForm, HttpTokenForm, OAuthForm, OwnerKind, RequestField,
    SavedHttpToken, TextTokenForm,
};
use crate::model::{
    ActionKind, ActionView, AuthRef, AuthSpec, AuthType, CallbackKind, ConnectionView, Header,
    OAuthGrant, TokenView,
};
use crate::runtime::http_token::TokenTestReport;
use crate::tokens::{NewHttpToken, NewTextToken, TokenPatch};

/// The callback URLs on `port` (the `callbackPort` setting: [`Patchbay::callback_urls`]).
pub fn callback_urls(port: u16) -> CallbackUrls {
    CallbackUrls {
        loopback: format!("http://127.0.0.1:{port}/callback"),
        port,
        app_link: crate::oauth::callback::APP_LINK_REDIRECT.to_string(),
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

fn secret(s: Option<String>) -> Option<SecretString> {
    s.filter(|v| !v.is_empty()).map(SecretString::from)
}

/// The form's authentication choice; a token or connection kind needs its name.
fn auth_spec(a: &AuthRef) -> Result<AuthSpec> {
    let named = |what: &str| -> Result<String> {
        match a.reference.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => Ok(r.to_string()),
            _ => Err(
                Error::invalid(format!("choose the {what} this action uses")).at(FormField::Auth),
            ),
        }
    };
    Ok(match a.kind {
        AuthType::None => AuthSpec::None,
        AuthType::OAuth => AuthSpec::OAuth,
        AuthType::Token => AuthSpec::Token(named("bearer token")?),
        AuthType::HttpToken => AuthSpec::HttpToken(named("HTTP request token")?),
        AuthType::Connection => AuthSpec::Connection(named("OAuth connection")?),
    })
}

/// Every field of the OAuth form, as a full replacement (empty clears).
fn oauth_input(o: &OAuthForm) -> OAuthInput {
    OAuthInput {
        grant: Some(o.grant),
        private_key: None,
        client_id: Some(o.client_id.trim().to_string()),
        client_secret: secret(o.client_secret.clone()),
        token_auth_method: Some(o.token_auth_method),
        authorization_url: Some(o.authorization_url.trim().to_string()),
        token_url: Some(o.token_url.trim().to_string()),
        registration_url: Some(o.registration_url.trim().to_string()),
        scopes: Some(o.scopes.clone()),
        assume_pkce_s256: Some(o.assume_pkce_s256),
        resource_override: Some(o.resource_override.trim().to_string()),
        omit_resource: Some(o.omit_resource),
        client_metadata_url: Some(o.client_metadata_url.trim().to_string()),
        callback: Some(o.callback),
        assertion_file: Some(o.assertion_file.trim().to_string()),
        idp: Some(o.idp.trim().to_string()),
    }
}

/// Only what was filled in (a new action).
fn oauth_filled(o: &OAuthForm) -> OAuthInput {
    OAuthInput {
        grant: (o.grant != OAuthGrant::AuthorizationCode).then_some(o.grant),
        private_key: None,
        client_id: opt(&o.client_id),
        client_secret: secret(o.client_secret.clone()),
        token_auth_method: o.token_auth_method.map(Some),
        authorization_url: opt(&o.authorization_url),
        token_url: opt(&o.token_url),
        registration_url: opt(&o.registration_url),
        scopes: opt(&o.scopes),
        assume_pkce_s256: o.assume_pkce_s256.then_some(true),
        resource_override: opt(&o.resource_override),
        omit_resource: o.omit_resource.then_some(true),
        client_metadata_url: opt(&o.client_metadata_url),
        callback: (o.callback != CallbackKind::Loopback).then_some(o.callback),
        assertion_file: opt(&o.assertion_file),
        idp: opt(&o.idp),
    }
}

/// Named rows split into plain `(name, value)` pairs and secrets for the keychain; rows
/// without a name are dropped.
type SplitFields = (Vec<(String, String)>, Vec<(String, SecretString)>);

fn split_fields(rows: Vec<RequestField>) -> SplitFields {
    let mut plain = Vec::new();
    let mut secrets = Vec::new();
    for r in rows.into_iter().filter(|r| !r.name.trim().is_empty()) {
        let name = r.name.trim().to_string();
        if r.secret {
            secrets.push((name, SecretString::from(r.value)));
        } else {
            plain.push((name, r.value));
        }
    }
    (plain, secrets)
}

/// The header rows that are filled in (a row left blank is dropped).
fn headers(h: &[Header]) -> Vec<Header> {
    h.iter()
        .filter(|h| !(h.name.trim().is_empty() && h.value.trim().is_empty()))
        .map(|h| Header {
            name: h.name.trim().to_string(),
            value: h.value.clone(),
        })
        .collect()
}

impl Patchbay {
    /// Create (`original` = `None`) or update the action named `original` from the form.
    pub fn save_action_form(&self, original: Option<&str>, f: ActionForm) -> Result<ActionView> {
        let auth = auth_spec(&f.auth)?;
        let is_oauth = f.auth.kind == AuthType::OAuth;
        let body = f.body.as_deref().and_then(opt);
        let Some(original) = original else {
            let http = (f.kind == ActionKind::Http).then(|| HttpInput {
                method: f.method.as_deref().and_then(opt),
                headers: headers(&f.headers),
                body: body.clone(),
            });
            return self.add_action(NewAction {
                name: f.name,
                url: f.url,
                http,
                auth: Some(auth),
                oauth: if is_oauth {
                    oauth_filled(&f.oauth)
                } else {
                    OAuthInput::default()
                },
                description: opt(&f.description),
                confirm: f.confirm,
                disabled: !f.enabled,
            });
        };
        let current = self.get_action(original)?;
        if current.kind != f.kind {
            return Err(Error::invalid_with_hint(
                format!(
                    "'{}' is an {} action and cannot become an {} action",
                    current.name,
                    current.kind.as_str().to_uppercase(),
                    f.kind.as_str().to_uppercase()
                ),
                "add a new action of the other kind instead",
            )
            .at(FormField::Kind));
        }
        let is_http = current.kind == ActionKind::Http;
        self.edit_action(
            original,
            ActionPatch {
                rename: (f.name.trim() != current.name).then(|| f.name.clone()),
                url: Some(f.url),
                description: Some(f.description.trim().to_string()),
                confirm: Some(f.confirm),
                enabled: Some(f.enabled),
                auth: Some(auth),
                oauth: if is_oauth {
                    oauth_input(&f.oauth)
                } else {
                    OAuthInput::default()
                },
                clear_client_secret: is_oauth && f.oauth.clear_client_secret,
                method: is_http.then(|| f.method.clone().unwrap_or_default()),
                headers: is_http.then(|| headers(&f.headers)),
                body: is_http.then_some(body),
            },
        )
    }

    /// Create or update an OAuth connection from the form.
    pub fn save_connection_form(
        &self,
        original: Option<&str>,
        f: ConnectionForm,
    ) -> Result<ConnectionView> {
        let Some(original) = original else {
            return self.add_connection(NewConnection {
                name: f.name,
                provider: f.provider,
                client_id: f.client_id,
                client_secret: secret(f.client_secret),
                authorization_url: f.authorization_url,
                token_url: f.token_url,
                registration_url: opt(&f.registration_url),
                revocation_url: opt(&f.revocation_url),
                token_auth_method: f.token_auth_method,
                scopes: opt(&f.scopes),
                grant: Some(f.grant),
                private_key: None,
            });
        };
        let current = self.get_connection(original)?;
        self.edit_connection(
            original,
            ConnectionPatch {
                rename: (f.name.trim() != current.name).then(|| f.name.clone()),
                provider: Some(f.provider),
                client_id: Some(f.client_id),
                client_secret: secret(f.client_secret),
                clear_client_secret: f.clear_client_secret,
                authorization_url: Some(f.authorization_url),
                token_url: Some(f.token_url),
                registration_url: Some(f.registration_url.trim().to_string()),
                revocation_url: Some(f.revocation_url.trim().to_string()),
                token_auth_method: f.token_auth_method,
                scopes: Some(f.scopes),
                grant: Some(f.grant),
                private_key: None,
            },
        )
    }

    /// Create or update a text token from the form.
    pub fn save_text_token_form(
        &self,
        original: Option<&str>,
        f: TextTokenForm,
    ) -> Result<TokenView> {
        let header_name = opt(&f.header_name).unwrap_or_else(|| "Authorization".into());
        let Some(original) = original else {
            let Some(value) = secret(f.value) else {
                return Err(Error::invalid("enter the token's value").at(FormField::Value));
            };
            return self.add_text_token(NewTextToken {
                name: f.name,
                description: opt(&f.description),
                value,
                prefix: opt(&f.prefix),
                header_name,
            });
        };
        let current = self.get_token(original)?;
        self.edit_token(
            original,
            TokenPatch {
                rename: (f.name.trim() != current.name).then(|| f.name.clone()),
                description: Some(f.description.trim().to_string()),
                prefix: Some(f.prefix.trim().to_string()),
                header_name: Some(header_name),
                value: secret(f.value),
                token_path: None,
            },
        )
    }

    fn http_token_input(f: HttpTokenForm) -> NewHttpToken {
        let (headers, secret_headers) = split_fields(f.headers);
        let headers = headers
            .into_iter()
            .map(|(name, value)| Header { name, value })
            .collect();
        let (body, secret_body) = split_fields(f.body);
        NewHttpToken {
            name: f.name,
            description: opt(&f.description),
            method: opt(&f.method),
            url: f.url,
            headers,
            secret_headers,
            body,
            secret_body,
            form: f.form,
            token_path: f.token_path,
            prefix: opt(&f.prefix),
            header_name: opt(&f.header_name).unwrap_or_else(|| "Authorization".into()),
        }
    }

    /// "Test request" on an unsaved form: perform the request and report, saving nothing.
    pub async fn test_http_token_form(&self, f: HttpTokenForm) -> Result<TokenTestReport> {
        self.test_http_token_draft(Self::http_token_input(f)).await
    }

    /// Save a new HTTP request token once its request passes (or anyway, when asked).
    pub async fn add_http_token_form(
        &self,
        f: HttpTokenForm,
        save_anyway: bool,
    ) -> Result<SavedHttpToken> {
        let (token, report) = self
            .add_http_token_tested(Self::http_token_input(f), !save_anyway)
            .await?;
        Ok(SavedHttpToken { token, report })
    }

    /// Edit what an HTTP request token's edit can change: name, description, prefix,
    /// header and JSONPath (the request itself is re-created by adding a new token).
    pub fn edit_http_token_form(&self, original: &str, f: HttpTokenForm) -> Result<TokenView> {
        let current = self.get_token(original)?;
        self.edit_token(
            original,
            TokenPatch {
                rename: (f.name.trim() != current.name).then(|| f.name.clone()),
                description: Some(f.description.trim().to_string()),
                prefix: Some(f.prefix.trim().to_string()),
                header_name: Some(opt(&f.header_name).unwrap_or_else(|| "Authorization".into())),
                value: None,
                token_path: Some(f.token_path),
            },
        )
    }
}

impl From<OwnerKind> for crate::error::Kind {
    fn from(k: OwnerKind) -> Self {
        match k {
            OwnerKind::Action => crate::error::Kind::Action,
            OwnerKind::Connection => crate::error::Kind::Connection,
        }
    }
}

impl Patchbay {
    /// The callback URLs on the configured port (setting `callbackPort`).
    pub fn callback_urls(&self) -> CallbackUrls {
        callback_urls(self.settings().callback_port)
    }

    /// Connect from the app: open the browser, wait for the loopback callback or the app
    /// link, until done, timed out, or `cancel` fires.
    /// Connect in the browser from the app (which receives app links). A second Connect of
    /// the same target cancels the first; [`Patchbay::cancel_sign_in`] stops it.
    pub async fn connect_in_browser(
        &self,
        kind: OwnerKind,
        name: &str,
    ) -> Result<crate::model::GrantView> {
        self.connect_from_app(kind, name, None).await
    }

    /// Sign in with a code on another device (RFC 8628) from the app: `show` gets where to
    /// go and the code once the server gave them; resolves like [`Self::connect_in_browser`]
    /// (cancelled the same way). A server without device sign-in is an error with the fix.
    pub async fn connect_with_code(
        &self,
        kind: OwnerKind,
        name: &str,
        show: crate::oauth::ShowDeviceCode,
    ) -> Result<crate::model::GrantView> {
        let device = crate::oauth::DeviceSignIn {
            required: true,
            show,
        };
        self.connect_from_app(kind, name, Some(device)).await
    }

    async fn connect_from_app(
        &self,
        kind: OwnerKind,
        name: &str,
        device: Option<crate::oauth::DeviceSignIn>,
    ) -> Result<crate::model::GrantView> {
        let target = format!("{kind:?}:{name}");
        let mut cancel = self.sign_ins.begin(&target);
        let settings = self.settings();
        let req = crate::oauth::ConnectRequest {
            action: name.to_string(),
            port: settings.callback_port,
            timeout: std::time::Duration::from_secs(settings.consent_timeout_secs.into()),
            extra_scopes: Vec::new(),
            challenge: None,
            receives_app_links: true,
            device,
        };
        let open = |url: &str, _redirect: &str| crate::browser::open(url);
        let flow = async {
            match kind {
                OwnerKind::Action => self.connect_action(req, open).await,
                OwnerKind::Connection => self.connect_connection(req, open).await,
            }
        };
        let result = tokio::select! {
            r = flow => r,
            Ok(()) = &mut cancel => Err(Error::oauth(
                crate::error::ErrorCode::Cancelled,
                "the sign-in was cancelled; nothing was saved",
                None,
            )),
        };
        drop(cancel);
        self.sign_ins.end(&target);
        result
    }

    /// Stop the sign-in of `kind` `name` that waits for the browser; false when none was.
    pub fn cancel_sign_in(&self, kind: OwnerKind, name: &str) -> bool {
        self.sign_ins.cancel(&format!("{kind:?}:{name}"))
    }
}
