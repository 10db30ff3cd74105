//! Every environment variable Patchbay reads, in one place. What a user sets in the window
//! lives in [`crate::settings`]; six of those settings can also be overridden here.

/// The profile's folder (database, settings, lock files); else the platform data folder.
pub const HOME: &str = "PATCHBAY_HOME";
/// Overrides the setting `callbackPort` (0: any free port, for tests).
pub const CALLBACK_PORT: &str = "PATCHBAY_CALLBACK_PORT";
/// Overrides the setting `gatewayPort`.
pub const GATEWAY_PORT: &str = "PATCHBAY_GATEWAY_PORT";
/// Overrides the setting `consentTimeoutSecs`.
pub const CONSENT_TIMEOUT_SECS: &str = "PATCHBAY_CONSENT_TIMEOUT_SECS";
/// Overrides the setting `confirmTimeoutSecs`.
pub const CONFIRM_TIMEOUT_SECS: &str = "PATCHBAY_CONFIRM_TIMEOUT_SECS";
/// Overrides the setting `logMaxRows`.
pub const LOG_MAX_ROWS: &str = "PATCHBAY_LOG_MAX_ROWS";
/// Overrides the setting `logMaxAgeDays`.
pub const LOG_MAX_AGE_DAYS: &str = "PATCHBAY_LOG_MAX_AGE_DAYS";
/// The timeout of every network call of the runtime, in seconds (default 30).
pub const TIMEOUT_SECS: &str = "PATCHBAY_TIMEOUT_SECS";
/// Failures in a row that open an action's circuit breaker (default 5).
pub const BREAKER_THRESHOLD: &str = "PATCHBAY_BREAKER_THRESHOLD";
/// The breaker's first cool-down, in seconds (default 60, doubling to an hour).
pub const BREAKER_COOLDOWN_SECS: &str = "PATCHBAY_BREAKER_COOLDOWN_SECS";
/// The desktop app a proxy starts to ask for a confirmation (else found next to the CLI).
pub const DESKTOP_BIN: &str = "PATCHBAY_DESKTOP_BIN";
/// The `patchbay` binary that exported client configs run (an absolute path).
pub const EXPORT_BIN: &str = "PATCHBAY_EXPORT_BIN";
/// Not read by Patchbay: the variable a Codex entry exported through the gateway names for
/// its access key (`bearer_token_env_var`), unless `--key-env` names another.
pub const GATEWAY_KEY: &str = "PATCHBAY_GATEWAY_KEY";
/// The desktop app: write its start-up report (JSON) to this file once the page is ready
/// (the desktop benchmark).
pub const READY_FILE: &str = "PATCHBAY_READY_FILE";
/// The desktop app: do not register the URL schemes for this user (tests, unpacked builds).
pub const NO_SCHEME_REGISTRATION: &str = "PATCHBAY_NO_SCHEME_REGISTRATION";
/// Tests only: a JSON file mapping Client ID Metadata Document URLs to local files, which the
/// gateway reads instead of fetching them (every other check applies).
pub const TEST_CLIENT_METADATA: &str = "PATCHBAY_TEST_CLIENT_METADATA";
/// Not Patchbay's: where Codex keeps its `config.toml` (export and import read it).
pub const CODEX_HOME: &str = "CODEX_HOME";
/// Not Patchbay's: where mcp-remote keeps its token store (else `~/.mcp-auth`), which
/// `patchbay import` reads.
pub const MCP_REMOTE_CONFIG_DIR: &str = "MCP_REMOTE_CONFIG_DIR";

/// Not Patchbay's: the user's configuration folder (else `~/.config`), where the start-at-login
/// entry goes (`autostart/`).
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";

/// Every variable above, for documentation and tests.
pub const ALL: &[&str] = &[
    HOME,
    CALLBACK_PORT,
    GATEWAY_PORT,
    CONSENT_TIMEOUT_SECS,
    CONFIRM_TIMEOUT_SECS,
    LOG_MAX_ROWS,
    LOG_MAX_AGE_DAYS,
    TIMEOUT_SECS,
    BREAKER_THRESHOLD,
    BREAKER_COOLDOWN_SECS,
    DESKTOP_BIN,
    EXPORT_BIN,
    READY_FILE,
    NO_SCHEME_REGISTRATION,
    TEST_CLIENT_METADATA,
    CODEX_HOME,
    MCP_REMOTE_CONFIG_DIR,
    XDG_CONFIG_HOME,
];

/// A positive number from the environment, else `default`.
pub fn positive(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}
