-- v9: settings shared by the app, the CLI and proxies (the Settings screen). One row per
-- key whose saved value differs from its default; the value is text (a number or a theme
-- name). Reading code treats an unknown key or a bad value as "use the default".
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
