//! What an upstream MCP server sends on its own during a session — progress, list changes,
//! and requests for the user (elicitation) or for a model (sampling) — handed to whoever
//! opened the session with a [`Relay`] (the gateway, which passes it on to the client whose
//! call caused it).
//!
//! A server-initiated request belongs to a call when it arrives on that call's response
//! stream (2025-11-25, rmcp marks it with the call's request id), while the call's own task
//! answers `input_required` rounds (2026-07-28), or — on the session's own stream, where many
//! servers send their questions — when exactly one call is in flight. Any other is refused:
//! with one session shared by many clients, guessing would show one client's question to
//! another.

// Sampling is deprecated by the 2026-07-28 revision (SEP-2577), but 2025-11-25 servers still
// send it, and the gateway passes it on to the client that can answer.
#![expect(
    deprecated,
    reason = "sampling is still relayed for 2025-11-25 servers"
)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rmcp::model::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, ErrorData,
    ProgressNotificationParam, ProgressToken, RequestId,
};
use rmcp::service::InboundStreamOrigin;
use tokio::sync::{broadcast, mpsc, oneshot};

/// Which list of an upstream changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListChange {
    Tools,
    Prompts,
    Resources,
}

/// Upstream traffic for one call, in the order it came.
#[derive(Debug)]
pub enum Inbound {
    Progress(ProgressNotificationParam),
    Elicit(
        ElicitRequestParams,
        oneshot::Sender<std::result::Result<ElicitResult, ErrorData>>,
    ),
    Sample(
        CreateMessageRequestParams,
        oneshot::Sender<std::result::Result<CreateMessageResult, ErrorData>>,
    ),
}

/// Where one call's upstream traffic goes.
pub type Route = mpsc::UnboundedSender<Inbound>;

tokio::task_local! {
    /// The route of the call whose task is running (2026-07-28 `input_required` rounds are
    /// answered inside it).
    pub(crate) static CALL_ROUTE: Route;
}

/// The routes of one upstream session's calls in flight, and its list changes.
pub struct Relay {
    /// The action it serves (named in list changes).
    pub(crate) action_id: String,
    by_request: Mutex<HashMap<RequestId, Route>>,
    by_progress: Mutex<HashMap<ProgressToken, Route>>,
    changes: broadcast::Sender<(String, ListChange)>,
    /// How many times each list (tools, prompts, resources) changed: a list kept since a
    /// given count is still current while the count has not moved.
    generations: [AtomicU64; 3],
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("action_id", &self.action_id)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// How long an upstream question may wait for the client's answer.
pub const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(600);

impl Relay {
    /// A relay for `action_id`'s session; list changes go to `changes`.
    pub fn new(action_id: String, changes: broadcast::Sender<(String, ListChange)>) -> Self {
        Relay {
            action_id,
            by_request: Mutex::new(HashMap::new()),
            by_progress: Mutex::new(HashMap::new()),
            changes,
            generations: Default::default(),
        }
    }

    /// How many times the server said `what` changed in this session.
    pub(crate) fn generation(&self, what: ListChange) -> u64 {
        self.generations[what as usize].load(Ordering::Acquire)
    }

    pub(crate) fn enter(&self, id: RequestId, progress: ProgressToken, route: Route) {
        lock(&self.by_request).insert(id, route.clone());
        lock(&self.by_progress).insert(progress, route);
    }

    pub(crate) fn leave(&self, id: &RequestId, progress: &ProgressToken) {
        lock(&self.by_request).remove(id);
        lock(&self.by_progress).remove(progress);
    }

    pub(crate) fn progress(&self, p: ProgressNotificationParam) {
        let route = lock(&self.by_progress).get(&p.progress_token).cloned();
        if let Some(route) = route {
            let _ = route.send(Inbound::Progress(p));
        }
    }

    pub(crate) fn changed(&self, what: ListChange) {
        self.generations[what as usize].fetch_add(1, Ordering::AcqRel);
        let _ = self.changes.send((self.action_id.clone(), what));
    }

    /// The route of the call a server-initiated request belongs to.
    fn route_of(&self, origin: Option<&InboundStreamOrigin>) -> Option<Route> {
        if let Ok(route) = CALL_ROUTE.try_with(Clone::clone) {
            return Some(route);
        }
        if let Some(InboundStreamOrigin::OutboundRequest(id)) = origin {
            return lock(&self.by_request).get(id).cloned();
        }
        // On the session's own stream (many servers send their questions there): it is the
        // one call in flight's, when there is exactly one caller.
        let calls = lock(&self.by_request);
        let mut routes = calls.values();
        let first = routes.next()?;
        routes.all(|r| r.same_channel(first)).then(|| first.clone())
    }

    async fn ask<T>(
        &self,
        origin: Option<&InboundStreamOrigin>,
        what: &str,
        make: impl FnOnce(oneshot::Sender<std::result::Result<T, ErrorData>>) -> Inbound,
    ) -> std::result::Result<T, ErrorData> {
        let Some(route) = self.route_of(origin) else {
            return Err(ErrorData::invalid_request(
                format!(
                    "Patchbay cannot tell which of its clients this {what} is for (it came outside any tool call), so it is refused"
                ),
                None,
            ));
        };
        let (tx, rx) = oneshot::channel();
        if route.send(make(tx)).is_err() {
            return Err(ErrorData::invalid_request(
                format!("the call this {what} belongs to has ended"),
                None,
            ));
        }
        match tokio::time::timeout(ANSWER_WITHIN, rx).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(_)) => Err(ErrorData::invalid_request(
                format!("the call this {what} belongs to ended before its client answered"),
                None,
            )),
            Err(_) => Err(ErrorData::invalid_request(
                format!(
                    "the client did not answer this {what} within {} s",
                    ANSWER_WITHIN.as_secs()
                ),
                None,
            )),
        }
    }

    pub(crate) async fn elicit(
        &self,
        params: ElicitRequestParams,
        origin: Option<&InboundStreamOrigin>,
    ) -> std::result::Result<ElicitResult, ErrorData> {
        self.ask(origin, "elicitation request", |tx| {
            Inbound::Elicit(params, tx)
        })
        .await
    }

    pub(crate) async fn sample(
        &self,
        params: CreateMessageRequestParams,
        origin: Option<&InboundStreamOrigin>,
    ) -> std::result::Result<CreateMessageResult, ErrorData> {
        self.ask(origin, "sampling request", |tx| Inbound::Sample(params, tx))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::NumberOrString;

    fn token(n: i64) -> ProgressToken {
        ProgressToken(NumberOrString::Number(n))
    }

    #[tokio::test]
    async fn a_question_goes_to_its_call_or_to_the_only_caller_and_is_refused_otherwise() {
        let relay = Relay::new("a".into(), broadcast::channel(4).0);
        let unassociated = InboundStreamOrigin::Unassociated;
        // No call in flight: refused.
        assert!(relay.route_of(Some(&unassociated)).is_none());

        let (one, mut one_rx) = mpsc::unbounded_channel();
        relay.enter(NumberOrString::Number(1), token(1), one.clone());
        // One caller: its question, wherever it came from.
        assert!(relay.route_of(Some(&unassociated)).is_some());
        // The same caller with a second call still is one caller.
        relay.enter(NumberOrString::Number(2), token(2), one.clone());
        assert!(relay.route_of(None).is_some());

        let (two, _two_rx) = mpsc::unbounded_channel();
        relay.enter(NumberOrString::Number(3), token(3), two);
        // Two callers: only a question on a call's own stream can be placed.
        assert!(relay.route_of(Some(&unassociated)).is_none());
        let on_one = InboundStreamOrigin::OutboundRequest(NumberOrString::Number(1));
        assert!(
            relay
                .route_of(Some(&on_one))
                .is_some_and(|r| r.same_channel(&one))
        );
        let refused = relay
            .elicit(
                serde_json::from_value(serde_json::json!({
                    "message": "?", "requestedSchema": {"type": "object", "properties": {}}
                }))
                .expect("params"),
                Some(&unassociated),
            )
            .await
            .expect_err("refused");
        assert!(refused.message.contains("cannot tell which"), "{refused:?}");

        // Progress follows its token; a call that left gets nothing more.
        relay.progress(
            serde_json::from_value(serde_json::json!({"progressToken": 2, "progress": 1}))
                .expect("progress"),
        );
        assert!(matches!(one_rx.try_recv(), Ok(Inbound::Progress(_))));
        relay.leave(&NumberOrString::Number(2), &token(2));
        relay.progress(
            serde_json::from_value(serde_json::json!({"progressToken": 2, "progress": 2}))
                .expect("progress"),
        );
        assert!(one_rx.try_recv().is_err());
    }
}
