//! Rows the user names (actions, connections, tokens): names are unique per kind and
//! case-insensitive (`COLLATE NOCASE` unique indexes), checked inside the write transaction.

use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::{Error, Kind, Result};

fn table(kind: Kind) -> Result<&'static str> {
    match kind {
        Kind::Action => Ok("actions"),
        Kind::Connection => Ok("connections"),
        Kind::Token => Ok("tokens"),
        Kind::AccessKey => Ok("gateway_keys"),
        Kind::OAuthClient => Ok("gateway_clients"),
        Kind::Idp => Ok("idps"),
        Kind::Provider | Kind::Consent => {
            Err(Error::Internal(format!("{kind}s are not named rows")))
        }
    }
}

/// The row of `kind` named `name` (any case) through `select` (which ends before its
/// `WHERE`; `name_column` qualifies the name when the select joins), or `NotFound`.
pub(crate) fn find<T>(
    c: &Connection,
    kind: Kind,
    select: &str,
    name_column: &str,
    name: &str,
    row: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<T> {
    c.prepare_cached(&format!("{select} WHERE {name_column} = ?1 COLLATE NOCASE"))?
        .query_row([name], row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            kind,
            name: name.to_string(),
        })
}

/// Every row through `select` (which ends before its `ORDER BY`), ordered by `name_column`
/// as people read names (case-insensitive).
pub(crate) fn all<T>(
    c: &Connection,
    select: &str,
    name_column: &str,
    row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = c.prepare_cached(&format!("{select} ORDER BY {name_column} COLLATE NOCASE"))?;
    let rows = stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// `Conflict` when another row of `kind` (not the one with id `except`) has this name.
pub(crate) fn ensure_free(
    c: &Connection,
    kind: Kind,
    name: &str,
    except: Option<&str>,
) -> Result<()> {
    let existing: Option<String> = c
        .query_row(
            &format!(
                "SELECT id FROM {} WHERE name = ?1 COLLATE NOCASE",
                table(kind)?
            ),
            [name],
            |r| r.get(0),
        )
        .optional()?;
    match existing {
        Some(id) if Some(id.as_str()) != except => Err(Error::Conflict {
            kind,
            name: name.to_string(),
        }),
        _ => Ok(()),
    }
}
