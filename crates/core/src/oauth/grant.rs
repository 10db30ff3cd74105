//! What a grant owner (an action with its own OAuth client, or a connection) holds: the
//! grant row behind `status`.

use super::*;

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
}
