-- v8: end-user confirmation (seed 000 "Require end-user confirmation before use"). A proxy
-- that needs the user's approval for a tool call writes a pending row; the desktop app (any
-- process) shows it and decides; the proxy polls the row. Rows stay as the per-action record
-- of approvals and denials.
CREATE TABLE approvals (
    id           TEXT PRIMARY KEY NOT NULL,
    action_id    TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    tool         TEXT NOT NULL,
    -- the call's arguments as JSON, redacted like log rows
    arguments    TEXT,
    -- who asks (e.g. "proxy pid 1234")
    requester    TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    -- pending | approved | denied | expired
    status       TEXT NOT NULL DEFAULT 'pending',
    decided_at   TEXT,
    expires_at   TEXT NOT NULL
);
CREATE INDEX approvals_pending ON approvals (status, requested_at);
CREATE INDEX approvals_action ON approvals (action_id, status);

-- Confirmations are logged under their own kind: the log's CHECK gains 'approval'. SQLite
-- cannot change a CHECK in place, so the table is rebuilt with the same rows and ids (the
-- full-text index keys on them and stays valid), then its indexes and triggers come back.
CREATE TABLE logs_v8 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    action_id   TEXT,
    subject     TEXT,
    kind        TEXT NOT NULL
        CHECK (kind IN ('call', 'test', 'token_fetch', 'refresh', 'connect', 'disconnect', 'health', 'breaker', 'approval')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    status      INTEGER,
    latency_ms  INTEGER,
    summary     TEXT NOT NULL,
    request     TEXT,
    response    TEXT,
    error_code  TEXT
);
INSERT INTO logs_v8 (id, at, action_id, subject, kind, outcome, status, latency_ms, summary, request, response, error_code)
    SELECT id, at, action_id, subject, kind, outcome, status, latency_ms, summary, request, response, error_code FROM logs;
DROP TABLE logs;
ALTER TABLE logs_v8 RENAME TO logs;
CREATE INDEX logs_at ON logs (at);
CREATE INDEX logs_subject ON logs (subject COLLATE NOCASE, id);
CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
    INSERT INTO logs_fts (rowid, summary, request, response)
    VALUES (new.id, new.summary, new.request, new.response);
END;
CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
    INSERT INTO logs_fts (logs_fts, rowid, summary, request, response)
    VALUES ('delete', old.id, old.summary, old.request, old.response);
END;
