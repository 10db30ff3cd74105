-- v13: browser sign-in for local MCP clients (VS Code, Claude Code, Cursor): a client that
-- registered itself (RFC 7591) or is known by its metadata document URL gets no actions of
-- its own; the user chooses them when approving its consent, and they live on the grant.

-- NULL: the client's own actions (a custom client). Else '*' or a JSON array of action ids,
-- and a JSON object {action id: [tool, ...]}, as for access keys.
ALTER TABLE gateway_codes ADD COLUMN actions TEXT;
ALTER TABLE gateway_codes ADD COLUMN tools TEXT;
ALTER TABLE gateway_grants ADD COLUMN actions TEXT;
ALTER TABLE gateway_grants ADD COLUMN tools TEXT;

-- A sign-in waiting for the user's consent. The browser polls /authorize/continue with the
-- request id and a CSRF token (only its SHA-256 here); `code` is the short code shown both in
-- the browser and in the window, so the user can tell they are the same request.
CREATE TABLE gateway_consents (
    id            TEXT PRIMARY KEY NOT NULL,
    code          TEXT NOT NULL,
    csrf_hash     TEXT NOT NULL,
    client        TEXT NOT NULL REFERENCES gateway_clients (id) ON DELETE CASCADE,
    redirect_uri  TEXT NOT NULL,
    challenge     TEXT NOT NULL,
    resource      TEXT NOT NULL,
    scope         TEXT NOT NULL,
    state         TEXT,
    -- What the request asks for: '*' (the gateway's /mcp) or a JSON array of one action id.
    asked         TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    decision      TEXT CHECK (decision IN ('approved', 'denied')),
    decided_at    TEXT,
    -- What the user gave (on approval), as `asked`, and tools.
    actions       TEXT,
    tools         TEXT,
    -- Set when the browser was sent back to the client (a code or an error): one use.
    finished_at   TEXT
);
CREATE INDEX gateway_consents_pending ON gateway_consents (decision, expires_at);

-- A consent given once is remembered per client, redirect URI and scope set: the next
-- sign-in of the same client there goes through without asking again.
CREATE TABLE gateway_consent_memory (
    client       TEXT NOT NULL REFERENCES gateway_clients (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope        TEXT NOT NULL,
    resource     TEXT NOT NULL,
    actions      TEXT NOT NULL,
    tools        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (client, redirect_uri, scope, resource)
);
