//! Planning a write (which file, what changes) and doing it: a timestamped backup of the old
//! bytes, then an atomic replace that keeps the file's permissions.

use super::*;

/// Plan an export of `entries` for `client`, taking out the `patchbay proxy` entries `sweep`
/// names. `config` overrides the client's file; `dirs` finds the default one. With `write`,
/// a file that cannot be parsed is an error (nothing has been written yet).
pub fn plan(
    client: ExportClient,
    entries: Vec<ExportEntry>,
    sweep: Sweep,
    config: Option<PathBuf>,
    dirs: Option<&ConfigDirs>,
    write: bool,
) -> Result<ExportPlan> {
    let path = if client == ExportClient::Generic {
        if write || config.is_some() {
            return Err(Error::invalid_with_hint(
                "the generic format has no config file to write",
                "paste the snippet into your client's config, or choose its --client (claude-desktop, claude-code, cursor, vscode, windsurf, codex)",
            ));
        }
        None
    } else {
        match config {
            Some(p) => Some(p),
            None => {
                let dirs = match dirs {
                    Some(d) => d.clone(),
                    None => ConfigDirs::from_env()?,
                };
                default_path(client, &dirs)
            }
        }
    };
    let snippet = snippet(client, &entries);
    let (mut changes, mut problem) = (Vec::new(), None);
    if let Some(p) = &path {
        let source = p.display().to_string();
        let merged = read_text(p).and_then(|text| {
            merge(
                client,
                text.as_deref().unwrap_or(""),
                &entries,
                &sweep,
                &source,
            )
        });
        match merged {
            Ok(m) => changes = m.changes,
            Err(e) if write => return Err(e),
            Err(e) => problem = Some(e.to_string()),
        }
    }
    let via = if entries.iter().any(|e| e.url.is_some()) {
        ExportVia::Gateway
    } else {
        ExportVia::Proxy
    };
    Ok(ExportPlan {
        client,
        via,
        path,
        entries,
        sweep,
        snippet,
        changes,
        problem,
        notes: Vec::new(),
        warnings: Vec::new(),
    })
}

/// A config file's text, `None` when it does not exist.
pub(super) fn read_text(path: &Path) -> Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            Error::invalid_with_hint(
                format!(
                    "{} is not UTF-8 text; it was left untouched",
                    path.display()
                ),
                "fix the file (or move it away) and export again",
            )
        }),
        // No such file, or a folder on its way is a file: nothing to merge with (creating
        // the folders when writing says what is wrong, if anything).
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// Write a planned export into its config file: the file is read again and merged (it may
/// have changed since the plan), a timestamped backup of its previous bytes is kept, and the
/// new text replaces it atomically with the same permissions. Parent folders are created
/// for a new file. A file that already holds exactly these entries is not touched.
pub fn write(plan: &ExportPlan, now: OffsetDateTime) -> Result<ExportReport> {
    write_with(plan, now, false)
}

/// [`write`], keeping the backup readable by the user alone (0600): `import --rewrite`'s
/// backups hold the plaintext tokens the rewrite takes out.
pub(crate) fn write_private(plan: &ExportPlan, now: OffsetDateTime) -> Result<ExportReport> {
    write_with(plan, now, true)
}

fn write_with(plan: &ExportPlan, now: OffsetDateTime, private: bool) -> Result<ExportReport> {
    let Some(path) = &plan.path else {
        return Err(Error::invalid(
            "the generic format has no config file to write",
        ));
    };
    // Through a symlink (dotfile managers), the file it points at is the one to replace.
    let target = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::canonicalize(path)
            .map_err(|e| Error::io(format!("cannot follow the link {}", path.display()), e))?,
        _ => path.clone(),
    };
    let source = path.display().to_string();
    let original = read_text(&target)?;
    let merged = merge(
        plan.client,
        original.as_deref().unwrap_or(""),
        &plan.entries,
        &plan.sweep,
        &source,
    )?;
    let mut report = plan.report();
    report.changes = merged.changes.clone();
    if original.as_deref() == Some(merged.text.as_str()) {
        return Ok(report);
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let permissions = match &original {
        Some(_) => Some(
            fs::metadata(&target)
                .map_err(|e| Error::io(format!("cannot read {}", target.display()), e))?
                .permissions(),
        ),
        None => None,
    };
    if let (Some(text), Some(perms)) = (&original, &permissions) {
        let backup = write_backup(&target, text.as_bytes(), (!private).then_some(perms), now)?;
        report.backup = Some(backup.display().to_string());
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".patchbay-export-")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(format!("cannot create a file in {}", dir.display()), e))?;
    let io_err = |e| Error::io(format!("cannot write {}", target.display()), e);
    tmp.write_all(merged.text.as_bytes()).map_err(io_err)?;
    tmp.as_file().sync_all().map_err(io_err)?;
    if let Some(perms) = permissions {
        fs::set_permissions(tmp.path(), perms).map_err(io_err)?;
    }
    tmp.persist(&target).map_err(|e| io_err(e.error))?;
    report.written = true;
    Ok(report)
}

/// `FILE.patchbay-backup-YYYYMMDDTHHMMSSZ` beside the file (`-2`, `-3`... when that name is
/// taken), with the file's permissions (`None`: 0600).
pub(super) fn write_backup(
    target: &Path,
    bytes: &[u8],
    perms: Option<&fs::Permissions>,
    now: OffsetDateTime,
) -> Result<PathBuf> {
    let stamp = now
        .to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .map_err(|e| Error::Internal(format!("cannot format the backup time: {e}")))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "config".into());
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let backup = target.with_file_name(format!("{name}.patchbay-backup-{stamp}{suffix}"));
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        match opts.open(&backup) {
            Ok(mut f) => {
                let io_err = |e| Error::io(format!("cannot write {}", backup.display()), e);
                f.write_all(bytes).map_err(io_err)?;
                f.sync_all().map_err(io_err)?;
                if let Some(perms) = perms {
                    fs::set_permissions(&backup, perms.clone()).map_err(io_err)?;
                }
                return Ok(backup);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(Error::io(
                    format!("cannot create the backup {}", backup.display()),
                    e,
                ));
            }
        }
    }
    Err(Error::invalid(format!(
        "too many backups of {} for this second",
        target.display()
    )))
}
