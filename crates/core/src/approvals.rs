//! End-user confirmation: a tool call of an action marked "require confirmation"
//! waits for the user's Approve / Deny in the desktop app. The request goes through the shared
//! database, so it works whichever process asks (a proxy per MCP client) and whichever
//! process decides (the app): the asker writes a pending row and polls it; the app lists
//! pending rows, shows a prompt, and writes the decision. A row nobody decides in time
//! expires, which is a denial. Every outcome is logged and counted per action.

use std::time::Duration;

use rusqlite::{OptionalExtension, params};

use crate::Patchbay;
use crate::error::{Error, ErrorCode, Result};
use crate::logs::{LogKind, NewLog};
pub use crate::model::{ApprovalCounts, ApprovalStatus, ApprovalView};

fn view(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApprovalView> {
    let args: Option<String> = r.get(3)?;
    Ok(ApprovalView {
        id: r.get(0)?,
        action: r.get(1)?,
        tool: r.get(2)?,
        arguments: args.and_then(|a| serde_json::from_str(&a).ok()),
        requester: r.get(4)?,
        requested_at: r.get(5)?,
        expires_at: r.get(6)?,
        status: r
            .get::<_, String>(7)?
            .parse()
            .unwrap_or(ApprovalStatus::Pending),
        decided_at: r.get(8)?,
    })
}

const SELECT: &str = "SELECT p.id, a.name, p.tool, p.arguments, p.requester, p.requested_at, p.expires_at, p.status, p.decided_at
     FROM approvals p JOIN actions a ON a.id = p.action_id";

impl Patchbay {
    /// How long a call waits for the user (setting `confirmTimeoutSecs`).
    pub fn confirm_timeout(&self) -> Duration {
        Duration::from_secs(self.settings().confirm_timeout_secs.into())
    }

    /// Ask for the user's confirmation of a tool call; returns the pending request.
    pub fn request_approval(
        &self,
        action: &str,
        tool: &str,
        arguments: Option<&serde_json::Value>,
        requester: &str,
        timeout: Duration,
    ) -> Result<ApprovalView> {
        let a = self.get_action(action)?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = self.now();
        let expires = crate::clock::rfc3339(
            self.clock_now() + time::Duration::try_from(timeout).unwrap_or(time::Duration::MINUTE),
        );
        let args = arguments.map(|v| crate::logs::redact(v, &[]).to_string());
        self.store().write(|tx| {
            tx.execute(
                "INSERT INTO approvals (id, action_id, tool, arguments, requester, requested_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, a.id, tool, args, requester, now, expires],
            )?;
            Ok(())
        })?;
        self.approval(&id)
    }

    pub fn approval(&self, id: &str) -> Result<ApprovalView> {
        self.store()
            .read(|c| {
                Ok(
                    c.query_row(&format!("{SELECT} WHERE p.id = ?1"), [id], view)
                        .optional()?,
                )
            })?
            .ok_or_else(|| Error::invalid(format!("no confirmation request '{id}'")))
    }

    /// Requests waiting for the user, oldest first (expired ones are marked so first).
    pub fn pending_approvals(&self) -> Result<Vec<ApprovalView>> {
        self.expire_approvals()?;
        self.store().read(|c| {
            let mut st = c.prepare(&format!(
                "{SELECT} WHERE p.status = 'pending' ORDER BY p.requested_at"
            ))?;
            let rows = st
                .query_map([], view)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    fn expire_approvals(&self) -> Result<()> {
        let now = self.now();
        let expired: Vec<ApprovalView> = self.store().read(|c| {
            let mut st = c.prepare(&format!(
                "{SELECT} WHERE p.status = 'pending' AND p.expires_at <= ?1"
            ))?;
            let rows = st
                .query_map([&now], view)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        for a in expired {
            self.settle(&a, ApprovalStatus::Expired, None)?;
        }
        Ok(())
    }

    /// The user's decision (the app's Approve / Deny). Deciding twice, or after expiry, is
    /// refused and changes nothing.
    pub fn decide_approval(&self, id: &str, approve: bool) -> Result<ApprovalView> {
        self.expire_approvals()?;
        let a = self.approval(id)?;
        if a.status != ApprovalStatus::Pending {
            return Err(Error::invalid(format!(
                "this request to use '{}' was already {}",
                a.action,
                a.status.as_str()
            )));
        }
        let status = if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Denied
        };
        self.settle(&a, status, None)
    }

    /// Deny a request that is still pending because its caller is going away (e.g. the
    /// gateway stopping); `why` goes into the log row. A request already decided stays so.
    pub fn withdraw_approval(&self, id: &str, why: &str) -> Result<ApprovalView> {
        let a = self.approval(id)?;
        if a.status != ApprovalStatus::Pending {
            return Ok(a);
        }
        self.settle(&a, ApprovalStatus::Denied, Some(why))
    }

    /// Move a pending request to its outcome (only from pending: the first decision wins)
    /// and log it; `why` says who denied it when the user did not.
    fn settle(
        &self,
        a: &ApprovalView,
        status: ApprovalStatus,
        why: Option<&str>,
    ) -> Result<ApprovalView> {
        let now = self.now();
        let changed = self.store().write(|tx| {
            Ok(tx.execute(
                "UPDATE approvals SET status = ?2, decided_at = ?3 WHERE id = ?1 AND status = 'pending'",
                params![a.id, status.as_str(), now],
            )?)
        })?;
        let after = self.approval(&a.id)?;
        if changed == 1 {
            let action_id = self.get_action(&a.action).ok().map(|x| x.id);
            self.log(NewLog {
                action_id: action_id.as_deref(),
                subject: Some(&a.action),
                kind: Some(LogKind::Approval),
                ok: status == ApprovalStatus::Approved,
                summary: match why {
                    Some(why) => format!("tools/call {} denied: {why}", a.tool),
                    None => format!("tools/call {} {}", a.tool, match status {
                        ApprovalStatus::Approved => "approved by the user",
                        ApprovalStatus::Denied => "denied by the user",
                        ApprovalStatus::Expired => "not confirmed in time (denied)",
                        ApprovalStatus::Pending => "pending",
                    }),
                },
                request: Some(serde_json::json!({"tool": a.tool, "arguments": a.arguments, "requester": a.requester})),
                error_code: (status != ApprovalStatus::Approved).then(|| "denied".to_string()),
                ..Default::default()
            });
        }
        Ok(after)
    }

    /// Wait for the decision on `id` (polling the shared database), expiring it at its
    /// deadline. `Ok(())` when approved; an error that says why otherwise.
    pub async fn await_approval(&self, id: &str) -> Result<()> {
        loop {
            self.expire_approvals()?;
            let a = self.approval(id)?;
            match a.status {
                ApprovalStatus::Pending => tokio::time::sleep(Duration::from_millis(150)).await,
                ApprovalStatus::Approved => return Ok(()),
                ApprovalStatus::Denied => {
                    return Err(Error::oauth(
                        ErrorCode::AccessDenied,
                        format!("the user denied the call of '{}' on '{}'", a.tool, a.action),
                        None,
                    ));
                }
                ApprovalStatus::Expired => {
                    return Err(Error::oauth(
                        ErrorCode::ConsentTimeout,
                        format!(
                            "nobody confirmed the call of '{}' on '{}' in time, so it was denied",
                            a.tool, a.action
                        ),
                        Some(
                            "approve it in the Patchbay app when it asks (the app must be running)"
                                .into(),
                        ),
                    ));
                }
            }
        }
    }

    /// Approvals, denials and expiries per action (actions without any are left out).
    pub fn approval_counts(&self) -> Result<Vec<ApprovalCounts>> {
        self.expire_approvals()?;
        self.store().read(|c| {
            let mut st = c.prepare(
                "SELECT a.name,
                        SUM(p.status = 'approved'), SUM(p.status = 'denied'),
                        SUM(p.status = 'expired'), SUM(p.status = 'pending')
                 FROM approvals p JOIN actions a ON a.id = p.action_id
                 GROUP BY a.id ORDER BY a.name",
            )?;
            let rows = st
                .query_map([], |r| {
                    Ok(ApprovalCounts {
                        action: r.get(0)?,
                        approved: r.get(1)?,
                        denied: r.get(2)?,
                        expired: r.get(3)?,
                        pending: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}

/// Held by the running desktop app: an exclusive `flock` on `PATCHBAY_HOME/locks/app.lock`
/// (the OS releases it when the app exits, however it exits).
#[derive(Debug)]
pub struct AppPresence {
    _file: std::fs::File,
}

/// How often [`Patchbay::hold_app_presence`] tries the lock again while it is taken.
pub const PRESENCE_RETRY: Duration = Duration::from_millis(20);

impl Patchbay {
    fn app_lock_file(&self) -> Result<std::fs::File> {
        let dir = self.home().join("locks");
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        let path = dir.join("app.lock");
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))
    }

    /// Mark the desktop app as running for as long as the returned value lives; `None` when
    /// another app instance holds it for all of `within`.
    ///
    /// Tried again every [`PRESENCE_RETRY`] until `within` has passed: whoever asks whether
    /// the app runs ([`Self::app_running`]: a proxy, the CLI) holds the lock shared for a
    /// moment, and an app starting in that moment must not give up its presence for its
    /// whole life (a proxy would then start a second app to ask the user).
    pub fn hold_app_presence(&self, within: Duration) -> Result<Option<AppPresence>> {
        let file = self.app_lock_file()?;
        let deadline = std::time::Instant::now() + within;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(AppPresence { _file: file })),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if std::time::Instant::now() >= deadline {
                        return Ok(None);
                    }
                    std::thread::sleep(PRESENCE_RETRY);
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(Error::io("cannot lock app.lock", e));
                }
            }
        }
    }

    /// Whether a desktop app runs on this profile.
    pub fn app_running(&self) -> Result<bool> {
        let file = self.app_lock_file()?;
        match file.try_lock_shared() {
            Ok(()) => Ok(false),
            Err(std::fs::TryLockError::WouldBlock) => Ok(true),
            Err(std::fs::TryLockError::Error(e)) => Err(Error::io("cannot lock app.lock", e)),
        }
    }

    /// Start the desktop app when it is not running (so it can ask the user); true when it
    /// was started. The binary: `PATCHBAY_DESKTOP_BIN`, else `patchbay-desktop` next to this
    /// program, else on the PATH.
    pub fn ensure_app_running(&self) -> Result<bool> {
        if self.app_running()? {
            return Ok(false);
        }
        let bin = crate::autostart::desktop_bin();
        std::process::Command::new(&bin)
            .env(crate::env::HOME, self.home())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                Error::invalid_with_hint(
                    format!(
                        "cannot start the Patchbay app ({}) to ask for confirmation: {e}",
                        bin.display()
                    ),
                    "start the Patchbay app yourself, or set PATCHBAY_DESKTOP_BIN",
                )
            })?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request waits until its deadline on the profile's clock, then expires (a denial,
    /// counted) without anyone answering.
    #[test]
    fn an_unanswered_request_expires_at_its_deadline() {
        let p = crate::testing::profile();
        crate::testing::action(&p, "mail");
        let r =
            p.pb.request_approval("mail", "send", None, "Claude", Duration::from_secs(30))
                .expect("request");
        assert_eq!(r.expires_at, "2026-12-01T12:00:30.000Z");
        p.clock.advance(time::Duration::seconds(29));
        assert_eq!(p.pb.pending_approvals().expect("pending").len(), 1);
        p.clock.advance(time::Duration::seconds(1));
        assert!(p.pb.pending_approvals().expect("pending").is_empty());
        assert_eq!(
            p.pb.approval(&r.id).expect("get").status,
            ApprovalStatus::Expired
        );
        let counts = p.pb.approval_counts().expect("counts");
        assert_eq!(counts.len(), 1);
        assert_eq!((counts[0].expired, counts[0].approved), (1, 0));
        let e = p.pb.decide_approval(&r.id, true).expect_err("too late");
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    }

    /// A moment's shared hold (someone asking whether the app runs) does not cost a starting
    /// app its presence; another app holding it all along does, once the bound has passed.
    #[test]
    fn the_app_takes_its_presence_after_a_passing_check_but_not_from_another_app() {
        let p = crate::testing::profile();
        let checker = p.pb.app_lock_file().expect("file");
        checker.lock_shared().expect("shared");
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            drop(checker);
        });
        let held =
            p.pb.hold_app_presence(Duration::from_secs(5))
                .expect("lock");
        assert!(held.is_some(), "taken once the check let go");
        release.join().expect("join");
        assert!(p.pb.app_running().expect("running"));

        let started = std::time::Instant::now();
        let second =
            p.pb.hold_app_presence(Duration::from_millis(200))
                .expect("lock");
        assert!(second.is_none(), "another app holds it");
        assert!(started.elapsed() >= Duration::from_millis(200));
        drop(held);
        assert!(!p.pb.app_running().expect("running"));
    }
}
