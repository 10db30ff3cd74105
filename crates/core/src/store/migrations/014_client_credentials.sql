-- v14: clients that get tokens for themselves (client credentials, RFC 6749 §4.4) and
-- clients that authenticate with a signed JWT (private_key_jwt, RFC 7523). The private key is
-- in the keychain (`<owner>/private_key`); only its public JWK is kept here, set exactly when
-- the client authenticates with private_key_jwt.

-- An action's own OAuth client: its grant ('authorization-code' when NULL, or for actions
-- without their own OAuth) and its public key.
ALTER TABLE actions ADD COLUMN grant_type TEXT
    CHECK (grant_type IN ('authorization-code', 'client-credentials'));
ALTER TABLE actions ADD COLUMN public_jwk TEXT;

-- Connections: rebuilt for the token auth method's CHECK (a secret exactly with
-- client_secret_basic / client_secret_post, a public key exactly with private_key_jwt). Same
-- rows and ids; foreign keys are not enforced while migrations run and are checked before
-- they commit (store/mod.rs).
CREATE TABLE connections_v14 (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    provider          TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    has_client_secret INTEGER NOT NULL DEFAULT 0 CHECK (has_client_secret IN (0, 1)),
    authorization_url TEXT NOT NULL,
    token_url         TEXT NOT NULL,
    registration_url  TEXT,
    revocation_url    TEXT,
    token_auth_method TEXT NOT NULL
        CHECK (token_auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
    scopes            TEXT NOT NULL DEFAULT '[]',
    issuer            TEXT,
    resource          TEXT,
    metadata          TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    grant_type        TEXT NOT NULL DEFAULT 'authorization-code'
        CHECK (grant_type IN ('authorization-code', 'client-credentials')),
    public_jwk        TEXT,
    CHECK ((token_auth_method IN ('client_secret_basic', 'client_secret_post')) = (has_client_secret = 1)),
    CHECK ((token_auth_method = 'private_key_jwt') = (public_jwk IS NOT NULL))
);
INSERT INTO connections_v14 (id, name, provider, client_id, has_client_secret, authorization_url, token_url,
        registration_url, revocation_url, token_auth_method, scopes, issuer, resource, metadata, created_at, updated_at)
    SELECT id, name, provider, client_id, has_client_secret, authorization_url, token_url,
        registration_url, revocation_url, token_auth_method, scopes, issuer, resource, metadata, created_at, updated_at
    FROM connections;
DROP TABLE connections;
ALTER TABLE connections_v14 RENAME TO connections;
CREATE UNIQUE INDEX connections_name ON connections (name COLLATE NOCASE);

-- Grants: the auth method's CHECK gains private_key_jwt; a grant records how its tokens were
-- got (a client-credentials grant fetches a new token where another would refresh) and the
-- audience of its client assertions.
CREATE TABLE oauth_grants_v14 (
    owner                  TEXT PRIMARY KEY NOT NULL,
    action_id              TEXT REFERENCES actions (id) ON DELETE CASCADE,
    connection_id          TEXT REFERENCES connections (id) ON DELETE CASCADE,
    issuer                 TEXT NOT NULL,
    client_id              TEXT NOT NULL,
    resource               TEXT,
    account                TEXT,
    scopes                 TEXT NOT NULL DEFAULT '[]',
    expires_at             TEXT,
    has_refresh            INTEGER NOT NULL DEFAULT 0 CHECK (has_refresh IN (0, 1)),
    connected_at           TEXT NOT NULL,
    authorization_endpoint TEXT,
    token_endpoint         TEXT,
    revocation_endpoint    TEXT,
    auth_method            TEXT NOT NULL DEFAULT 'none'
        CHECK (auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none')),
    needs_reconnect        TEXT,
    refreshed_at           TEXT,
    grant_type             TEXT NOT NULL DEFAULT 'authorization-code'
        CHECK (grant_type IN ('authorization-code', 'client-credentials')),
    assertion_audience     TEXT,
    CHECK ((action_id IS NULL) <> (connection_id IS NULL))
);
INSERT INTO oauth_grants_v14 (owner, action_id, connection_id, issuer, client_id, resource, account, scopes, expires_at,
        has_refresh, connected_at, authorization_endpoint, token_endpoint, revocation_endpoint, auth_method,
        needs_reconnect, refreshed_at)
    SELECT owner, action_id, connection_id, issuer, client_id, resource, account, scopes, expires_at,
        has_refresh, connected_at, authorization_endpoint, token_endpoint, revocation_endpoint, auth_method,
        needs_reconnect, refreshed_at
    FROM oauth_grants;
DROP TABLE oauth_grants;
ALTER TABLE oauth_grants_v14 RENAME TO oauth_grants;
CREATE INDEX oauth_grants_action ON oauth_grants (action_id);
CREATE INDEX oauth_grants_connection ON oauth_grants (connection_id);
