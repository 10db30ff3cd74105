-- Patchbay schema v1. Secrets never live here: only flags saying whether the keychain holds one.
CREATE TABLE connections (
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
        CHECK (token_auth_method IN ('client_secret_basic', 'client_secret_post', 'none')),
    scopes            TEXT NOT NULL DEFAULT '[]',
    issuer            TEXT,
    resource          TEXT,
    metadata          TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK ((token_auth_method = 'none') = (has_client_secret = 0))
);
CREATE UNIQUE INDEX connections_name ON connections (name COLLATE NOCASE);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('text', 'http-request')),
    description TEXT NOT NULL DEFAULT '',
    prefix      TEXT,
    header_name TEXT NOT NULL,
    -- http-request tokens: JSON {method, url, headers:[{name, value?, secret}], body:[{key, value?, secret}], form}
    request     TEXT,
    token_path  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((kind = 'http-request') = (request IS NOT NULL AND token_path IS NOT NULL))
);
CREATE UNIQUE INDEX tokens_name ON tokens (name COLLATE NOCASE);

CREATE TABLE actions (
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
    CHECK ((auth_type IN ('token', 'http-token')) = (token_id IS NOT NULL)),
    CHECK ((auth_type = 'connection') = (connection_id IS NOT NULL)),
    CHECK ((kind = 'http') = (http IS NOT NULL))
);
CREATE UNIQUE INDEX actions_name ON actions (name COLLATE NOCASE);
CREATE INDEX actions_token ON actions (token_id);
CREATE INDEX actions_connection ON actions (connection_id);
