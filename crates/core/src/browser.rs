//! Opening the user's browser for a sign-in: `$BROWSER` (a program and its arguments, split
//! on spaces; no shell) when set, else the desktop's opener. The browser runs in the
//! background; nobody waits for it.

use std::process::{Command, Stdio};

use crate::error::{Error, Result};

pub fn open(url: &str) -> Result<()> {
    let (program, mut args): (String, Vec<String>) = match std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        Some(b) => {
            let mut parts = b.split_whitespace().map(String::from);
            let program = parts.next().unwrap_or_default();
            (program, parts.collect())
        }
        None if cfg!(target_os = "macos") => ("open".into(), Vec::new()),
        None if cfg!(windows) => ("explorer".into(), Vec::new()),
        None => ("xdg-open".into(), Vec::new()),
    };
    args.push(url.to_string());
    Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            Error::invalid_with_hint(
                format!("cannot start the browser '{program}': {e}"),
                "set $BROWSER, or use --no-browser and open the URL yourself",
            )
        })
}
