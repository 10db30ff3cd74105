//! One upstream MCP session per action, shared by every client of the gateway: the first call
//! (or listing) opens it, later ones reuse it, concurrently. A session is keyed by the action's
//! id and its last change, so an edited action gets a fresh one. When a call on a kept
//! session fails in a way a new session may fix (the server forgot the session, restarted,
//! or dropped the connection), the session is dropped and the call tried once more on a new
//! one.
//!
//! Each session's `tools/list` answer is kept until the server says its tools changed
//! (`notifications/tools/list_changed`) or the session is replaced (forgotten by the server,
//! restarted, the action edited); a kept list is served once the session answers a `ping`,
//! so an upstream that went away still costs its tools.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use crate::Patchbay;
use crate::error::{ErrorCode, Result};
use crate::model::ActionView;
use rmcp::model::{
    GetPromptRequestParams, GetPromptResult, Prompt, ReadResourceRequestParams, ReadResourceResult,
    Resource,
};

use crate::runtime::{CallOutcome, ListChange, McpConnection, McpOptions, Relay, Route, ToolInfo};

/// The gateway's upstream sessions.
pub(crate) struct Upstreams {
    sessions: tokio::sync::Mutex<HashMap<String, Arc<McpConnection>>>,
    /// Every upstream's list changes (action id, which list), for the clients to hear.
    pub(crate) changes: tokio::sync::broadcast::Sender<(String, ListChange)>,
    /// Actions whose listing did not answer in time, and when.
    stalled: std::sync::Mutex<HashMap<String, std::time::Instant>>,
    /// Each action's last `tools/list` answer (by session key).
    listed: std::sync::Mutex<HashMap<String, Listed>>,
    /// How many clients' sessions listen to `changes` (one task each).
    listening: Arc<std::sync::atomic::AtomicUsize>,
}

/// One client session's listener of list changes, counted while it lives.
pub(crate) struct Listening(Arc<std::sync::atomic::AtomicUsize>);

impl Listening {
    pub(crate) fn new(u: &Upstreams) -> Self {
        u.listening
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Listening(u.listening.clone())
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A `tools/list` answer, the session that gave it and its tool changes count then.
struct Listed {
    session: Weak<McpConnection>,
    generation: u64,
    tools: Arc<Vec<ToolInfo>>,
}

impl Listed {
    fn current(&self, s: &Arc<McpConnection>) -> bool {
        s.list_generation(ListChange::Tools) == Some(self.generation)
            && self.session.upgrade().is_some_and(|k| Arc::ptr_eq(&k, s))
    }
}

/// How long an action that did not answer a listing in time is left out of listings.
const STALL_FOR: std::time::Duration = std::time::Duration::from_secs(30);

impl Default for Upstreams {
    fn default() -> Self {
        Upstreams {
            sessions: tokio::sync::Mutex::new(HashMap::new()),
            changes: tokio::sync::broadcast::channel(64).0,
            stalled: std::sync::Mutex::new(HashMap::new()),
            listed: std::sync::Mutex::new(HashMap::new()),
            listening: Arc::default(),
        }
    }
}

impl std::fmt::Debug for Upstreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Upstreams")
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn key(a: &ActionView) -> String {
    format!("{}@{}", a.id, a.updated_at)
}

/// A failure a new session may fix.
fn session_trouble(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Protocol | ErrorCode::ServerError | ErrorCode::Unreachable
    )
}

impl Upstreams {
    /// How many clients' sessions listen for list changes now.
    #[cfg(test)]
    pub(crate) fn listening(&self) -> usize {
        self.listening.load(std::sync::atomic::Ordering::SeqCst)
    }

    async fn session(&self, pb: &Arc<Patchbay>, a: &ActionView) -> Result<Arc<McpConnection>> {
        if let Some(s) = self.sessions.lock().await.get(&key(a)) {
            return Ok(s.clone());
        }
        // Opened without the lock held: a slow server does not hold up the others. Two
        // first calls at once may both open one; the second replaces the first.
        let opts = McpOptions {
            relay: Some(Arc::new(Relay::new(a.id.clone(), self.changes.clone()))),
            ..Default::default()
        };
        let s = Arc::new(pb.mcp_connect(&a.name, &opts).await?);
        let mut map = self.sessions.lock().await;
        map.retain(|k, _| !k.starts_with(&format!("{}@", a.id)));
        map.insert(key(a), s.clone());
        Ok(s)
    }

    /// Whether `a` did not answer a listing in time lately.
    pub(crate) fn stalled(&self, a: &ActionView) -> bool {
        let mut stalled = self.stalled.lock().unwrap_or_else(|p| p.into_inner());
        match stalled.get(&a.id) {
            Some(at) if at.elapsed() < STALL_FOR => true,
            Some(_) => {
                stalled.remove(&a.id);
                false
            }
            None => false,
        }
    }

    /// `a` did not answer a listing in time: leave it out of listings for [`STALL_FOR`].
    pub(crate) fn stall(&self, a: &ActionView) {
        self.stalled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(a.id.clone(), std::time::Instant::now());
    }

    async fn forget(&self, a: &ActionView) {
        self.sessions.lock().await.remove(&key(a));
    }

    /// `f` on the action's shared session; once more on a new session when the kept one
    /// failed in a way a new one may fix. A session that cannot be opened is not retried.
    async fn on_session<T, F, Fut>(&self, pb: &Arc<Patchbay>, a: &ActionView, f: F) -> Result<T>
    where
        F: Fn(Arc<McpConnection>) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let s = self.session(pb, a).await?;
        match f(s).await {
            Err(e) if session_trouble(e.code()) => {
                self.forget(a).await;
                f(self.session(pb, a).await?).await
            }
            other => other,
        }
    }

    /// `tools/list` of the action over its shared session: the kept answer while it is
    /// current and the session answers a `ping`, else asked again (and kept).
    pub(crate) async fn tools(
        &self,
        pb: &Arc<Patchbay>,
        a: &ActionView,
    ) -> Result<Arc<Vec<ToolInfo>>> {
        let k = key(a);
        self.on_session(pb, a, |s| {
            let k = k.clone();
            async move {
                let kept = lock(&self.listed)
                    .get(&k)
                    .filter(|l| l.current(&s))
                    .map(|l| l.tools.clone());
                if let Some(tools) = kept {
                    s.ping().await?;
                    return Ok(tools);
                }
                // Counted before asking: a change during the listing makes it stale at once.
                let generation = s.list_generation(ListChange::Tools);
                let tools = Arc::new(s.tools().await?);
                if let Some(generation) = generation {
                    let mut listed = lock(&self.listed);
                    listed.retain(|other, _| !other.starts_with(&format!("{}@", a.id)));
                    listed.insert(
                        k,
                        Listed {
                            session: Arc::downgrade(&s),
                            generation,
                            tools: tools.clone(),
                        },
                    );
                }
                Ok(tools)
            }
        })
        .await
    }

    /// The action's prompts (none when its server offers none).
    pub(crate) async fn prompts(&self, pb: &Arc<Patchbay>, a: &ActionView) -> Result<Vec<Prompt>> {
        self.on_session(pb, a, |s| async move {
            if s.offers_prompts() {
                s.prompts().await
            } else {
                Ok(Vec::new())
            }
        })
        .await
    }

    /// The action's resources (none when its server offers none).
    pub(crate) async fn resources(
        &self,
        pb: &Arc<Patchbay>,
        a: &ActionView,
    ) -> Result<Vec<Resource>> {
        self.on_session(pb, a, |s| async move {
            if s.offers_resources() {
                s.resources().await
            } else {
                Ok(Vec::new())
            }
        })
        .await
    }

    /// `prompts/get` on the action, through its circuit breaker.
    pub(crate) async fn prompt(
        &self,
        pb: &Arc<Patchbay>,
        a: &ActionView,
        params: GetPromptRequestParams,
    ) -> Result<GetPromptResult> {
        pb.breaker_admit(a)?;
        let out = self
            .on_session(pb, a, |s| {
                let params = params.clone();
                async move { s.prompt(params).await }
            })
            .await;
        pb.breaker_after(a, out.as_ref().err());
        out
    }

    /// `resources/read` on the action, through its circuit breaker.
    pub(crate) async fn read(
        &self,
        pb: &Arc<Patchbay>,
        a: &ActionView,
        params: ReadResourceRequestParams,
    ) -> Result<ReadResourceResult> {
        pb.breaker_admit(a)?;
        let out = self
            .on_session(pb, a, |s| {
                let params = params.clone();
                async move { s.read(params).await }
            })
            .await;
        pb.breaker_after(a, out.as_ref().err());
        out
    }

    /// `tools/call` over the action's shared session, through its circuit breaker; the
    /// server's traffic for the call goes to `route`, and `cancel` ends it.
    pub(crate) async fn call(
        &self,
        pb: &Arc<Patchbay>,
        a: &ActionView,
        call: Call<'_>,
    ) -> Result<CallOutcome> {
        pb.breaker_admit(a)?;
        let once = |s: Arc<McpConnection>| {
            let args = call.args.clone();
            let route = call.route.clone();
            async move {
                s.call_routed(
                    call.tool,
                    args,
                    Some(call.via),
                    Some(route),
                    Some(call.cancel),
                )
                .await
            }
        };
        let first = match self.session(pb, a).await {
            Ok(s) => once(s).await,
            Err(e) => Err(e),
        };
        let out = match first {
            Err(e) if session_trouble(e.code()) => {
                self.forget(a).await;
                match self.session(pb, a).await {
                    Ok(s) => once(s).await,
                    Err(e) => Err(e),
                }
            }
            other => other,
        };
        pb.breaker_after(a, out.as_ref().err());
        out
    }
}

/// One tool call through the gateway.
pub(crate) struct Call<'a> {
    pub tool: &'a str,
    pub args: Option<serde_json::Map<String, serde_json::Value>>,
    /// Who calls, for the log row.
    pub via: &'a str,
    pub route: Route,
    pub cancel: &'a tokio_util::sync::CancellationToken,
}
