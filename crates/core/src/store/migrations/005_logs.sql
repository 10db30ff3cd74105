-- v5: the log. Every call, test, token fetch, refresh, connect, disconnect and health change,
-- with request and response summaries already redacted (no secret is ever written here).
CREATE TABLE logs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    action_id   TEXT,
    -- the action (or connection / token) name at the time
    subject     TEXT,
    kind        TEXT NOT NULL
        CHECK (kind IN ('call', 'test', 'token_fetch', 'refresh', 'connect', 'disconnect', 'health', 'breaker')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    status      INTEGER,
    latency_ms  INTEGER,
    summary     TEXT NOT NULL,
    request     TEXT,
    response    TEXT,
    error_code  TEXT
);
CREATE INDEX logs_at ON logs (at);
CREATE INDEX logs_subject ON logs (subject COLLATE NOCASE, id);
