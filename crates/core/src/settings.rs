//! Settings shared by the app, the CLI and every proxy: the loopback callback port, how long
//! a sign-in waits for the browser, how long a tool call waits for the user's confirmation,
//! log retention, the window's theme, and the local gateway's port and whether the app
//! serves it. Stored in the profile's database (`settings`
//! table, one JSON value per key), so every process sees a change at its next read.
//!
//! An environment variable, when set to a valid value, wins over the stored one for the
//! process it is set in (scripts, CI, tests); [`SettingsView::overrides`] says which ones do,
//! so the window can show it.

use rusqlite::params;

use crate::Patchbay;
use crate::error::{Error, Result};
pub use crate::model::{
    DEFAULT_CALLBACK_PORT, DEFAULT_GATEWAY_PORT, SettingLimit, SettingOverride, Settings,
    SettingsView, Theme,
};

/// One setting's key, environment variable, allowed range and accessors.
struct Field {
    key: &'static str,
    env: Option<&'static str>,
    /// Allowed numbers (inclusive), `None` for a choice among words (the theme, a switch).
    range: Option<(u32, u32)>,
    /// The words a setting without a range takes, for its error message.
    words: &'static str,
    /// Also allowed outside `range` (the callback port's 0).
    also: Option<u32>,
    unit: &'static str,
    get: fn(&Settings) -> String,
    set: fn(&mut Settings, &str) -> bool,
}

fn num<T: std::str::FromStr>(v: &str) -> Option<T> {
    v.trim().parse().ok()
}

/// `true` or `false`, in any case.
fn switch(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The one setting kept outside the profile: the user's autostart entry is the value.
const START_AT_LOGIN: &str = "startAtLogin";

const FIELDS: &[Field] = &[
    Field {
        key: "callbackPort",
        env: Some(crate::env::CALLBACK_PORT),
        range: Some((1024, 65535)),
        also: Some(0),
        words: "",
        unit: "",
        get: |s| s.callback_port.to_string(),
        set: |s, v| num(v).map(|n| s.callback_port = n).is_some(),
    },
    Field {
        key: "consentTimeoutSecs",
        env: Some(crate::env::CONSENT_TIMEOUT_SECS),
        range: Some((10, 3600)),
        also: None,
        words: "",
        unit: " seconds",
        get: |s| s.consent_timeout_secs.to_string(),
        set: |s, v| num(v).map(|n| s.consent_timeout_secs = n).is_some(),
    },
    Field {
        key: "confirmTimeoutSecs",
        env: Some(crate::env::CONFIRM_TIMEOUT_SECS),
        range: Some((1, 3600)),
        also: None,
        words: "",
        unit: " seconds",
        get: |s| s.confirm_timeout_secs.to_string(),
        set: |s, v| num(v).map(|n| s.confirm_timeout_secs = n).is_some(),
    },
    Field {
        key: "logMaxRows",
        env: Some(crate::env::LOG_MAX_ROWS),
        range: Some((1, 10_000_000)),
        also: None,
        words: "",
        unit: " rows",
        get: |s| s.log_max_rows.to_string(),
        set: |s, v| num(v).map(|n| s.log_max_rows = n).is_some(),
    },
    Field {
        key: "logMaxAgeDays",
        env: Some(crate::env::LOG_MAX_AGE_DAYS),
        range: Some((1, 3650)),
        also: None,
        words: "",
        unit: " days",
        get: |s| s.log_max_age_days.to_string(),
        set: |s, v| num(v).map(|n| s.log_max_age_days = n).is_some(),
    },
    Field {
        key: "gatewayPort",
        env: Some(crate::env::GATEWAY_PORT),
        range: Some((1024, 65535)),
        also: None,
        words: "",
        unit: "",
        get: |s| s.gateway_port.to_string(),
        set: |s, v| num(v).map(|n| s.gateway_port = n).is_some(),
    },
    Field {
        key: "gatewayAccessTokenSecs",
        env: None,
        words: "",
        range: Some((5, 86_400)),
        also: None,
        unit: " seconds",
        get: |s| s.gateway_access_token_secs.to_string(),
        set: |s, v| num(v).map(|n| s.gateway_access_token_secs = n).is_some(),
    },
    Field {
        key: "gatewayRefreshTokenDays",
        env: None,
        words: "",
        range: Some((1, 365)),
        also: None,
        unit: " days",
        get: |s| s.gateway_refresh_token_days.to_string(),
        set: |s, v| num(v).map(|n| s.gateway_refresh_token_days = n).is_some(),
    },
    Field {
        key: "gatewayRefreshGraceSecs",
        env: None,
        words: "",
        range: Some((0, 600)),
        also: None,
        unit: " seconds",
        get: |s| s.gateway_refresh_grace_secs.to_string(),
        set: |s, v| num(v).map(|n| s.gateway_refresh_grace_secs = n).is_some(),
    },
    Field {
        key: "gatewayEnabled",
        // No environment variable: the app's switch sets it, and it must show what it does.
        env: None,
        range: None,
        also: None,
        words: "true, false",
        unit: "",
        get: |s| s.gateway_enabled.to_string(),
        set: |s, v| switch(v).map(|b| s.gateway_enabled = b).is_some(),
    },
    Field {
        key: "closeToTray",
        env: None,
        range: None,
        also: None,
        words: "true, false",
        unit: "",
        get: |s| s.close_to_tray.to_string(),
        set: |s, v| switch(v).map(|b| s.close_to_tray = b).is_some(),
    },
    Field {
        // Per OS user: the autostart entry, never a row of the profile (see `autostart`).
        key: START_AT_LOGIN,
        env: None,
        range: None,
        also: None,
        words: "true, false",
        unit: "",
        get: |s| s.start_at_login.to_string(),
        set: |s, v| switch(v).map(|b| s.start_at_login = b).is_some(),
    },
    Field {
        key: "notifyHealth",
        env: None,
        range: None,
        also: None,
        words: "true, false",
        unit: "",
        get: |s| s.notify_health.to_string(),
        set: |s, v| switch(v).map(|b| s.notify_health = b).is_some(),
    },
    Field {
        key: "notifyApprovals",
        env: None,
        range: None,
        also: None,
        words: "true, false",
        unit: "",
        get: |s| s.notify_approvals.to_string(),
        set: |s, v| switch(v).map(|b| s.notify_approvals = b).is_some(),
    },
    Field {
        key: "notifyGatewayClients",
        env: None,
        range: None,
        also: None,
        words: "true, false",
        unit: "",
        get: |s| s.notify_gateway_clients.to_string(),
        set: |s, v| switch(v).map(|b| s.notify_gateway_clients = b).is_some(),
    },
    Field {
        key: "theme",
        env: None,
        range: None,
        also: None,
        words: "system, light, dark",
        unit: "",
        get: |s| {
            serde_json::to_value(s.theme)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        },
        set: |s, v| v.trim().parse::<Theme>().map(|t| s.theme = t).is_ok(),
    },
];

impl Field {
    /// Why `value` is not allowed, or `None` when it is.
    fn check(&self, value: &str) -> Option<String> {
        let mut probe = Settings::default();
        let parsed = (self.set)(&mut probe, value);
        match self.range {
            None if parsed => None,
            None => Some(format!(
                "{}: '{}' is not one of {}",
                self.key,
                value.trim(),
                self.words
            )),
            Some((lo, hi)) => {
                let n = value.trim().parse::<u32>().ok();
                let ok =
                    parsed && n.is_some_and(|n| (lo..=hi).contains(&n) || self.also == Some(n));
                (!ok).then(|| {
                    let also = self.also.map(|a| format!(" (or {a})")).unwrap_or_default();
                    format!(
                        "{}: '{}' is not a whole number from {lo} to {hi}{also}{}",
                        self.key,
                        value.trim(),
                        self.unit
                    )
                })
            }
        }
    }
}

fn field(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| {
        f.key.eq_ignore_ascii_case(key) || f.key.eq_ignore_ascii_case(&key.replace(['-', '_'], ""))
    })
}

/// `saved` with the valid environment overrides of this process applied, and which ones.
fn with_env(saved: Settings) -> (Settings, Vec<SettingOverride>) {
    let mut effective = saved;
    let mut overrides = Vec::new();
    for f in FIELDS {
        let Some(env) = f.env else { continue };
        let Ok(v) = std::env::var(env) else { continue };
        if f.check(&v).is_none() {
            (f.set)(&mut effective, &v);
            overrides.push(SettingOverride {
                key: f.key.to_string(),
                env: env.to_string(),
                value: v.trim().to_string(),
            });
        }
    }
    (effective, overrides)
}

/// The keys, as `patchbay settings set KEY VALUE` takes them.
pub fn keys() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.key).collect()
}

impl Patchbay {
    /// The saved settings (defaults for keys never saved; a value that fails its check,
    /// e.g. edited by hand, reads as the default).
    fn saved_settings(&self) -> Result<Settings> {
        let rows: Vec<(String, String)> = self.store().read(|c| {
            let mut st = c.prepare_cached("SELECT key, value FROM settings")?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })?;
        let mut s = Settings::default();
        for (key, value) in rows {
            if let Some(f) = field(&key)
                && f.check(&value).is_none()
            {
                (f.set)(&mut s, &value);
            }
        }
        s.start_at_login = self.starts_at_login();
        Ok(s)
    }

    /// Whether the user's autostart entry is there (`startAtLogin`).
    fn starts_at_login(&self) -> bool {
        self.config_dir().is_some_and(crate::autostart::enabled)
    }

    /// Write or remove the user's autostart entry when `on` differs from what is there.
    fn follow_start_at_login(&self, on: bool) -> Result<()> {
        if on == self.starts_at_login() {
            return Ok(());
        }
        let dir = self.config_dir().ok_or_else(|| {
            Error::invalid_with_hint(
                "startAtLogin: cannot find the user's configuration folder for the autostart entry",
                "set HOME (or XDG_CONFIG_HOME) for Patchbay",
            )
        })?;
        crate::autostart::set(dir, on, &crate::autostart::desktop_bin())
    }

    /// The settings in effect in this process: saved, with valid environment overrides.
    /// Never fails: an unreadable database gives the defaults (callers are on hot paths
    /// such as writing a log row, so this reads the table and the environment, nothing more).
    pub fn settings(&self) -> Settings {
        self.saved_settings()
            .map(|saved| with_env(saved).0)
            .unwrap_or_default()
    }

    /// The settings for the Settings screen and `patchbay settings`.
    pub fn settings_view(&self) -> Result<SettingsView> {
        let saved = self.saved_settings()?;
        let (effective, overrides) = with_env(saved.clone());
        let limits = FIELDS
            .iter()
            .filter_map(|f| {
                f.range.map(|(min, max)| SettingLimit {
                    key: f.key.to_string(),
                    min,
                    max,
                    also: f.also,
                })
            })
            .collect();
        Ok(SettingsView {
            effective,
            saved,
            defaults: Settings::default(),
            overrides,
            limits,
        })
    }

    /// Save every setting at once (the window's form). All are checked first: one bad value
    /// saves nothing and names every problem.
    pub fn save_settings(&self, new: &Settings) -> Result<SettingsView> {
        let values: Vec<(&Field, String)> = FIELDS.iter().map(|f| (f, (f.get)(new))).collect();
        let mut problems: Vec<String> = values.iter().filter_map(|(f, v)| f.check(v)).collect();
        if new.gateway_port == new.callback_port {
            problems.push(format!(
                "gatewayPort: {} is the callback port; the gateway and sign-ins need a port each",
                new.gateway_port
            ));
        }
        if !problems.is_empty() {
            return Err(Error::invalid(problems.join("; ")));
        }
        // Only what differs from the default is stored, so a later release's better default
        // reaches everyone who never changed that setting.
        let defaults = Settings::default();
        self.follow_start_at_login(new.start_at_login)?;
        self.store().write(|tx| {
            for (f, v) in &values {
                if *v == (f.get)(&defaults) || f.key == START_AT_LOGIN {
                    tx.execute("DELETE FROM settings WHERE key = ?1", [f.key])?;
                } else {
                    tx.execute(
                        "INSERT INTO settings (key, value) VALUES (?1, ?2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        params![f.key, v],
                    )?;
                }
            }
            Ok(())
        })?;
        self.settings_view()
    }

    /// Save one setting (`patchbay settings set KEY VALUE`).
    pub fn set_setting(&self, key: &str, value: &str) -> Result<SettingsView> {
        let f = field(key).ok_or_else(|| {
            Error::invalid_with_hint(
                format!("unknown setting '{key}'"),
                format!("settings are: {}", keys().join(", ")),
            )
        })?;
        let mut s = self.saved_settings()?;
        if let Some(problem) = f.check(value) {
            return Err(Error::invalid(problem));
        }
        (f.set)(&mut s, value);
        self.save_settings(&s)
    }

    /// Back to the default: one key, or all of them when `key` is `None`.
    pub fn reset_settings(&self, key: Option<&str>) -> Result<SettingsView> {
        let keys: Vec<&str> = match key {
            None => keys(),
            Some(k) => vec![
                field(k)
                    .ok_or_else(|| {
                        Error::invalid_with_hint(
                            format!("unknown setting '{k}'"),
                            format!("settings are: {}", keys().join(", ")),
                        )
                    })?
                    .key,
            ],
        };
        if keys.contains(&START_AT_LOGIN) {
            self.follow_start_at_login(Settings::default().start_at_login)?;
        }
        self.store().write(|tx| {
            for k in &keys {
                tx.execute("DELETE FROM settings WHERE key = ?1", [k])?;
            }
            Ok(())
        })?;
        self.settings_view()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips_its_default_and_names_its_range() {
        let d = Settings::default();
        for f in FIELDS {
            let v = (f.get)(&d);
            assert!(
                f.check(&v).is_none(),
                "{} default {v} fails its check",
                f.key
            );
            let mut s = Settings::default();
            assert!((f.set)(&mut s, &v));
            assert_eq!(s, d);
        }
        assert!(field("callback-port").is_some());
        assert!(field("CALLBACK_PORT").is_some());
        assert!(field("nope").is_none());
    }

    #[test]
    fn checks_reject_out_of_range_and_junk() {
        let port = field("callbackPort").expect("present");
        assert!(port.check("0").is_none());
        assert!(port.check("47615").is_none());
        assert!(
            port.check("80")
                .expect("present")
                .contains("1024 to 65535 (or 0)")
        );
        assert!(port.check("70000").is_some());
        assert!(port.check("-1").is_some());
        assert!(port.check("abc").is_some());
        let days = field("logMaxAgeDays").expect("present");
        assert!(days.check("0").expect("present").contains("days"));
        let theme = field("theme").expect("present");
        assert!(theme.check("Dark").is_none());
        assert!(
            theme
                .check("blue")
                .expect("present")
                .contains("system, light, dark")
        );
        let enabled = field("gatewayEnabled").expect("present");
        assert!(enabled.check("TRUE").is_none());
        assert!(enabled.check(" false ").is_none());
        assert!(
            enabled
                .check("yes")
                .expect("present")
                .contains("gatewayEnabled: 'yes' is not one of true, false")
        );
    }

    #[test]
    fn the_gateway_switch_is_saved_and_read_back() {
        let p = crate::testing::profile();
        assert!(!p.pb.settings().gateway_enabled, "off by default");
        let v = p.pb.set_setting("gateway-enabled", "true").expect("on");
        assert!(v.saved.gateway_enabled && v.effective.gateway_enabled);
        assert!(p.pb.settings().gateway_enabled);
        assert!(
            v.limits.iter().all(|l| l.key != "gatewayEnabled"),
            "a switch has no numeric limits"
        );
        let v = p.pb.set_setting("gatewayEnabled", "false").expect("off");
        assert!(!v.saved.gateway_enabled);
        assert!(p.pb.set_setting("gatewayEnabled", "1").is_err());
    }

    #[test]
    fn only_values_that_differ_from_the_default_are_stored() {
        // A test profile: its configuration folder is its own, never the user's autostart.
        let p = crate::testing::profile();
        let pb = &*p.pb;
        let rows = |pb: &Patchbay| -> Vec<String> {
            pb.store()
                .read(|c| {
                    let mut st = c.prepare("SELECT key FROM settings ORDER BY key")?;
                    let keys = st
                        .query_map([], |r| r.get(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()?;
                    Ok(keys)
                })
                .expect("read")
        };
        pb.save_settings(&Settings {
            theme: Theme::Dark,
            ..Settings::default()
        })
        .expect("save");
        assert_eq!(rows(pb), ["theme"]);
        let v = pb.set_setting("logMaxRows", "500").expect("set");
        assert_eq!(v.saved.theme, Theme::Dark);
        assert_eq!(rows(pb), ["logMaxRows", "theme"]);
        pb.set_setting("theme", "system")
            .expect("back to the default");
        assert_eq!(rows(pb), ["logMaxRows"]);
        // A bad value saves nothing, not even the good ones next to it.
        let bad = Settings {
            callback_port: 80,
            log_max_age_days: 9,
            ..Settings::default()
        };
        assert!(pb.save_settings(&bad).is_err());
        assert_eq!(rows(pb), ["logMaxRows"]);
    }

    #[test]
    fn close_to_tray_is_on_by_default_and_saved_like_any_switch() {
        let p = crate::testing::profile();
        assert!(p.pb.settings().close_to_tray, "on by default");
        let v = p.pb.set_setting("closeToTray", "false").expect("off");
        assert!(!v.saved.close_to_tray && !p.pb.settings().close_to_tray);
        let e = p.pb.set_setting("closeToTray", "no").expect_err("junk");
        assert!(
            e.to_string()
                .contains("closeToTray: 'no' is not one of true, false"),
            "{e}"
        );
    }

    #[test]
    fn start_at_login_is_the_users_autostart_entry_not_a_row_of_the_profile() {
        let p = crate::testing::profile();
        let entry = crate::autostart::entry_path(p.pb.config_dir().expect("config dir"));
        assert!(!p.pb.settings().start_at_login, "off by default");
        let v = p.pb.set_setting("startAtLogin", "true").expect("on");
        assert!(v.saved.start_at_login && v.effective.start_at_login);
        let text = std::fs::read_to_string(&entry).expect("the entry is written");
        assert!(text.contains(" --hidden\n"), "{text}");
        let stored: i64 =
            p.pb.store()
                .read(|c| {
                    Ok(c.query_row(
                        "SELECT count(*) FROM settings WHERE key = 'startAtLogin'",
                        [],
                        |r| r.get(0),
                    )?)
                })
                .expect("count");
        assert_eq!(stored, 0, "nothing of it is stored in the profile");
        // Another setting saved from the form keeps it, and the entry says it is on.
        std::fs::remove_file(&entry).expect("the user removes the entry by hand");
        assert!(!p.pb.settings().start_at_login, "the entry is the value");
        p.pb.set_setting("startAtLogin", "true").expect("on again");
        p.pb.reset_settings(Some("startAtLogin")).expect("reset");
        assert!(!entry.exists(), "reset removes the entry");
        p.pb.set_setting("startAtLogin", "true").expect("on again");
        p.pb.set_setting("startAtLogin", "false").expect("off");
        assert!(!entry.exists(), "off removes the entry");
    }

    #[test]
    fn the_gateway_and_sign_ins_need_a_port_each() {
        let p = crate::testing::profile();
        let e =
            p.pb.set_setting("gatewayPort", &DEFAULT_CALLBACK_PORT.to_string())
                .expect_err("the callback port");
        assert!(e.to_string().contains("need a port each"), "{e}");
        let e =
            p.pb.set_setting("callbackPort", &DEFAULT_GATEWAY_PORT.to_string())
                .expect_err("the gateway port");
        assert!(e.to_string().contains("need a port each"), "{e}");
        let v =
            p.pb.set_setting("gateway-port", "48000")
                .expect("another port");
        assert_eq!(v.saved.gateway_port, 48000);
        assert_eq!(
            p.pb.settings().callback_port,
            DEFAULT_CALLBACK_PORT,
            "nothing else moved"
        );
    }
}
