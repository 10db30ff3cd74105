//! The command line, as clap sees it. Forms and JSON keys here are a public contract.

use clap::{Args, Parser, Subcommand};
use patchbay_core::export::{ExportClient, ExportVia};
use patchbay_core::model::{CallbackKind, OAuthGrant, TokenAuthMethod};

#[derive(Debug, Parser)]
#[command(
    name = "patchbay",
    version,
    about = "Authenticated connections for AI agents: remote MCP servers and HTTP actions, their tokens and OAuth clients.",
    after_help = "Data lives in $PATCHBAY_HOME (default: the platform data folder, e.g. ~/.local/share/patchbay); secrets live only in the OS keychain.\nSecrets are never taken from arguments: pipe them on stdin (one line each) or type them at the hidden prompt."
)]
pub struct Cli {
    /// Print results as JSON on stdout (errors as {"error": {...}} on stderr).
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Custom actions: remote MCP servers and HTTP endpoints.
    #[command(subcommand)]
    Action(ActionCmd),
    /// Reusable OAuth connections (one OAuth client, many actions).
    #[command(subcommand)]
    Connection(ConnectionCmd),
    /// Text tokens and HTTP request tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Without NAME: where the data lives and whether the keychain is reachable.
    /// With NAME: whether that OAuth action is connected, as whom, with which scopes.
    Status { name: Option<String> },
    /// Authorize an OAuth action in the browser ("Connected as ...").
    Connect(ConnectArgs),
    /// Revoke an action's OAuth tokens at the provider (when it can) and delete them here.
    Disconnect { name: String },
    /// Print a valid access token of a connected action, alone on stdout (for scripts).
    AccessToken { name: String },
    /// Test Connection (MCP: handshake + tools/list; HTTP: the configured request).
    /// Exit 0 when healthy, 1 otherwise.
    Test(TestArgs),
    /// List the tools of an MCP action.
    Tools { name: String },
    /// What happened (redacted): calls, tests, health changes, token fetches, refreshes,
    /// connects, disconnects, circuit breaker changes, confirmations.
    Logs(LogsArgs),
    /// Call a tool of an MCP action, or an HTTP action (exit 1 when the result is an
    /// error or the HTTP status is not 2xx).
    Call(CallArgs),
    /// Serve an MCP action to a local MCP client on stdin/stdout: every message goes to the
    /// remote server with fresh credentials (what `patchbay export` puts in client configs).
    /// Ends when stdin closes.
    Proxy { name: String },
    /// Tool calls waiting for the user's confirmation (actions marked "require
    /// confirmation"), and how many were approved, denied or expired per action.
    Approvals,
    /// Approve a pending tool call (what the app's Approve button does).
    Approve { id: String },
    /// Deny a pending tool call.
    Deny { id: String },
    /// Write MCP client config entries that run `patchbay proxy NAME`, or that connect to the
    /// local gateway (`--via gateway`); no secret in them.
    Export(ExportArgs),
    /// The local gateway: every action on one loopback endpoint, and its access keys.
    #[command(subcommand)]
    Gateway(GatewayCmd),
    /// Enterprise identity providers (OpenID Connect): sign in once there, and actions with
    /// `--idp NAME` get their servers' tokens through it (enterprise-managed authorization).
    #[command(subcommand)]
    Idp(IdpCmd),
    /// The provider gallery: well-known remote MCP servers, their URL and how they sign in
    /// (use one with `patchbay action add NAME --provider ID`).
    Providers,
    /// Settings shared with the desktop app: the callback port, how long a sign-in and a
    /// confirmation wait, log retention, the window's theme. Without a subcommand: list them
    /// (with where each value comes from: default, saved, or an environment variable).
    Settings {
        #[command(subcommand)]
        cmd: Option<SettingsCmd>,
    },
    /// Diagnose actions step by step: probe, resource metadata, authorization server
    /// metadata, client, token, MCP handshake, tools (or the HTTP request), each timed, with
    /// its HTTP exchange (redacted) and a verdict; the failing step says what to do. Never
    /// opens a browser. Exit 0 when every step passed, 1 when one failed.
    Doctor(DoctorArgs),
    /// Bring over the remote MCP servers other clients use (Claude Desktop, Claude Code,
    /// Cursor, VS Code, Windsurf, Codex) and mcp-remote's sign-ins: actions, with their
    /// tokens moved into the keychain.
    Import(ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Save one setting, e.g. `patchbay settings set callbackPort 47700`.
    Set {
        key: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Back to the default: KEY, or every setting without one.
    Reset { key: Option<String> },
}

/// `patchbay export [NAME...] --client CLIENT [--via proxy|gateway] [--key-env VAR] [--write]
/// [--config PATH]`.
#[derive(Debug, Args)]
#[command(
    after_help = "Without --write: prints the entries in the client's format, ready to paste, and where its config file is.\nWith --write: shows the command (or URL) of each entry on stderr, then merges them into that file (other entries, keys and comments stay; an entry of the same name is replaced), keeping a backup FILE.patchbay-backup-YYYYMMDDTHHMMSSZ.\n--via gateway: URL entries for the local gateway (no NAME: one entry named 'patchbay' for http://127.0.0.1:PORT/mcp; NAMEs: one each for /a/NAME/mcp); writing them takes out the 'patchbay proxy' entries of the same actions (of every action, without NAME). VS Code, Claude Code, Cursor and Windsurf sign in through the browser; Codex reads an access key from $PATCHBAY_GATEWAY_KEY (--key-env to name another; make the key with 'patchbay gateway key add'). Claude Desktop and generic keep proxy entries.\nPATCHBAY_EXPORT_BIN overrides the binary proxy entries run (an absolute path)."
)]
pub struct ExportArgs {
    /// The actions to export (default: every enabled MCP action; with --via gateway, one
    /// entry for every action).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// The MCP client whose config format and file to use.
    #[arg(long, value_name = "CLIENT", value_enum)]
    pub client: ExportClient,
    /// How the client reaches Patchbay: `proxy` (it starts `patchbay proxy NAME`) or `gateway`
    /// (it connects to the local gateway over HTTP).
    #[arg(long, value_name = "VIA", value_enum, default_value_t = ExportVia::Proxy)]
    pub via: ExportVia,
    /// Codex with --via gateway: the environment variable Codex reads the gateway access key
    /// from (default PATCHBAY_GATEWAY_KEY).
    #[arg(long, value_name = "VAR")]
    pub key_env: Option<String>,
    /// Merge the entries into the client's config file (a backup of it is kept).
    #[arg(long)]
    pub write: bool,
    /// Use this config file instead of the client's user file (e.g. a project's .mcp.json,
    /// .vscode/mcp.json, .cursor/mcp.json or .codex/config.toml).
    #[arg(long, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The action to test.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub name: Option<String>,
    /// Test every enabled action, concurrently.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Only this action (or connection, or token).
    #[arg(long, value_name = "NAME")]
    pub action: Option<String>,
    /// Only the last DURATION: 30s, 10m, 2h, 7d.
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// call, test, token_fetch, refresh, connect, disconnect, health, breaker, approval.
    #[arg(long, value_name = "K")]
    pub kind: Option<String>,
    #[arg(long, value_parser = ["ok", "error"])]
    pub outcome: Option<String>,
    /// Text anywhere in the summary, request or response (case-insensitive).
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Keep printing new entries as they come (Ctrl-C stops).
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// How many of the most recent entries to print first.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub limit: usize,
}

#[derive(Debug, Args)]
pub struct CallArgs {
    pub name: String,
    /// The tool to call (MCP actions; HTTP actions have none).
    pub tool: Option<String>,
    /// The tool's arguments as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub args: Option<String>,
    /// When the server asks for more scopes (403 insufficient_scope), fail instead of
    /// re-authorizing in the browser.
    #[arg(long)]
    pub no_step_up: bool,
    /// Loopback callback port for a step-up sign-in [default: the callbackPort setting].
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    pub name: String,
    /// Do not open a browser: print the authorization URL alone on the first line of stdout.
    /// On a terminal, the address the browser lands on (on another device) may then be
    /// pasted back here.
    #[arg(long)]
    pub no_browser: bool,
    /// Sign in with a code on another device (RFC 8628): the verification URL alone on the
    /// first line of stdout, the code on the second (with --json, one JSON object
    /// {verificationUri, userCode, expiresAt} first). Used by itself where the server offers
    /// it, $BROWSER is unset, there is no display and stdout is a terminal.
    #[arg(long)]
    pub device: bool,
    /// Give up when the browser has not come back after this many seconds [default: the
    /// consentTimeoutSecs setting, 300].
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Loopback callback port (register http://127.0.0.1:PORT/callback with the provider)
    /// [default: the callbackPort setting, 47615].
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum ActionCmd {
    /// Add a custom action.
    Add(ActionAdd),
    /// List actions with their authentication and health.
    #[command(visible_alias = "ls")]
    List,
    /// Show one action (secrets only as set / not set).
    Show { name: String },
    /// Change an action; only the options given change.
    Edit(ActionEdit),
    /// Remove an action and its secrets.
    #[command(visible_alias = "rm")]
    Remove { name: String },
    /// Enable an action.
    Enable { name: String },
    /// Disable an action: it is never called, tested, proxied or exported.
    Disable { name: String },
}

#[derive(Debug, Args, Default)]
pub struct OAuthArgs {
    /// How the client gets tokens: `authorization-code` (a user signs in in the browser, the
    /// default), `client-credentials` (the client asks for itself: no user, no browser;
    /// needs --client-id and a client secret or a signing key), `jwt-bearer` (a workload
    /// presents its identity token from --assertion-file, RFC 7523) or `enterprise-managed`
    /// (the enterprise identity provider's sign-in, --idp NAME).
    #[arg(long, value_name = "GRANT", value_enum)]
    pub grant: Option<OAuthGrant>,
    /// The jwt-bearer grant: the file holding the workload's identity token (a JWT its
    /// platform keeps fresh), read at each token request. "" clears it.
    #[arg(long, value_name = "PATH")]
    pub assertion_file: Option<String>,
    /// Enterprise-managed authorization through this identity provider (`patchbay idp add`);
    /// sets the grant to enterprise-managed.
    #[arg(long, value_name = "NAME")]
    pub idp: Option<String>,
    /// OAuth client id (Advanced configuration); leave out to use dynamic client registration.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Read the OAuth client secret from stdin (one line) or a hidden prompt.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// How the client authenticates at the token endpoint (private_key_jwt: a signing key
    /// Patchbay generates, or --private-key-stdin; `action show` prints its public JWK).
    #[arg(long, value_name = "METHOD", value_enum)]
    pub token_auth_method: Option<TokenAuthMethod>,
    /// Import the private_key_jwt signing key: a P-256 private key in PEM (PKCS#8 or SEC1)
    /// on stdin (or pasted at a hidden prompt), kept only in the keychain.
    #[arg(long, conflicts_with = "client_secret_stdin")]
    pub private_key_stdin: bool,
    #[arg(long, value_name = "URL")]
    pub authorization_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub registration_url: Option<String>,
    /// Scopes, space- or comma-separated.
    #[arg(long, value_name = "SCOPES")]
    pub scopes: Option<String>,
    /// Accept an authorization server that does not advertise PKCE S256.
    #[arg(long)]
    pub assume_pkce_s256: bool,
    /// Send this RFC 8707 resource instead of the discovered one.
    #[arg(long, value_name = "URL", conflicts_with = "no_resource")]
    pub resource: Option<String>,
    /// Send no resource parameter (for providers that reject it, such as Entra ID).
    #[arg(long)]
    pub no_resource: bool,
    /// Client ID Metadata Document URL (https): used as the client id when the server
    /// supports such documents and no --client-id is given. "" clears it.
    #[arg(long, value_name = "URL")]
    pub client_metadata_url: Option<String>,
    /// Where the provider sends the browser back: `loopback` (http://127.0.0.1:PORT/callback,
    /// the default) or `app-link` (dev.patchbay.app:/oauth/callback; the desktop app
    /// connects such actions).
    #[arg(long, value_name = "KIND", value_enum)]
    pub callback: Option<CallbackKind>,
}

#[derive(Debug, Args)]
pub struct ActionAdd {
    pub name: String,
    /// Remote MCP server URL (Streamable HTTP), or the endpoint of an --http action.
    #[arg(long, required_unless_present = "provider")]
    pub url: Option<String>,
    /// Start from a gallery entry (`patchbay providers`): its URL, description and OAuth
    /// settings; the options given here win.
    #[arg(long, value_name = "ID", conflicts_with = "http")]
    pub provider: Option<String>,
    /// A plain HTTP endpoint instead of an MCP server.
    #[arg(long)]
    pub http: bool,
    /// HTTP method (default GET, or POST when a body is given).
    #[arg(long, requires = "http", value_name = "M")]
    pub method: Option<String>,
    /// A request header, 'Name: value'; repeatable.
    #[arg(long = "header", requires = "http", value_name = "'K: V'")]
    pub headers: Vec<String>,
    /// Body template; {{param}} placeholders are filled at call time.
    #[arg(long, requires = "http", value_name = "TEMPLATE")]
    pub body: Option<String>,
    /// none | oauth | token:TOKEN | http-token:TOKEN | connection:CONNECTION
    #[arg(long, value_name = "AUTH")]
    pub auth: Option<String>,
    #[command(flatten)]
    pub oauth: OAuthArgs,
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Require end-user confirmation before each use.
    #[arg(long)]
    pub confirm: bool,
    /// Save it disabled.
    #[arg(long)]
    pub disabled: bool,
}

#[derive(Debug, Args)]
pub struct ActionEdit {
    pub name: String,
    #[arg(long, value_name = "NEW_NAME")]
    pub rename: Option<String>,
    #[arg(long)]
    pub url: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Require end-user confirmation before each use.
    #[arg(long, conflicts_with = "no_confirm")]
    pub confirm: bool,
    /// Stop requiring confirmation.
    #[arg(long)]
    pub no_confirm: bool,
    /// none | oauth | token:TOKEN | http-token:TOKEN | connection:CONNECTION
    #[arg(long, value_name = "AUTH")]
    pub auth: Option<String>,
    #[command(flatten)]
    pub oauth: OAuthArgs,
    /// Remove the stored OAuth client secret.
    #[arg(long, conflicts_with = "client_secret_stdin")]
    pub no_client_secret: bool,
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    /// Replace the headers with these; repeatable.
    #[arg(
        long = "header",
        value_name = "'K: V'",
        conflicts_with = "clear_headers"
    )]
    pub headers: Vec<String>,
    /// Remove every header.
    #[arg(long)]
    pub clear_headers: bool,
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "no_body")]
    pub body: Option<String>,
    /// Remove the body.
    #[arg(long)]
    pub no_body: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCmd {
    /// Add a reusable OAuth connection.
    Add(ConnectionAdd),
    #[command(visible_alias = "ls")]
    List,
    Show {
        name: String,
    },
    Edit(ConnectionEdit),
    /// Remove a connection no action uses.
    #[command(visible_alias = "rm")]
    Remove {
        name: String,
    },
    /// Authorize the connection in the browser ("Connected as ...").
    Connect(ConnectArgs),
    /// Revoke the connection's tokens at the provider (when it can) and delete them here.
    Disconnect {
        name: String,
    },
    /// Whether the connection is authorized, as whom, with which scopes.
    Status {
        name: String,
    },
    /// Print a valid access token of the connection, alone on stdout.
    AccessToken {
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct ConnectionAdd {
    pub name: String,
    /// The service it signs in to, e.g. github.
    #[arg(long)]
    pub provider: String,
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Read the client secret from stdin (one line) or a hidden prompt.
    #[arg(long)]
    pub client_secret_stdin: bool,
    #[arg(long, value_name = "URL")]
    pub authorization_url: String,
    #[arg(long, value_name = "URL")]
    pub token_url: String,
    #[arg(long, value_name = "URL")]
    pub revocation_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub registration_url: Option<String>,
    /// Default: client_secret_basic with a secret, none (public PKCE client) without
    /// (private_key_jwt with client credentials and no secret).
    #[arg(long, value_name = "METHOD", value_enum)]
    pub token_auth_method: Option<TokenAuthMethod>,
    /// Scopes, space- or comma-separated.
    #[arg(long)]
    pub scopes: Option<String>,
    /// `authorization-code` (default: a user signs in) or `client-credentials` (no user).
    #[arg(long, value_name = "GRANT", value_enum)]
    pub grant: Option<OAuthGrant>,
    /// Import the private_key_jwt signing key: a P-256 private key in PEM on stdin.
    #[arg(long, conflicts_with = "client_secret_stdin")]
    pub private_key_stdin: bool,
    /// Save, then authorize it right away (as `connection connect`).
    #[arg(long)]
    pub connect: bool,
    /// With --connect: print the authorization URL instead of opening a browser.
    #[arg(long, requires = "connect")]
    pub no_browser: bool,
    /// With --connect: seconds to wait for the browser [default: the consentTimeoutSecs
    /// setting].
    #[arg(long, value_name = "SECS", requires = "connect")]
    pub timeout: Option<u64>,
    /// With --connect: the loopback callback port [default: the callbackPort setting].
    #[arg(long, value_name = "PORT", requires = "connect")]
    pub port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct ConnectionEdit {
    pub name: String,
    #[arg(long, value_name = "NEW_NAME")]
    pub rename: Option<String>,
    #[arg(long)]
    pub provider: Option<String>,
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    #[arg(long, conflicts_with = "no_client_secret")]
    pub client_secret_stdin: bool,
    /// Remove the client secret (the client becomes public).
    #[arg(long)]
    pub no_client_secret: bool,
    #[arg(long, value_name = "URL")]
    pub authorization_url: Option<String>,
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// An empty value removes it.
    #[arg(long, value_name = "URL")]
    pub revocation_url: Option<String>,
    /// An empty value removes it.
    #[arg(long, value_name = "URL")]
    pub registration_url: Option<String>,
    #[arg(long, value_name = "METHOD", value_enum)]
    pub token_auth_method: Option<TokenAuthMethod>,
    #[arg(long)]
    pub scopes: Option<String>,
    /// `authorization-code` (a user signs in) or `client-credentials` (no user).
    #[arg(long, value_name = "GRANT", value_enum)]
    pub grant: Option<OAuthGrant>,
    /// Replace the private_key_jwt signing key with a P-256 private key in PEM from stdin.
    #[arg(long, conflicts_with_all = ["client_secret_stdin", "no_client_secret"])]
    pub private_key_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Add a text token (--value-stdin) or an HTTP request token (--http-request).
    Add(TokenAdd),
    #[command(visible_alias = "ls")]
    List,
    Show {
        name: String,
    },
    Edit(TokenEdit),
    /// Remove a token no action uses.
    #[command(visible_alias = "rm")]
    Remove {
        name: String,
    },
    /// Perform an HTTP request token's request: the status, and where the token was found
    /// (its first 4 characters and length, never the token) or the response's shape.
    Test {
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct TokenAdd {
    pub name: String,
    /// The header the token is sent in, e.g. Authorization.
    #[arg(long, value_name = "H")]
    pub header_name: String,
    /// Sent before the value with one space, e.g. Bearer.
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Text token: read the value from stdin (one line) or a hidden prompt.
    #[arg(long, conflicts_with = "http_request")]
    pub value_stdin: bool,
    /// HTTP request token: fetch the value from an auth endpoint.
    #[arg(long)]
    pub http_request: bool,
    #[arg(long, requires = "http_request")]
    pub url: Option<String>,
    /// Default POST.
    #[arg(long, requires = "http_request", value_name = "M")]
    pub method: Option<String>,
    /// 'Name: value'; repeatable.
    #[arg(long = "header", requires = "http_request", value_name = "'K: V'")]
    pub headers: Vec<String>,
    /// A header whose value is secret, read from stdin; repeatable.
    #[arg(long = "secret-header", requires = "http_request", value_name = "K")]
    pub secret_headers: Vec<String>,
    /// key=value; repeatable.
    #[arg(long = "body", requires = "http_request", value_name = "K=V")]
    pub body: Vec<String>,
    /// A body field whose value is secret, read from stdin; repeatable.
    #[arg(long = "secret-body", requires = "http_request", value_name = "K")]
    pub secret_body: Vec<String>,
    /// Send the body as application/x-www-form-urlencoded instead of JSON.
    #[arg(long, requires = "http_request")]
    pub form: bool,
    /// Where the token is in the JSON response: $.data.access_token or data.access_token.
    #[arg(long, requires = "http_request", value_name = "PATH")]
    pub token_path: Option<String>,
    /// Save without performing the request first (by default a request that fails, or whose
    /// JSONPath finds nothing, saves nothing).
    #[arg(long, requires = "http_request")]
    pub no_test: bool,
}

#[derive(Debug, Args)]
pub struct TokenEdit {
    pub name: String,
    #[arg(long, value_name = "NEW_NAME")]
    pub rename: Option<String>,
    #[arg(long, value_name = "H")]
    pub header_name: Option<String>,
    /// An empty value removes it.
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Replace a text token's value (stdin or hidden prompt).
    #[arg(long)]
    pub value_stdin: bool,
    /// Replace an HTTP request token's JSONPath.
    #[arg(long, value_name = "PATH")]
    pub token_path: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GatewayCmd {
    /// Serve every action on http://127.0.0.1:PORT/mcp in the foreground; prints the URL
    /// alone as the first line of stdout once listening. Ctrl-C (or SIGTERM) stops it.
    Serve {
        /// Listen here instead of the gatewayPort setting (tests: every URL handed out
        /// names the port).
        #[arg(long, value_name = "PORT")]
        port: Option<u16>,
    },
    /// Whether the gateway runs, where, its working keys, and who called in the last 10 minutes.
    Status,
    /// Access keys: bearer keys for local clients of the gateway.
    #[command(subcommand)]
    Key(KeyCmd),
    /// OAuth clients: the integrations you build sign in to the gateway with these.
    #[command(subcommand)]
    Client(ClientCmd),
    /// Browser sign-ins of local apps (VS Code, Claude Code…) waiting for your consent.
    Consents,
    /// Let a waiting sign-in through: the app gets what it asked for, or --actions.
    Approve {
        /// The request's id or its short code (as the browser page shows it).
        id: String,
        /// The actions it may use instead: A,B (by name), or '*' for every action.
        #[arg(long, value_name = "A,B|'*'")]
        actions: Option<String>,
        /// Limit an action to some of its tools: ACTION__TOOL,...
        #[arg(long, value_name = "A__TOOL,...", value_delimiter = ',')]
        tools: Vec<String>,
    },
    /// Refuse a waiting sign-in: the browser goes back to the app with access_denied.
    Deny {
        /// The request's id or its short code.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCmd {
    /// Make a custom OAuth client and print its id and (confidential) secret, once.
    Add(ClientAdd),
    /// Every OAuth client: type, kind, status, redirect URIs, what it may use (never a secret).
    List,
    /// A new secret for a confidential client; the old one stops working at once.
    Rotate {
        name: String,
        /// Do not ask first (needed without a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Revoke a client: every token it holds stops working at once.
    Revoke { name: String },
    /// Let a revoked client sign in again (none of its old tokens comes back).
    Reactivate { name: String },
}

/// Whether a client holds a secret.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ClientTypeArg {
    Confidential,
    Public,
}

#[derive(Debug, Args)]
pub struct ClientAdd {
    pub name: String,
    /// confidential (has a secret) or public (PKCE only).
    #[arg(long = "type", value_name = "TYPE")]
    pub client_type: ClientTypeArg,
    /// Where the app listens for the sign-in's answer, matched exactly (a loopback URI on any
    /// port). Repeat for several.
    #[arg(long = "redirect-uri", value_name = "URI", required = true)]
    pub redirect_uris: Vec<String>,
    /// The actions it may use: A,B (by name), or '*' for every action, present and future.
    #[arg(long, value_name = "A,B|'*'")]
    pub actions: String,
    /// Limit an action to some of its tools: ACTION__TOOL,...
    #[arg(long, value_name = "A__TOOL,...", value_delimiter = ',')]
    pub tools: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeyCmd {
    /// Make a key and print it, once (Patchbay keeps only its SHA-256).
    Add(KeyAdd),
    /// Every key: what it opens, when it was made, last used, expires or was revoked.
    List,
    /// Revoke a key: the next request with it is refused.
    Revoke { name: String },
}

#[derive(Debug, Args)]
pub struct KeyAdd {
    pub name: String,
    /// The actions it opens: A,B (by name; a rename keeps them), or '*' for every action,
    /// present and future.
    #[arg(long, value_name = "A,B|'*'")]
    pub actions: String,
    /// Limit an action to some of its tools: ACTION__TOOL,... (other actions keep all theirs).
    #[arg(long, value_name = "A__TOOL,...", value_delimiter = ',')]
    pub tools: Vec<String>,
    /// The key stops working this long after now: 30d, 12h, 90m.
    #[arg(long, value_name = "DURATION")]
    pub expires: Option<String>,
}

/// `patchbay doctor [NAME...]`.
#[derive(Debug, Args)]
#[command(
    after_help = "One NAME: every step, then the fix of the failing one. Several NAMEs or none (none: every action, 4 at a time): one line each.\n--json: for one NAME an object {name, ok, steps: [{step, ok, latencyMs, detail, fix}]}; for several or none, an array of them."
)]
pub struct DoctorArgs {
    /// The actions to diagnose (default: every action).
    pub names: Vec<String>,
}

/// `patchbay import [--from SOURCE|all] [--config PATH] [--dry-run] [--rewrite [--via
/// proxy|gateway]]`.
#[derive(Debug, Args)]
#[command(
    after_help = "Each remote server entry becomes an action: a token in a header (or in the entry's env, through ${VAR}) becomes a text token in the keychain; an `mcp-remote URL` command becomes an OAuth action with its flags mapped, and mcp-remote's registration and tokens for it (in $MCP_REMOTE_CONFIG_DIR, else ~/.mcp-auth) move into the keychain: connected, no new sign-in. Entries that already reach Patchbay, local commands and URLs an action already has are skipped.\n--rewrite: each imported entry then reaches Patchbay as `patchbay export --write` writes it (other entries and comments stay; a backup FILE.patchbay-backup-YYYYMMDDTHHMMSSZ, 0600, keeps the old file and its tokens), and mcp-remote's files of a moved sign-in are deleted.\nExit 0 when every file was read and every entry found was handled; 1 when a file could not be parsed or an entry could not be imported (the others still were; the output says which)."
)]
pub struct ImportArgs {
    /// Where to look: one client, mcp-remote's token store, or all of them.
    #[arg(long, value_name = "SOURCE", default_value = "all", value_parser = ["claude-desktop", "claude-code", "cursor", "vscode", "windsurf", "codex", "mcp-remote", "all"])]
    pub from: String,
    /// That source's file instead of its default one (for mcp-remote: the store's folder).
    #[arg(long, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    /// Show what would be imported and rewritten; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Point each imported entry at Patchbay and take its plaintext token out of the file.
    #[arg(long)]
    pub rewrite: bool,
    /// With --rewrite: how the entries reach Patchbay (as `patchbay export --via`).
    #[arg(long, value_name = "VIA", value_enum, requires = "rewrite")]
    pub via: Option<ExportVia>,
}

#[derive(Debug, Subcommand)]
pub enum IdpCmd {
    /// Add an identity provider: its issuer and the client Patchbay signs in with there.
    Add {
        name: String,
        /// Its OpenID Connect issuer (the `iss` of its ID tokens).
        #[arg(long, value_name = "URL")]
        issuer: String,
        #[arg(long, value_name = "ID")]
        client_id: String,
        /// Read the client's secret from stdin (one line) or a hidden prompt.
        #[arg(long)]
        client_secret_stdin: bool,
        /// Scopes to ask at sign-in beside openid, space- or comma-separated.
        #[arg(long, value_name = "SCOPES")]
        scopes: Option<String>,
    },
    /// List identity providers: whether signed in, as whom, until when, used by which actions.
    #[command(visible_alias = "ls")]
    List,
    /// Sign in at the identity provider in the browser (its ID token is kept in the keychain).
    Login {
        name: String,
        /// Do not open a browser: print the authorization URL alone on the first line.
        #[arg(long)]
        no_browser: bool,
        /// Keep this ID token (read from stdin) instead of signing in in a browser: one you
        /// already have from the provider.
        #[arg(long, conflicts_with = "no_browser")]
        id_token_stdin: bool,
        /// Give up after this many seconds [default: the consentTimeoutSecs setting].
        #[arg(long, value_name = "SECS")]
        timeout: Option<u64>,
        /// Loopback callback port [default: the callbackPort setting].
        #[arg(long, value_name = "PORT")]
        port: Option<u16>,
    },
    /// Forget the sign-in (servers' tokens already issued stay until they expire).
    Logout { name: String },
    /// Remove an identity provider and its sign-in (refused while an action uses it).
    #[command(visible_alias = "rm")]
    Remove { name: String },
}
