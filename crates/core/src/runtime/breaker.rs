//! The circuit breaker, one per action, its state in SQLite so every process (the app, CLIs,
//! proxies) sees the same: after [`threshold`] failures in a row (network, timeout, TLS,
//! server errors, broken protocol, token endpoint failures; not authorization or tool
//! errors) calls fail fast for a cool-down that doubles on each opening up to a cap. When
//! the cool-down is over, the next call is the probe: success closes the breaker, failure
//! opens it again. Test Connection always runs, and counts as a probe.

use rusqlite::{OptionalExtension, params};

use crate::Patchbay;
use crate::error::{Error, ErrorCode, Result};
use crate::logs::{LogKind, NewLog};
use crate::model::{ActionView, Health, HealthStatus};

pub const DEFAULT_THRESHOLD: i64 = 5;
pub const DEFAULT_COOLDOWN_SECS: i64 = 60;
pub const MAX_COOLDOWN_SECS: i64 = 3600;

/// Failures in a row that open the breaker (`PATCHBAY_BREAKER_THRESHOLD`, default 5).
pub fn threshold() -> i64 {
    crate::env::positive(crate::env::BREAKER_THRESHOLD, DEFAULT_THRESHOLD)
}

/// The first cool-down (`PATCHBAY_BREAKER_COOLDOWN_SECS`, default 60 s), doubling to 1 h.
pub fn base_cooldown() -> i64 {
    crate::env::positive(crate::env::BREAKER_COOLDOWN_SECS, DEFAULT_COOLDOWN_SECS)
}

/// Whether a failure says the far side is down (and so counts for the breaker).
pub(crate) fn counts(e: &Error) -> bool {
    matches!(
        e.code(),
        ErrorCode::Unreachable
            | ErrorCode::Timeout
            | ErrorCode::Tls
            | ErrorCode::ServerError
            | ErrorCode::Protocol
            | ErrorCode::TokenError
            | ErrorCode::TokenRequestFailed
    )
}

impl Patchbay {
    /// Feed a call's outcome to the breaker: failures that say the far side is down count,
    /// success resets, other errors (authorization, input) leave it as it is.
    pub(crate) fn breaker_after(&self, action: &ActionView, e: Option<&Error>) {
        match e {
            Some(e) if counts(e) => {
                self.breaker_record(action, Some(e.code().as_str()));
            }
            Some(_) => {}
            None => self.breaker_record(action, None),
        }
    }

    /// Before a call: refuse while the breaker is open.
    pub(crate) fn breaker_admit(&self, action: &ActionView) -> Result<()> {
        let row: Option<(i64, Option<String>)> = self.store().read(|c| {
            Ok(
                c.prepare_cached("SELECT failures, open_until FROM breakers WHERE action_id = ?1")?
                    .query_row([&action.id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?,
            )
        })?;
        if let Some((failures, Some(until))) = row
            && until.as_str() > self.now().as_str()
        {
            return Err(Error::oauth(
                ErrorCode::CircuitOpen,
                format!(
                    "the circuit breaker of '{}' is open after {failures} failures in a row; calls fail fast until {until}",
                    action.name
                ),
                Some(format!(
                    "it lets the next call through at {until}; `patchbay test {}` probes now",
                    action.name
                )),
            ));
        }
        Ok(())
    }

    /// After a call or test: count a failure (opening the breaker at the threshold, or again
    /// after a failed probe) or reset on success. Changes are logged and shown in health.
    pub(crate) fn breaker_record(&self, action: &ActionView, failure: Option<&str>) {
        let now = self.clock.now();
        let now_s = crate::clock::rfc3339(now);
        let base = base_cooldown();
        // A success with no failures counted (every call, almost always) changes nothing:
        // found by a read, without taking the database's write lock.
        if failure.is_none()
            && let Ok(false) = self.store().read(|c| {
                Ok(
                    c.prepare_cached("SELECT 1 FROM breakers WHERE action_id = ?1")?
                        .exists([&action.id])?,
                )
            })
        {
            return;
        }
        let change = self.store().write(|tx| {
            let (failures, open_until, cooldown): (i64, Option<String>, i64) = tx
                .query_row(
                    "SELECT failures, open_until, cooldown_secs FROM breakers WHERE action_id = ?1",
                    [&action.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .unwrap_or((0, None, base));
            let Some(why) = failure else {
                if failures == 0 && open_until.is_none() {
                    return Ok(None);
                }
                tx.execute("DELETE FROM breakers WHERE action_id = ?1", [&action.id])?;
                return Ok(open_until.map(|_| "closed: the probe succeeded".to_string()));
            };
            let failures = failures + 1;
            let probe_failed = open_until.as_deref().is_some_and(|u| u <= now_s.as_str());
            if failures >= threshold() || probe_failed {
                let until = crate::clock::rfc3339(now + time::Duration::seconds(cooldown));
                tx.execute(
                    "INSERT INTO breakers (action_id, failures, open_until, cooldown_secs) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (action_id) DO UPDATE SET failures = ?2, open_until = ?3, cooldown_secs = ?4",
                    params![action.id, failures, until, (cooldown * 2).min(MAX_COOLDOWN_SECS)],
                )?;
                return Ok(Some(format!(
                    "opened after {failures} failures in a row ({why}); calls fail fast until {until}"
                )));
            }
            tx.execute(
                "INSERT INTO breakers (action_id, failures, open_until, cooldown_secs) VALUES (?1, ?2, NULL, ?3)
                 ON CONFLICT (action_id) DO UPDATE SET failures = ?2",
                params![action.id, failures, cooldown],
            )?;
            Ok(None)
        });
        if let Ok(Some(what)) = change {
            let opened = what.starts_with("opened");
            self.log(NewLog {
                action_id: Some(&action.id),
                subject: Some(&action.name),
                kind: Some(LogKind::Breaker),
                ok: !opened,
                summary: format!("circuit breaker {what}"),
                error_code: opened.then(|| "circuit_open".to_string()),
                ..Default::default()
            });
            if opened {
                let _ = self.record_health(
                    &action.name,
                    &Health {
                        status: HealthStatus::Unhealthy,
                        reason: Some("circuit_open".into()),
                        message: Some(format!("circuit breaker {what}")),
                        checked_at: Some(now_s),
                        latency_ms: None,
                        tool_count: None,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{action, profile};

    fn unreachable() -> Error {
        Error::oauth(ErrorCode::Unreachable, "down", None)
    }

    /// Opens at the threshold, fails fast for the cool-down on the profile's clock, lets the
    /// probe through after it, and a failed probe opens it again for twice as long.
    #[test]
    fn opens_fails_fast_for_the_cooldown_then_lets_the_probe_through() {
        let p = profile();
        let a = action(&p, "flaky");
        for _ in 0..threshold() - 1 {
            p.pb.breaker_after(&a, Some(&unreachable()));
        }
        p.pb.breaker_admit(&a)
            .expect("still closed one failure short");
        p.pb.breaker_after(&a, Some(&unreachable()));
        let e = p.pb.breaker_admit(&a).expect_err("open");
        assert_eq!(e.code(), ErrorCode::CircuitOpen);
        assert!(e.to_string().contains("2026-12-01T12:01:00.000Z"), "{e}");
        assert_eq!(
            p.pb.get_action("flaky").expect("get").health.status,
            HealthStatus::Unhealthy
        );

        p.clock
            .advance(time::Duration::seconds(base_cooldown() - 1));
        assert!(p.pb.breaker_admit(&a).is_err(), "one second before the end");
        p.clock.advance(time::Duration::seconds(1));
        p.pb.breaker_admit(&a).expect("the probe goes through");

        // The probe fails: open again, for twice the cool-down.
        p.pb.breaker_after(&a, Some(&unreachable()));
        p.clock
            .advance(time::Duration::seconds(2 * base_cooldown() - 1));
        assert!(p.pb.breaker_admit(&a).is_err(), "doubled");
        p.clock.advance(time::Duration::seconds(1));
        p.pb.breaker_admit(&a).expect("second probe");
        p.pb.breaker_after(&a, None);
        p.pb.breaker_admit(&a)
            .expect("closed by the successful probe");
    }

    #[test]
    fn authorization_and_input_errors_do_not_count() {
        let p = profile();
        let a = action(&p, "auth");
        for _ in 0..threshold() + 2 {
            p.pb.breaker_after(&a, Some(&Error::oauth(ErrorCode::AuthRejected, "no", None)));
            p.pb.breaker_after(&a, Some(&Error::invalid("bad")));
        }
        p.pb.breaker_admit(&a).expect("never opens");
    }
}
