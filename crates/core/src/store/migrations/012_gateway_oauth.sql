-- v12: Patchbay's own authorization server, in front of the gateway. Only SHA-256 hashes
-- (hex) of client secrets, codes and tokens are kept; the values are shown once or sent once.
--
-- A client: one the user made (custom: its actions chosen then, so no consent prompt), one
-- that registered itself (RFC 7591), or one known by its metadata document URL. `actions` is
-- '*' or a JSON array of action ids; `tools` a JSON object {action id: [tool, ...]}, as for
-- access keys. Revoking sets `revoked_at` and revokes every grant; re-activating clears it
-- and brings no grant back.
CREATE TABLE gateway_clients (
    id                TEXT PRIMARY KEY NOT NULL,
    client_id         TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    type              TEXT NOT NULL CHECK (type IN ('confidential', 'public')),
    kind              TEXT NOT NULL CHECK (kind IN ('custom', 'registered', 'metadata-document')),
    secret_hash       TEXT,
    redirect_uris     TEXT NOT NULL,
    actions           TEXT NOT NULL,
    tools             TEXT NOT NULL DEFAULT '{}',
    created_at        TEXT NOT NULL,
    last_used_at      TEXT,
    -- The last tools/call with one of its tokens (the Gateway screen's "who called recently").
    last_call_at      TEXT,
    last_tool         TEXT,
    secret_rotated_at TEXT,
    revoked_at        TEXT
);
CREATE UNIQUE INDEX gateway_clients_name ON gateway_clients (name COLLATE NOCASE);

-- An authorization code: one use, short-lived, bound to its client, redirect URI, PKCE
-- challenge (S256) and resource.
CREATE TABLE gateway_codes (
    hash         TEXT PRIMARY KEY NOT NULL,
    client       TEXT NOT NULL REFERENCES gateway_clients (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    challenge    TEXT NOT NULL,
    resource     TEXT NOT NULL,
    scope        TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);

-- A grant: what one sign-in gave a client for one resource; its tokens live and die with it.
CREATE TABLE gateway_grants (
    id         TEXT PRIMARY KEY NOT NULL,
    client     TEXT NOT NULL REFERENCES gateway_clients (id) ON DELETE CASCADE,
    resource   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX gateway_grants_client ON gateway_grants (client);

-- Access and refresh tokens. A refresh token is replaced on every use (`replaced_at`,
-- `successor`); the replaced one still works within the grace window until its successor is
-- used (`used_at`); any other reuse revokes the grant.
CREATE TABLE gateway_tokens (
    hash        TEXT PRIMARY KEY NOT NULL,
    grant_id    TEXT NOT NULL REFERENCES gateway_grants (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    replaced_at TEXT,
    successor   TEXT,
    revoked_at  TEXT
);
CREATE INDEX gateway_tokens_grant ON gateway_tokens (grant_id);
