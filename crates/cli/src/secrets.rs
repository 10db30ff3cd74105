//! Secrets come from stdin (one line each, in the order the options were given) or, when
//! stdin is a terminal, from a hidden prompt. Never from argv.

use std::io::{BufRead, IsTerminal};

use patchbay_core::{Error, Result, SecretString};

#[derive(Debug)]
pub struct SecretInput {
    tty: bool,
    lines: Option<std::io::StdinLock<'static>>,
}

impl SecretInput {
    pub fn new() -> Self {
        let stdin = std::io::stdin();
        SecretInput {
            tty: stdin.is_terminal(),
            lines: None,
        }
    }

    /// Read the next secret; `what` names it in the prompt and in errors.
    pub fn read(&mut self, what: &str) -> Result<SecretString> {
        let value = if self.tty {
            rpassword::prompt_password(format!("{what}: "))
                .map_err(|e| Error::io(format!("cannot read {what} from the terminal"), e))?
        } else {
            let lock = self.lines.get_or_insert_with(|| std::io::stdin().lock());
            let mut line = String::new();
            let n = lock
                .read_line(&mut line)
                .map_err(|e| Error::io(format!("cannot read {what} from stdin"), e))?;
            if n == 0 {
                return Err(Error::invalid_with_hint(
                    format!("stdin ended before {what} was read"),
                    "pipe one line per secret, in the order the options were given",
                ));
            }
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            line
        };
        if value.is_empty() {
            return Err(Error::invalid(format!("{what} is empty")));
        }
        Ok(SecretString::from(value))
    }

    /// Read a PEM block (the lines up to its `-----END ...-----` line, at most
    /// [`PEM_MAX_LINES`]); at a terminal, pasted into a hidden prompt line by line.
    pub fn read_pem(&mut self, what: &str) -> Result<SecretString> {
        let mut pem = zeroize::Zeroizing::new(String::new());
        if self.tty {
            eprintln!("Paste the {what} (PEM), ending with its -----END line:");
        }
        for _ in 0..PEM_MAX_LINES {
            let line =
                if self.tty {
                    zeroize::Zeroizing::new(rpassword::read_password().map_err(|e| {
                        Error::io(format!("cannot read {what} from the terminal"), e)
                    })?)
                } else {
                    let lock = self.lines.get_or_insert_with(|| std::io::stdin().lock());
                    let mut line = zeroize::Zeroizing::new(String::new());
                    let n = lock
                        .read_line(&mut line)
                        .map_err(|e| Error::io(format!("cannot read {what} from stdin"), e))?;
                    if n == 0 {
                        break;
                    }
                    line
                };
            let line = line.trim_end_matches(['\r', '\n']);
            if pem.is_empty() && line.trim().is_empty() {
                continue;
            }
            pem.push_str(line);
            pem.push('\n');
            if line.starts_with("-----END ") {
                return Ok(SecretString::from(pem.as_str().to_string()));
            }
        }
        if pem.is_empty() {
            return Err(Error::invalid_with_hint(
                format!("stdin ended before the {what} was read"),
                "pipe the PEM to --private-key-stdin: `patchbay ... --private-key-stdin < key.pem`",
            ));
        }
        // No END line: let the key's own checks say what is wrong with it.
        Ok(SecretString::from(pem.as_str().to_string()))
    }
}

/// A PEM private key is a few dozen lines; reading stops here.
const PEM_MAX_LINES: usize = 200;
