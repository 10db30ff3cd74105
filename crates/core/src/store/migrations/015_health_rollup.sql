-- v15: health over time. One row per action and hour (Unix seconds / 3600, UTC) that had a
-- call: how many calls, how many failed, and a latency histogram for the percentiles:
-- l0..l15 count the calls whose latency fell at or under 5, 10, 20, 35, 50, 75, 100, 150,
-- 250, 400, 650, 1000, 2000, 5000, 15000 ms, and above (logs.rs `LATENCY_BOUNDS_MS`).
-- Written with each call's log row, in the same transaction; kept 8 days whatever the log's
-- own retention. Backfilled here from the log rows of the last 8 days.
CREATE TABLE action_hours (
    action_id   TEXT NOT NULL,
    hour        INTEGER NOT NULL,
    calls       INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    l0        INTEGER NOT NULL DEFAULT 0,
    l1        INTEGER NOT NULL DEFAULT 0,
    l2        INTEGER NOT NULL DEFAULT 0,
    l3        INTEGER NOT NULL DEFAULT 0,
    l4        INTEGER NOT NULL DEFAULT 0,
    l5        INTEGER NOT NULL DEFAULT 0,
    l6        INTEGER NOT NULL DEFAULT 0,
    l7        INTEGER NOT NULL DEFAULT 0,
    l8        INTEGER NOT NULL DEFAULT 0,
    l9        INTEGER NOT NULL DEFAULT 0,
    l10       INTEGER NOT NULL DEFAULT 0,
    l11       INTEGER NOT NULL DEFAULT 0,
    l12       INTEGER NOT NULL DEFAULT 0,
    l13       INTEGER NOT NULL DEFAULT 0,
    l14       INTEGER NOT NULL DEFAULT 0,
    l15       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (action_id, hour)
) WITHOUT ROWID;
CREATE INDEX action_hours_hour ON action_hours (hour);
INSERT INTO action_hours (action_id, hour, calls, errors, l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15)
SELECT action_id, hour, count(*), sum(outcome = 'error'),
    sum(b = 0),
    sum(b = 1),
    sum(b = 2),
    sum(b = 3),
    sum(b = 4),
    sum(b = 5),
    sum(b = 6),
    sum(b = 7),
    sum(b = 8),
    sum(b = 9),
    sum(b = 10),
    sum(b = 11),
    sum(b = 12),
    sum(b = 13),
    sum(b = 14),
    sum(b = 15)
FROM (
    SELECT action_id, unixepoch(at) / 3600 AS hour, outcome,
        CASE WHEN latency_ms IS NULL THEN -1 ELSE (
        CASE
            WHEN latency_ms <= 5 THEN 0
            WHEN latency_ms <= 10 THEN 1
            WHEN latency_ms <= 20 THEN 2
            WHEN latency_ms <= 35 THEN 3
            WHEN latency_ms <= 50 THEN 4
            WHEN latency_ms <= 75 THEN 5
            WHEN latency_ms <= 100 THEN 6
            WHEN latency_ms <= 150 THEN 7
            WHEN latency_ms <= 250 THEN 8
            WHEN latency_ms <= 400 THEN 9
            WHEN latency_ms <= 650 THEN 10
            WHEN latency_ms <= 1000 THEN 11
            WHEN latency_ms <= 2000 THEN 12
            WHEN latency_ms <= 5000 THEN 13
            WHEN latency_ms <= 15000 THEN 14
            ELSE 15
        END) END AS b
    FROM logs
    WHERE kind = 'call' AND action_id IS NOT NULL
        AND at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-8 days')
)
WHERE hour IS NOT NULL
GROUP BY action_id, hour;
