-- v11: the log kinds of the local gateway and of import, in one rebuild of the log's CHECK:
--   gateway       the gateway started, stopped, or refused a request (bad Host/Origin, no or
--                 a dead access key; at most one row per reason a minute)
--   gateway_key   an access key made or revoked (never the key)
--   gateway_auth  Patchbay's own authorization server: clients, grants, tokens issued,
--                 refreshed, revoked, reuse detected (never a token or secret)
--   import        what `patchbay import` brought over
-- Rebuilt as in v8: same rows and ids, then the indexes and full-text triggers come back.
CREATE TABLE logs_v11 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    action_id   TEXT,
    subject     TEXT,
    kind        TEXT NOT NULL
        CHECK (kind IN ('call', 'test', 'token_fetch', 'refresh', 'connect', 'disconnect', 'health', 'breaker', 'approval',
                         'gateway', 'gateway_key', 'gateway_auth', 'import')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    status      INTEGER,
    latency_ms  INTEGER,
    summary     TEXT NOT NULL,
    request     TEXT,
    response    TEXT,
    error_code  TEXT
);
INSERT INTO logs_v11 (id, at, action_id, subject, kind, outcome, status, latency_ms, summary, request, response, error_code)
    SELECT id, at, action_id, subject, kind, outcome, status, latency_ms, summary, request, response, error_code FROM logs;
DROP TABLE logs;
ALTER TABLE logs_v11 RENAME TO logs;
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
