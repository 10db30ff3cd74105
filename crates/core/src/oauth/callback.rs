//! The loopback callback (RFC 8252 §7.3): `http://127.0.0.1:PORT/callback`, bound to
//! 127.0.0.1 only. Each accepted connection is its own task (axum). A callback is handed to
//! the pending flow whose `state` it carries; the browser then gets a page saying how it
//! ended. A callback with an unknown, expired or replayed state changes nothing and gets a
//! page that says so.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use tokio::sync::oneshot;

use crate::error::{Error, ErrorCode, Result};

/// The default callback port (configurable; register `http://127.0.0.1:47615/callback`).
pub const DEFAULT_PORT: u16 = crate::settings::DEFAULT_CALLBACK_PORT;

/// What the authorization server sent back.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// The page the browser shows once the flow has used the callback.
#[derive(Debug, Clone)]
pub struct Page {
    pub ok: bool,
    pub title: String,
    pub message: String,
}

type Waiter = oneshot::Sender<(CallbackParams, oneshot::Sender<Page>)>;

#[derive(Default)]
struct Pending {
    waiting: HashMap<String, Waiter>,
    /// Callbacks refused because their `state` matched no pending flow.
    refused: u32,
}

/// A running callback listener.
pub struct CallbackServer {
    port: u16,
    pending: Arc<Mutex<Pending>>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for CallbackServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackServer")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl CallbackServer {
    /// Listen on 127.0.0.1:`port` (0 picks a free one).
    pub async fn bind(port: u16) -> Result<Self> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                Error::oauth(
                    ErrorCode::PortBusy,
                    format!("the OAuth callback port {port} on 127.0.0.1 is in use by another program"),
                    Some(format!(
                        "close the program using it (`ss -ltnp 'sport = :{port}'` shows which), or pick another port with --port (then register http://127.0.0.1:PORT/callback with the provider)"
                    )),
                )
            } else {
                Error::io(format!("cannot listen on 127.0.0.1:{port}"), e)
            }
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the callback address", e))?
            .port();
        let pending = Arc::new(Mutex::new(Pending::default()));
        let app = axum::Router::new()
            .route("/callback", get(handle))
            .with_state(pending.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(CallbackServer {
            port,
            pending,
            shutdown: Some(tx),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// Register a pending flow; its callback arrives on the receiver, with a sender for
    /// the page to show.
    pub fn expect(
        &self,
        state: &str,
    ) -> oneshot::Receiver<(CallbackParams, oneshot::Sender<Page>)> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut p) = self.pending.lock() {
            p.waiting.insert(state.to_string(), tx);
        }
        rx
    }

    /// How many callbacks were refused so far because their `state` matched no pending flow
    /// (forged, replayed, or from an older sign-in tab).
    pub fn refused(&self) -> u32 {
        self.pending.lock().map(|p| p.refused).unwrap_or(0)
    }

    /// Forget a pending flow (expired or cancelled): its callback is then refused.
    pub fn forget(&self, state: &str) {
        if let Ok(mut p) = self.pending.lock() {
            p.waiting.remove(state);
        }
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn handle(
    State(pending): State<Arc<Mutex<Pending>>>,
    Query(params): Query<CallbackParams>,
) -> (StatusCode, Html<String>) {
    let page = deliver(&pending, params).await;
    let status = if page.ok {
        StatusCode::OK
    } else if page.gone {
        StatusCode::GONE
    } else {
        StatusCode::BAD_REQUEST
    };
    (status, Html(render(&page.page)))
}

struct Delivered {
    ok: bool,
    gone: bool,
    /// A pending flow took it (it then reports how it ended to whoever started it).
    matched: bool,
    page: Page,
}

/// Hand a callback to the pending flow whose `state` it carries and wait for how it ended.
async fn deliver(pending: &Arc<Mutex<Pending>>, params: CallbackParams) -> Delivered {
    let waiter = pending.lock().ok().and_then(|mut p| {
        let w = params.state.as_deref().and_then(|s| p.waiting.remove(s));
        if w.is_none() {
            p.refused += 1;
        }
        w
    });
    let Some(waiter) = waiter else {
        return Delivered {
            ok: false,
            gone: false,
            matched: false,
            page: Page {
                ok: false,
                title: "This sign-in link is not valid".into(),
                message: "Patchbay is not waiting for this sign-in (state_mismatch): it was already used, it expired, or it did not come from Patchbay. Nothing was changed. Start again from Patchbay with Connect.".into(),
            },
        };
    };
    let (page_tx, page_rx) = oneshot::channel();
    if waiter.send((params, page_tx)).is_err() {
        return Delivered {
            ok: false,
            gone: true,
            matched: false,
            page: Page {
                ok: false,
                title: "Sign-in was cancelled".into(),
                message: "Patchbay stopped waiting for this sign-in. Start again with Connect."
                    .into(),
            },
        };
    }
    let page = match tokio::time::timeout(Duration::from_secs(60), page_rx).await {
        Ok(Ok(p)) => p,
        _ => Page {
            ok: false,
            title: "Sign-in did not finish".into(),
            message: "Patchbay did not finish the sign-in. Check Patchbay for details.".into(),
        },
    };
    Delivered {
        ok: page.ok,
        gone: false,
        matched: true,
        page,
    }
}

/// The redirect URI of sign-ins that return through the app link (RFC 8252 §7.1: a
/// private-use scheme named after a domain we control). Only the desktop app receives it.
pub const APP_LINK_REDIRECT: &str = "dev.patchbay.app:/oauth/callback";

/// Sign-ins waiting for the app link, process-wide: the link reaches this process through
/// the OS and the single-instance hand-over, not through a listener of the flow's own.
static APP_LINK_FLOWS: std::sync::LazyLock<Arc<Mutex<Pending>>> =
    std::sync::LazyLock::new(|| Arc::new(Mutex::new(Pending::default())));

/// True when `url` is an app-link OAuth callback (whatever its query).
pub fn is_app_link_callback(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "dev.patchbay.app" && u.path().trim_end_matches('/') == "/oauth/callback"
    })
}

/// Finish the pending sign-in an app link belongs to. Returns how it ended (the page a
/// browser would show) and whether a pending sign-in took it; an error when `url` is not an
/// app-link callback at all.
pub async fn deliver_app_link(url: &str) -> Result<(Page, bool)> {
    if !is_app_link_callback(url) {
        return Err(Error::invalid(format!(
            "this is not a Patchbay sign-in link ({APP_LINK_REDIRECT}?...)"
        )));
    }
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::invalid(format!("the sign-in link is not a valid URL: {e}")))?;
    let mut params = CallbackParams::default();
    for (k, v) in parsed.query_pairs() {
        let v = Some(v.into_owned());
        match k.as_ref() {
            "code" => params.code = v,
            "state" => params.state = v,
            "iss" => params.iss = v,
            "error" => params.error = v,
            "error_description" => params.error_description = v,
            _ => {}
        }
    }
    let d = deliver(&APP_LINK_FLOWS, params).await;
    Ok((d.page, d.matched))
}

/// [`deliver_app_link`] as the window hears of it (the `sign-in-returned` event).
pub async fn sign_in_returned(url: &str) -> crate::model::SignInReturned {
    match deliver_app_link(url).await {
        Ok((p, matched)) => crate::model::SignInReturned {
            ok: p.ok,
            matched,
            title: p.title,
            message: p.message,
        },
        Err(e) => crate::model::SignInReturned {
            ok: false,
            matched: false,
            title: "Not a sign-in link".into(),
            message: e.to_string(),
        },
    }
}

/// Paste-back: the address a browser on another device landed on after the sign-in (the
/// loopback callback, which cannot load there), typed or pasted by the user. It is handed to
/// this flow's own listener at `redirect_uri` exactly as a browser here would, so every check
/// (state, `iss`, one use) applies. An error says what was expected; nothing is sent then.
/// True when the waiting sign-in took it (it then reports how it ended itself).
pub async fn paste_back(pasted: &str, redirect_uri: &str) -> Result<bool> {
    let pasted = pasted.trim();
    let expected = || {
        Error::invalid_with_hint(
            "that is not the address the sign-in landed on",
            format!(
                "paste the whole address from the browser's address bar after signing in: {redirect_uri}?code=...&state=..."
            ),
        )
    };
    let url = url::Url::parse(pasted).map_err(|_| expected())?;
    let redirect = url::Url::parse(redirect_uri).map_err(|_| expected())?;
    if url.scheme() != "http"
        || !crate::validate::is_loopback(&url)
        || url.port_or_known_default() != redirect.port_or_known_default()
        || url.path().trim_end_matches('/') != redirect.path().trim_end_matches('/')
    {
        return Err(expected());
    }
    let keys: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if !keys.iter().any(|k| k == "state") || !keys.iter().any(|k| k == "code" || k == "error") {
        return Err(expected());
    }
    // Sent to this process's own listener, on the redirect URI's host and port.
    let mut target = redirect.clone();
    target.set_query(url.query());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        // The listener answers once the code is exchanged (its own bound is 60 s).
        .timeout(Duration::from_secs(90))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build an HTTP client: {e}")))?;
    let resp = http.get(target).send().await.map_err(|e| {
        // Without the URL: it holds the pasted authorization code.
        let e = e.without_url();
        Error::invalid_with_hint(
            format!("the sign-in is no longer waiting at {redirect_uri} ({e})"),
            "run connect again",
        )
    })?;
    // The sign-in itself reports how it ended; this only says whether it took the address.
    Ok(resp.status().is_success())
}

/// Where a flow's callback comes back: its own loopback listener, or the app link.
#[derive(Debug)]
pub enum Listener {
    Loopback(CallbackServer),
    /// `refused_before`: app-link callbacks refused before this flow started.
    AppLink {
        refused_before: u32,
    },
}

impl Listener {
    pub async fn open(kind: crate::model::CallbackKind, port: u16) -> Result<Self> {
        Ok(match kind {
            crate::model::CallbackKind::Loopback => {
                Listener::Loopback(CallbackServer::bind(port).await?)
            }
            crate::model::CallbackKind::AppLink => Listener::AppLink {
                refused_before: APP_LINK_FLOWS.lock().map(|p| p.refused).unwrap_or(0),
            },
        })
    }

    pub fn redirect_uri(&self) -> String {
        match self {
            Listener::Loopback(l) => l.redirect_uri(),
            Listener::AppLink { .. } => APP_LINK_REDIRECT.to_string(),
        }
    }

    pub fn expect(
        &self,
        state: &str,
    ) -> oneshot::Receiver<(CallbackParams, oneshot::Sender<Page>)> {
        match self {
            Listener::Loopback(l) => l.expect(state),
            Listener::AppLink { .. } => {
                let (tx, rx) = oneshot::channel();
                if let Ok(mut p) = APP_LINK_FLOWS.lock() {
                    p.waiting.insert(state.to_string(), tx);
                }
                rx
            }
        }
    }

    pub fn refused(&self) -> u32 {
        match self {
            Listener::Loopback(l) => l.refused(),
            Listener::AppLink { refused_before } => APP_LINK_FLOWS
                .lock()
                .map(|p| p.refused.saturating_sub(*refused_before))
                .unwrap_or(0),
        }
    }

    pub fn forget(&self, state: &str) {
        match self {
            Listener::Loopback(l) => l.forget(state),
            Listener::AppLink { .. } => {
                if let Ok(mut p) = APP_LINK_FLOWS.lock() {
                    p.waiting.remove(state);
                }
            }
        }
    }
}

/// A small self-contained page with a way back to the app.
pub fn render(page: &Page) -> String {
    let title = html_escape::encode_text(&page.title);
    let message = html_escape::encode_text(&page.message);
    let (accent, mark) = if page.ok {
        ("#1f8f4e", "&#10003;")
    } else {
        ("#c0392b", "!")
    };
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Patchbay: {title}</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f5f5f7;color:#1d1d1f}}
main{{max-width:30rem;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002;text-align:center}}
.mark{{width:3rem;height:3rem;border-radius:50%;margin:0 auto 1rem;display:grid;place-items:center;color:#fff;font-size:1.5rem;background:{accent}}}
a{{display:inline-block;margin-top:1rem;padding:.5rem 1rem;border-radius:8px;background:#4f46e5;color:#fff;text-decoration:none}}
@media (prefers-color-scheme:dark){{body{{background:#18181b;color:#eee}}main{{background:#27272a}}}}</style></head>
<body><main><div class="mark">{mark}</div><h1 id="title">{title}</h1><p id="message">{message}</p>
<a href="patchbay://actions">Return to Patchbay</a></main></body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_show() {
        let html = render(&Page {
            ok: false,
            title: "<b>x</b>".into(),
            message: "a & \"b\" <script>".into(),
        });
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("patchbay://"));
    }

    /// Found by the sign-in link property (`oauth::fuzz`): the error of a paste-back whose
    /// listener is gone quoted the whole address, authorization code included.
    #[tokio::test]
    async fn a_paste_back_nobody_waits_for_never_repeats_the_code() {
        let e = paste_back(
            "http://127.0.0.1:1/callback?state=s&code=the-code-itself",
            "http://127.0.0.1:1/callback",
        )
        .await
        .expect_err("nothing listens on port 1");
        let said = format!("{e} {}", e.hint().unwrap_or_default());
        assert!(said.contains("no longer waiting"), "{said}");
        assert!(!said.contains("the-code-itself"), "{said}");
    }

    #[tokio::test]
    async fn an_app_link_reaches_its_pending_flow_once_and_others_are_refused() {
        assert!(is_app_link_callback(
            "dev.patchbay.app:/oauth/callback?code=a&state=b"
        ));
        assert!(!is_app_link_callback("patchbay://actions"));
        assert!(!is_app_link_callback("dev.patchbay.app:/elsewhere?state=b"));
        assert!(deliver_app_link("patchbay://actions").await.is_err());

        let l = Listener::open(crate::model::CallbackKind::AppLink, 0)
            .await
            .expect("app link listener");
        assert_eq!(l.redirect_uri(), APP_LINK_REDIRECT);
        let rx = l.expect("state-app-link-1");
        let flow = tokio::spawn(async move {
            let (params, page) = rx.await.expect("the callback");
            let _ = page.send(Page {
                ok: true,
                title: "Connected".into(),
                message: String::new(),
            });
            params
        });
        // A link for another sign-in is refused and does not disturb this one.
        let (other, matched) =
            deliver_app_link("dev.patchbay.app:/oauth/callback?code=x&state=forged")
                .await
                .expect("a page");
        assert!(!other.ok && !matched);
        assert_eq!(l.refused(), 1);
        let (page, matched) = deliver_app_link(
            "dev.patchbay.app:/oauth/callback?code=the-code&state=state-app-link-1&iss=https%3A%2F%2Fas.example",
        )
        .await
        .expect("a page");
        assert!(page.ok && matched, "{}", page.title);
        let params = flow.await.expect("flow");
        assert_eq!(params.code.as_deref(), Some("the-code"));
        assert_eq!(params.iss.as_deref(), Some("https://as.example"));
        // Replayed: refused.
        let (again, _) = deliver_app_link(
            "dev.patchbay.app:/oauth/callback?code=the-code&state=state-app-link-1",
        )
        .await
        .expect("a page");
        assert!(!again.ok);
        assert_eq!(l.refused(), 2);
    }
}
