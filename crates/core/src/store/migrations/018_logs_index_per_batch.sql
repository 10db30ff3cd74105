-- v18: the log's full-text index is written once per batch of log rows, not once per row.
-- With the index written by the insert trigger, every row's INSERT (a statement that also
-- writes the index, so SQLite opens a statement savepoint for it) made FTS5 flush its
-- pending terms to a new segment: one segment per row, then merges to fold them together,
-- about a tenth of the gateway's CPU per call. Now the insert trigger only notes the new
-- row; the log's writer indexes the noted rows in one statement at the end of each batch,
-- in the batch's transaction (store::deferred), so a committed row is always indexed.
-- A row deleted before it was indexed (retention in the same batch) is only un-noted: the
-- index never hears of it. `IF EXISTS`: a test drops the old triggers to load rows quickly.
CREATE TABLE logs_unindexed (id INTEGER PRIMARY KEY);
DROP TRIGGER IF EXISTS logs_fts_insert;
DROP TRIGGER IF EXISTS logs_fts_delete;
CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
    INSERT INTO logs_unindexed (id) VALUES (new.id);
END;
CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
    INSERT INTO logs_fts (logs_fts, rowid, summary, request, response)
    SELECT 'delete', old.id, old.summary, old.request, old.response
    WHERE NOT EXISTS (SELECT 1 FROM logs_unindexed WHERE id = old.id);
    DELETE FROM logs_unindexed WHERE id = old.id;
END;
