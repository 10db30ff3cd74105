-- v3: OAuth. Registered clients are remembered per authorization server (issuer) and
-- redirect URI, so reconnects reuse them; a grant records who is connected and with what.
-- Tokens and client secrets are in the keychain, never here.
CREATE TABLE oauth_clients (
    issuer        TEXT NOT NULL,
    redirect_uri  TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    has_secret    INTEGER NOT NULL DEFAULT 0 CHECK (has_secret IN (0, 1)),
    auth_method   TEXT NOT NULL DEFAULT 'none',
    registered_at TEXT NOT NULL,
    PRIMARY KEY (issuer, redirect_uri)
);

CREATE TABLE oauth_grants (
    action_id     TEXT PRIMARY KEY NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    resource      TEXT,
    account       TEXT,
    scopes        TEXT NOT NULL DEFAULT '[]',
    expires_at    TEXT,
    has_refresh   INTEGER NOT NULL DEFAULT 0 CHECK (has_refresh IN (0, 1)),
    connected_at  TEXT NOT NULL,
    -- discovered metadata, reused until it fails (JSON: endpoints, issuer, resource)
    metadata      TEXT
);
