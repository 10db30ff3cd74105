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

-- One grant per action (its own OAuth settings) or per reusable connection.
CREATE TABLE oauth_grants (
    -- 'action/<id>' or 'connection/<id>': also the prefix of its keychain entry
    owner         TEXT PRIMARY KEY NOT NULL,
    action_id     TEXT REFERENCES actions (id) ON DELETE CASCADE,
    connection_id TEXT REFERENCES connections (id) ON DELETE CASCADE,
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    resource      TEXT,
    account       TEXT,
    scopes        TEXT NOT NULL DEFAULT '[]',
    expires_at    TEXT,
    has_refresh   INTEGER NOT NULL DEFAULT 0 CHECK (has_refresh IN (0, 1)),
    connected_at  TEXT NOT NULL,
    CHECK ((action_id IS NULL) <> (connection_id IS NULL))
);
CREATE INDEX oauth_grants_action ON oauth_grants (action_id);
CREATE INDEX oauth_grants_connection ON oauth_grants (connection_id);

-- What discovery found for an action's MCP server, reused by later connects (fewer
-- round trips) until the server URL changes or a connect fails in a way stale metadata
-- explains; then it is discovered again.
CREATE TABLE oauth_discovery (
    action_id     TEXT PRIMARY KEY NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    server_url    TEXT NOT NULL,
    discovered    TEXT NOT NULL,
    discovered_at TEXT NOT NULL
);
