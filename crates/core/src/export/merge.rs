//! Merging entries into a client's config text: JSONC through a concrete syntax tree (comments,
//! order and indentation kept), TOML through `toml_edit`; a file that does not parse is refused
//! with its line and column.

use super::*;

/// Merge the entries into a config file's text (`""` for a file that does not exist yet):
/// every other entry and key, and the comments and layout, stay as they were; an entry of
/// the same name is replaced; then the `patchbay proxy` entries `sweep` names (other than
/// those just written) are taken out. `source` names the file in errors.
pub fn merge(
    client: ExportClient,
    text: &str,
    entries: &[ExportEntry],
    sweep: &Sweep,
    source: &str,
) -> Result<Merged> {
    // A byte order mark (editors on Windows write one) is kept, outside the parsers.
    const BOM: char = '\u{feff}';
    let (bom, body) = match text.strip_prefix(BOM) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut merged = match format(client) {
        Format::Json => merge_json(client, body, entries, sweep, source),
        Format::Toml => merge_toml(body, entries, sweep, source),
    }?;
    if bom {
        merged.text.insert(0, BOM);
    }
    Ok(merged)
}

/// A config file that does not parse, where, and what to do (`then`: the command to run
/// again, `export` or `import`).
pub(crate) fn parse_error(
    source: &str,
    line: usize,
    column: usize,
    what: &str,
    then: &str,
) -> Error {
    Error::invalid_with_hint(
        format!(
            "cannot parse {source}: {what} at line {line}, column {column}; it was left untouched"
        ),
        format!("fix the file (or move it away) and {then} again"),
    )
}

/// A JSONC config file read as the clients read it ([`json_options`]), or where it fails.
pub(crate) fn parse_jsonc(text: &str, source: &str, then: &str) -> Result<CstRootNode> {
    CstRootNode::parse(text, &json_options()).map_err(|e| {
        parse_error(
            source,
            e.line_display(),
            e.column_display(),
            &e.kind().to_string(),
            then,
        )
    })
}

pub(super) fn shape_error(source: &str, what: String) -> Error {
    Error::invalid_with_hint(
        format!("cannot merge into {source}: {what}; it was left untouched"),
        "fix the file (or move it away) and export again",
    )
}

/// JSON as the clients read it: comments and trailing commas (JSONC, what VS Code writes
/// and people add to the others), nothing looser (a missing comma is an error, not a guess).
pub(crate) fn json_options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

pub(super) fn merge_json(
    client: ExportClient,
    text: &str,
    entries: &[ExportEntry],
    sweep: &Sweep,
    source: &str,
) -> Result<Merged> {
    // Whitespace alone is a new file (and so gets the snippet's layout).
    let text = if text.trim().is_empty() { "" } else { text };
    let root = parse_jsonc(text, source, "export")?;
    let top = match root.value() {
        None => root.object_value_or_set(),
        Some(v) => v
            .as_object()
            .ok_or_else(|| shape_error(source, "the top level is not a JSON object".into()))?,
    };
    let key = client.servers_key();
    let servers = top
        .object_value_or_create(key)
        .ok_or_else(|| shape_error(source, format!("\"{key}\" is not an object")))?;
    let mut changes = Vec::with_capacity(entries.len());
    for e in entries {
        let change = match servers.get(&e.name) {
            Some(prop) => {
                let current = prop.value().and_then(|v| v.to_serde_value());
                if current.as_ref() == Some(&json_entry_value(client, e)) {
                    ChangeKind::Unchanged
                } else {
                    prop.set_value(CstInputValue::Object(json_entry(client, e)));
                    ChangeKind::Updated
                }
            }
            None => {
                servers.append(&e.name, CstInputValue::Object(json_entry(client, e)));
                ChangeKind::Added
            }
        };
        changes.push(EntryChange {
            name: e.name.clone(),
            change,
        });
    }
    for prop in servers.properties() {
        let Some(name) = prop.decoded_name() else {
            continue;
        };
        if entries.iter().any(|e| e.name == name) {
            continue;
        }
        let value = prop.value().and_then(|v| v.to_serde_value());
        let command = value.as_ref().and_then(|v| v["command"].as_str());
        let args = value.as_ref().and_then(|v| {
            v["args"]
                .as_array()
                .and_then(|a| a.iter().map(|x| x.as_str()).collect())
        });
        if proxied_action(command, args).is_some_and(|a| sweep.takes(a)) {
            prop.remove();
            changes.push(EntryChange {
                name,
                change: ChangeKind::Removed,
            });
        }
    }
    let mut out = root.to_string();
    if !out.ends_with('\n') && (text.is_empty() || text.ends_with('\n')) {
        out.push('\n');
    }
    Ok(Merged { text: out, changes })
}

/// Whether a TOML table holds exactly this entry's fields.
pub(super) fn toml_matches(t: &dyn toml_edit::TableLike, want: &[(&str, Field<'_>)]) -> bool {
    t.len() == want.len()
        && want.iter().all(|(k, f)| {
            let v = t.get(k).and_then(|i| i.as_value());
            match f {
                Field::Text(s) => v.and_then(|v| v.as_str()) == Some(*s),
                Field::List(l) => v.and_then(|v| v.as_array()).is_some_and(|a| {
                    a.len() == l.len() && a.iter().zip(l.iter()).all(|(x, y)| x.as_str() == Some(y))
                }),
                Field::EmptyMap => v
                    .and_then(|v| v.as_inline_table())
                    .is_some_and(|m| m.is_empty()),
            }
        })
}

pub(super) fn fill_toml(t: &mut dyn toml_edit::TableLike, want: &[(&str, Field<'_>)]) {
    t.clear();
    for (k, f) in want {
        let v = match f {
            Field::Text(s) => toml_edit::value(*s),
            Field::List(l) => {
                toml_edit::value(l.iter().map(String::as_str).collect::<toml_edit::Array>())
            }
            Field::EmptyMap => toml_edit::value(toml_edit::InlineTable::new()),
        };
        t.insert(k, v);
    }
}

pub(super) fn merge_toml(
    text: &str,
    entries: &[ExportEntry],
    sweep: &Sweep,
    source: &str,
) -> Result<Merged> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let at = e.span().map(|s| s.start).unwrap_or(0);
        let (line, column) = line_column(text, at);
        parse_error(source, line, column, e.message().trim(), "export")
    })?;
    let key = ExportClient::Codex.servers_key();
    let root = doc.as_table_mut();
    if !root.contains_key(key) {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        root.insert(key, toml_edit::Item::Table(t));
    }
    let servers = root
        .get_mut(key)
        .and_then(|i| i.as_table_like_mut())
        .ok_or_else(|| shape_error(source, format!("\"{key}\" is not a table")))?;
    let mut changes = Vec::with_capacity(entries.len());
    for e in entries {
        let want = fields(ExportClient::Codex, e);
        let change = match servers.get_mut(&e.name) {
            Some(item) => {
                if item.as_table_like().is_some_and(|t| toml_matches(t, &want)) {
                    ChangeKind::Unchanged
                } else {
                    match item.as_table_like_mut() {
                        // Replaced in place: its position and the comments above it stay.
                        Some(t) => fill_toml(t, &want),
                        None => *item = new_toml_table(&want),
                    }
                    ChangeKind::Updated
                }
            }
            None => {
                servers.insert(&e.name, new_toml_table(&want));
                ChangeKind::Added
            }
        };
        changes.push(EntryChange {
            name: e.name.clone(),
            change,
        });
    }
    let swept: Vec<String> = servers
        .iter()
        .filter(|(name, _)| !entries.iter().any(|e| e.name == *name))
        .filter(|(_, item)| {
            let Some(t) = item.as_table_like() else {
                return false;
            };
            let command = t.get("command").and_then(|c| c.as_str());
            let args = t
                .get("args")
                .and_then(|a| a.as_array())
                .and_then(|a| a.iter().map(|v| v.as_str()).collect());
            proxied_action(command, args).is_some_and(|a| sweep.takes(a))
        })
        .map(|(name, _)| name.to_string())
        .collect();
    for name in swept {
        servers.remove(&name);
        changes.push(EntryChange {
            name,
            change: ChangeKind::Removed,
        });
    }
    Ok(Merged {
        text: doc.to_string(),
        changes,
    })
}

pub(super) fn new_toml_table(want: &[(&str, Field<'_>)]) -> toml_edit::Item {
    let mut t = toml_edit::Table::new();
    fill_toml(&mut t, want);
    toml_edit::Item::Table(t)
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(at.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
