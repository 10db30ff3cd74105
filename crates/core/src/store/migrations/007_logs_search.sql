-- v7: full-text search over the log (trigram: any substring of 3+ characters,
-- case-insensitive), kept in step with `logs` by triggers.
CREATE VIRTUAL TABLE logs_fts USING fts5(
    summary, request, response,
    content = 'logs', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO logs_fts (logs_fts) VALUES ('rebuild');
CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
    INSERT INTO logs_fts (rowid, summary, request, response)
    VALUES (new.id, new.summary, new.request, new.response);
END;
CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
    INSERT INTO logs_fts (logs_fts, rowid, summary, request, response)
    VALUES ('delete', old.id, old.summary, old.request, old.response);
END;
