-- v4: the token lifecycle. A grant remembers the endpoints and client authentication its
-- tokens came from, so refresh and revocation (RFC 7009) use exactly those; and whether the
-- grant needs the user to connect again (the refresh token was refused or is missing).
ALTER TABLE oauth_grants ADD COLUMN authorization_endpoint TEXT;
ALTER TABLE oauth_grants ADD COLUMN token_endpoint TEXT;
ALTER TABLE oauth_grants ADD COLUMN revocation_endpoint TEXT;
ALTER TABLE oauth_grants ADD COLUMN auth_method TEXT NOT NULL DEFAULT 'none'
    CHECK (auth_method IN ('client_secret_basic', 'client_secret_post', 'none'));
-- why the user must connect again; NULL while the grant works
ALTER TABLE oauth_grants ADD COLUMN needs_reconnect TEXT;
ALTER TABLE oauth_grants ADD COLUMN refreshed_at TEXT;
