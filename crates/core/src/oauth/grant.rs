//! What a grant owner (an action with its own OAuth client, or a connection) holds: the
//! grant row behind `status`.

use super::flow::{account_from_claims, jwt_claims};
use super::*;

/// What a new grant records beside its tokens.
pub(super) struct NewGrant {
    pub(super) account: Option<String>,
    pub(super) scopes: Vec<String>,
    pub(super) resource: Option<String>,
    pub(super) grant: OAuthGrant,
    /// The audience of the client's assertions (`private_key_jwt`).
    pub(super) audience: Option<String>,
}

impl Patchbay {
    pub(super) fn grant(&self, owner: &Owner) -> Result<GrantView> {
        self.store().read(|c| {
            let view = c
                .query_row(
                    "SELECT issuer, client_id, resource, account, scopes, expires_at, has_refresh, connected_at,
                        needs_reconnect, refreshed_at
                     FROM oauth_grants WHERE owner = ?1",
                    [owner.key()],
                    |r| {
                        let needs: Option<String> = r.get(8)?;
                        Ok(GrantView {
                            connected: needs.is_none(),
                            issuer: Some(r.get(0)?),
                            client_id: Some(r.get(1)?),
                            resource: r.get(2)?,
                            account: r.get(3)?,
                            scopes: serde_json::from_str(&r.get::<_, String>(4)?)
                                .unwrap_or_default(),
                            expires_at: r.get(5)?,
                            has_refresh_token: r.get(6)?,
                            connected_at: Some(r.get(7)?),
                            needs_reconnect: needs.is_some(),
                            reconnect_reason: needs,
                            refreshed_at: r.get(9)?,
                        })
                    },
                )
                .optional()?;
            Ok(view.unwrap_or_else(GrantView::disconnected))
        })
    }

    pub(super) fn owner_of(&self, kind: Kind, name: &str) -> Result<(Owner, String)> {
        Ok(match kind {
            Kind::Connection => {
                let c = self.get_connection(name)?;
                (Owner::Connection(c.id), c.name)
            }
            _ => {
                let a = self.get_action(name)?;
                (Owner::Action(a.id), a.name)
            }
        })
    }

    /// Whether an action (or, with `Kind::Connection`, a connection) is connected, and as
    /// whom. Reads no secret.
    pub fn oauth_status(&self, kind: Kind, name: &str) -> Result<GrantView> {
        let (owner, _) = self.owner_of(kind, name)?;
        self.grant(&owner)
    }

    /// Keep a grant's tokens in the keychain and its row (a sign-in that finished, or a grant
    /// brought over from another client): replaces the owner's previous grant.
    pub(super) async fn save_grant(
        &self,
        owner: &Owner,
        server: &ServerMetadata,
        client_id: &str,
        method: TokenAuthMethod,
        stored: &StoredTokens,
        g: NewGrant,
    ) -> Result<GrantView> {
        let json = serde_json::to_string(stored)
            .map_err(|e| Error::Internal(format!("cannot encode tokens: {e}")))?;
        let now = self.now();
        let scopes_json = serde_json::to_string(&g.scopes).unwrap_or_else(|_| "[]".into());
        let has_refresh = stored.refresh_token.is_some();
        // Replacing the tokens waits for a refresh in progress (any process), so that refresh
        // cannot overwrite the new grant with tokens of the old one.
        let mut lock = self.lock_tokens(owner).await?;
        lock.remember(None);
        self.write_with_secrets(Entries::MayExist, &[(owner.tokens_key(), SecretString::from(json))], |tx| {
            tx.execute(
                "INSERT INTO oauth_grants (owner, action_id, connection_id, issuer, client_id, resource, account, scopes, expires_at, has_refresh, connected_at,
                    authorization_endpoint, token_endpoint, revocation_endpoint, auth_method, needs_reconnect, refreshed_at,
                    grant_type, assertion_audience, dpop)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULL, NULL, ?16, ?17, ?18)
                 ON CONFLICT (owner) DO UPDATE SET issuer = ?4, client_id = ?5, resource = ?6, account = ?7, scopes = ?8,
                    expires_at = ?9, has_refresh = ?10, connected_at = ?11, authorization_endpoint = ?12,
                    token_endpoint = ?13, revocation_endpoint = ?14, auth_method = ?15, needs_reconnect = NULL,
                    refreshed_at = NULL, grant_type = ?16, assertion_audience = ?17, dpop = ?18",
                params![
                    owner.key(),
                    owner.action_id(),
                    owner.connection_id(),
                    server.issuer,
                    client_id,
                    g.resource,
                    g.account,
                    scopes_json,
                    stored.expires_at,
                    has_refresh,
                    now,
                    server.authorization_endpoint,
                    server.token_endpoint,
                    server.revocation_endpoint,
                    method.as_str(),
                    g.grant.as_str(),
                    g.audience,
                    crate::dpop::bound(stored.token_type.as_deref()),
                ],
            )?;
            // A grant that needed reconnecting works again; its actions' health is unknown
            // until they are tested.
            let (column, id) = owner.actions_column();
            tx.execute(
                &format!(
                    "UPDATE actions SET health_status = 'unknown', health_reason = NULL, health_message = NULL
                     WHERE {column} = ?1 AND health_reason = 'needs_reconnect'"
                ),
                [id],
            )?;
            Ok(())
        })?;
        self.grant(owner)
    }

    /// Adopt a grant another client obtained for this OAuth action (`patchbay import` of
    /// mcp-remote's token store): where the action's server authorizes is discovered (no
    /// sign-in), then its client registration and tokens are kept as if Patchbay had signed in.
    pub async fn adopt_grant(&self, name: &str, grant: AdoptedGrant) -> Result<GrantView> {
        let action = self.get_action(name)?;
        if action.auth.kind != ActionAuth::OAuth {
            return Err(Error::invalid(format!(
                "action '{}' does not use OAuth",
                action.name
            )));
        }
        let settings = action
            .oauth
            .as_ref()
            .map(|o| o.settings.clone())
            .unwrap_or_default();
        let http = http_client()?;
        let d = self.discover_for(&action, &settings, &http, None).await?;
        let resource = settings.resource(&d.resource);
        let method = grant
            .auth_method
            .unwrap_or(if grant.client_secret.is_some() {
                TokenAuthMethod::ClientSecretPost
            } else {
                TokenAuthMethod::None
            });
        let account = jwt_claims(&grant.access_token).and_then(|c| account_from_claims(&c));
        let stored = StoredTokens {
            access_token: grant.access_token,
            refresh_token: grant.refresh_token,
            token_type: Some("Bearer".into()),
            expires_at: grant.expires_at,
            issued_at: grant.issued_at,
            client_secret: grant.client_secret,
        };
        let owner = Owner::Action(action.id.clone());
        self.save_discovery(&action.id, &action.url, &d)?;
        self.save_grant(
            &owner,
            &d.server,
            &grant.client_id,
            method,
            &stored,
            NewGrant {
                account,
                scopes: grant.scopes,
                resource,
                grant: OAuthGrant::AuthorizationCode,
                audience: None,
            },
        )
        .await
    }
}

/// A grant obtained by another client (its registration and tokens), for [`Patchbay::adopt_grant`].
pub struct AdoptedGrant {
    pub client_id: String,
    /// A secret from that client's dynamic registration.
    pub client_secret: Option<String>,
    pub auth_method: Option<TokenAuthMethod>,
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// RFC 3339.
    pub expires_at: Option<String>,
    pub issued_at: Option<String>,
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for AdoptedGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdoptedGrant")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}
