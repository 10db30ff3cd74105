-- v16: grants presented as a JWT (RFC 7523 jwt-bearer): a workload's own identity token read
-- from a file ('jwt-bearer', workload identity federation), and enterprise-managed
-- authorization ('enterprise-managed': the enterprise identity provider's ID token exchanged
-- there for an ID-JAG, RFC 8693, presented to the server's authorization server). Both fetch
-- a new token the way client credentials do, with no user at hand.
--
-- SQLite cannot change a CHECK in place: `actions` and `oauth_grants` are rebuilt with the
-- same rows and ids (foreign keys are not enforced while migrations run and are checked before
-- they commit, store/mod.rs).
CREATE TABLE actions_v16 (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('mcp', 'http')),
    url               TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    enabled           INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    confirm           INTEGER NOT NULL DEFAULT 0 CHECK (confirm IN (0, 1)),
    auth_type         TEXT NOT NULL
        CHECK (auth_type IN ('none', 'oauth', 'token', 'http-token', 'connection')),
    token_id          TEXT REFERENCES tokens (id) ON DELETE RESTRICT,
    connection_id     TEXT REFERENCES connections (id) ON DELETE RESTRICT,
    -- own OAuth settings (JSON, no secret) when auth_type = 'oauth'
    oauth             TEXT,
    has_client_secret INTEGER NOT NULL DEFAULT 0 CHECK (has_client_secret IN (0, 1)),
    -- HTTP actions: JSON {method, headers: [[name, value]], body}
    http              TEXT,
    health_status     TEXT NOT NULL DEFAULT 'unknown'
        CHECK (health_status IN ('healthy', 'unhealthy', 'unknown')),
    health_reason     TEXT,
    health_message    TEXT,
    health_checked_at TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    health_latency_ms INTEGER,
    health_tool_count INTEGER,
    grant_type        TEXT
        CHECK (grant_type IN ('authorization-code', 'client-credentials', 'jwt-bearer', 'enterprise-managed')),
    public_jwk        TEXT,
    CHECK ((auth_type IN ('token', 'http-token')) = (token_id IS NOT NULL)),
    CHECK ((auth_type = 'connection') = (connection_id IS NOT NULL)),
    CHECK ((kind = 'http') = (http IS NOT NULL))
);
INSERT INTO actions_v16 (id, name, kind, url, description, enabled, confirm, auth_type, token_id,
        connection_id, oauth, has_client_secret, http, health_status, health_reason, health_message,
        health_checked_at, created_at, updated_at, health_latency_ms, health_tool_count, grant_type, public_jwk)
    SELECT id, name, kind, url, description, enabled, confirm, auth_type, token_id,
        connection_id, oauth, has_client_secret, http, health_status, health_reason, health_message,
        health_checked_at, created_at, updated_at, health_latency_ms, health_tool_count, grant_type, public_jwk
    FROM actions;
DROP TABLE actions;
ALTER TABLE actions_v16 RENAME TO actions;
CREATE UNIQUE INDEX actions_name ON actions (name COLLATE NOCASE);
CREATE INDEX actions_token ON actions (token_id);
CREATE INDEX actions_connection ON actions (connection_id);

CREATE TABLE oauth_grants_v16 (
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
        CHECK (grant_type IN ('authorization-code', 'client-credentials', 'jwt-bearer', 'enterprise-managed')),
    assertion_audience     TEXT,
    CHECK ((action_id IS NULL) <> (connection_id IS NULL))
);
INSERT INTO oauth_grants_v16 SELECT * FROM oauth_grants;
DROP TABLE oauth_grants;
ALTER TABLE oauth_grants_v16 RENAME TO oauth_grants;
CREATE INDEX oauth_grants_action ON oauth_grants (action_id);
CREATE INDEX oauth_grants_connection ON oauth_grants (connection_id);

-- Enterprise identity providers (OpenID Connect): the client Patchbay signs in with there.
-- The sign-in itself (ID token, refresh token) is in the keychain (`idp/<id>/session`),
-- apart from every server's tokens; here only who signed in and until when.
CREATE TABLE idps (
    id                TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    client_id         TEXT NOT NULL,
    has_client_secret INTEGER NOT NULL DEFAULT 0 CHECK (has_client_secret IN (0, 1)),
    scopes            TEXT NOT NULL DEFAULT '[]',
    account           TEXT,
    signed_in_at      TEXT,
    id_token_expires_at TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX idps_name ON idps (name COLLATE NOCASE);
