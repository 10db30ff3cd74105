-- v6: a circuit breaker per action, shared by every process: after `failures` reaches the
-- threshold, calls fail fast until `open_until`; then one probe decides.
CREATE TABLE breakers (
    action_id     TEXT PRIMARY KEY NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    failures      INTEGER NOT NULL DEFAULT 0,
    -- set while open (RFC 3339)
    open_until    TEXT,
    -- the cool-down of the next opening, doubling to a cap
    cooldown_secs INTEGER NOT NULL
);
