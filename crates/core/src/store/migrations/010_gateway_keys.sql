-- v10: access keys of the local gateway. Only the SHA-256 of a key is kept (hex); the key
-- itself is shown once, when it is made. `actions` is '*' (every action, present and future)
-- or a JSON array of action ids (a key survives a rename; a removed action drops out);
-- `tools` a JSON object {action id: [tool, ...]} limiting those actions to those tools.
CREATE TABLE gateway_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    actions      TEXT NOT NULL,
    tools        TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    last_used_at TEXT,
    -- The last tools/call made with the key (the Gateway screen's "who called recently").
    last_call_at TEXT,
    last_tool    TEXT
);
CREATE UNIQUE INDEX gateway_keys_name ON gateway_keys (name COLLATE NOCASE);
