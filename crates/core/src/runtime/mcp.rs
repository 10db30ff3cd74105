//! MCP sessions with an action (either protocol era), its tools, tool calls and the health
//! check behind `patchbay test`.

use super::*;

impl McpConnection {
    /// The protocol revision the server and Patchbay agreed on.
    pub fn protocol(&self) -> Option<String> {
        self.session
            .peer()
            .peer_info()
            .map(|i| i.protocol_version.to_string())
    }

    /// `tools/list`, every page.
    pub async fn tools(&self) -> Result<Vec<ToolInfo>> {
        let tools = self.session.list_all_tools().await.map_err(|e| {
            self.pb
                .after_failure(&self.action, classify(&self.action, &e))
        })?;
        Ok(tools
            .into_iter()
            .map(|t| ToolInfo {
                name: t.name.to_string(),
                title: t.title.clone(),
                description: t.description.as_ref().map(|d| d.to_string()),
                input_schema: serde_json::Value::Object((*t.input_schema).clone()),
                output_schema: t
                    .output_schema
                    .as_ref()
                    .map(|s| serde_json::Value::Object((**s).clone())),
                annotations: t
                    .annotations
                    .as_ref()
                    .and_then(|a| serde_json::to_value(a).ok()),
            })
            .collect())
    }

    /// `tools/call`. Tools listed earlier in this session have their `x-mcp-header`
    /// parameters mirrored into headers; `input_required` rounds (2026-07-28) are answered.
    pub async fn call(
        &self,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<CallOutcome> {
        self.call_via(tool, args, None).await
    }

    /// [`McpConnection::call`] for a caller the log row names (`via`: e.g. the gateway's
    /// client and key).
    pub async fn call_via(
        &self,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
        via: Option<&str>,
    ) -> Result<CallOutcome> {
        self.call_routed(tool, args, via, None, None).await
    }

    /// [`McpConnection::call_via`] whose upstream traffic (progress, questions for the
    /// user) goes to `route` (the session must have been opened with a [`Relay`]), and
    /// which ends when `cancel` fires: the server is told the call was cancelled.
    pub async fn call_routed(
        &self,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
        via: Option<&str>,
        route: Option<Route>,
        cancel: Option<&tokio_util::sync::CancellationToken>,
    ) -> Result<CallOutcome> {
        let started = Instant::now();
        let request = serde_json::json!({"tool": tool, "arguments": args});
        let mut params = CallToolRequestParams::new(tool.to_string());
        params.arguments = args;
        let relay = self.session.service().relay.clone();
        let initialize_era = self
            .session
            .peer()
            .peer_info()
            .is_some_and(|i| i.protocol_version.has_initialize());
        let call = async {
            match (route, relay) {
                // 2025-11-25: the server's questions ride the call's own response stream;
                // they and its progress are routed by the call's request id and token.
                (Some(route), Some(relay)) if initialize_era => {
                    let peer = self.session.peer().clone();
                    let handle = peer
                        .send_cancellable_request(
                            rmcp::model::ClientRequest::CallToolRequest(
                                rmcp::model::CallToolRequest::new(params),
                            ),
                            rmcp::service::PeerRequestOptions::no_options(),
                        )
                        .await?;
                    let mut entered = Entered::new(relay, &handle, route, peer);
                    let answer = handle.await_response().await;
                    entered.answered = true;
                    match answer? {
                        rmcp::model::ServerResult::CallToolResult(r) => Ok(r),
                        _ => Err(rmcp::ServiceError::UnexpectedResponse),
                    }
                }
                // 2026-07-28: questions come as `input_required` rounds, answered inside
                // this task.
                (Some(route), _) => {
                    relay::CALL_ROUTE
                        .scope(route, self.session.call_tool(params))
                        .await
                }
                (None, _) => self.session.call_tool(params).await,
            }
        };
        let bounded = async {
            tokio::time::timeout(call_timeout(), call)
                .await
                .map_err(|_| {
                    err(
                        ErrorCode::Timeout,
                        format!("the tool '{tool}' did not answer in time"),
                        "try again, or check the server",
                    )
                })
                .and_then(|r| {
                    r.map_err(|e| {
                        self.pb
                            .after_failure(&self.action, classify(&self.action, &e))
                    })
                })
        };
        let result = match cancel {
            None => bounded.await,
            Some(cancel) => tokio::select! {
                r = bounded => r,
                () = cancel.cancelled() => Err(err(
                    ErrorCode::AccessDenied,
                    format!("the call of '{tool}' was cancelled by its client"),
                    "nothing to do: the server was told",
                )),
            },
        };
        let latency_ms = started.elapsed().as_millis() as i64;
        let out = result.map(|result| {
            let text = result
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<Vec<_>>()
                .join("\n");
            CallOutcome {
                is_error: result.is_error.unwrap_or(false),
                text,
                result,
                latency_ms,
            }
        });
        self.pb.log(NewLog {
            action_id: Some(&self.action.id),
            subject: Some(&self.action.name),
            kind: Some(LogKind::Call),
            ok: out.as_ref().is_ok_and(|o| !o.is_error),
            latency_ms: Some(latency_ms),
            summary: {
                let via = via.map(|v| format!(" (via {v})")).unwrap_or_default();
                match &out {
                    Ok(o) if o.is_error => {
                        format!("tools/call {tool}{via}: the tool returned an error")
                    }
                    Ok(_) => format!("tools/call {tool}{via}"),
                    Err(e) => format!("tools/call {tool}{via}: {e}"),
                }
            },
            request: Some(request),
            response: out
                .as_ref()
                .ok()
                .map(|o| serde_json::json!({"isError": o.is_error, "text": o.text})),
            error_code: out.as_ref().err().map(|e| e.code().as_str().to_string()),
            ..Default::default()
        });
        out
    }

    /// How many times the server said `what` changed in this session (`None`: a session
    /// opened without a [`Relay`], which does not hear list changes).
    pub fn list_generation(&self, what: ListChange) -> Option<u64> {
        self.session
            .service()
            .relay
            .as_ref()
            .map(|r| r.generation(what))
    }

    /// `ping`: whether the session still answers.
    pub async fn ping(&self) -> Result<()> {
        self.bounded(
            "ping",
            self.session
                .send_request(rmcp::model::ClientRequest::PingRequest(Default::default())),
        )
        .await
        .map(|_| ())
    }

    /// Whether the server offers prompts (from its capabilities).
    pub fn offers_prompts(&self) -> bool {
        self.session
            .peer()
            .peer_info()
            .is_some_and(|i| i.capabilities.prompts.is_some())
    }

    /// Whether the server offers resources (from its capabilities).
    pub fn offers_resources(&self) -> bool {
        self.session
            .peer()
            .peer_info()
            .is_some_and(|i| i.capabilities.resources.is_some())
    }

    /// A request to the server, bounded by the call timeout, its failure classified.
    async fn bounded<T>(
        &self,
        what: &str,
        request: impl Future<Output = std::result::Result<T, rmcp::ServiceError>>,
    ) -> Result<T> {
        tokio::time::timeout(call_timeout(), request)
            .await
            .map_err(|_| {
                err(
                    ErrorCode::Timeout,
                    format!("{} did not answer {what} in time", self.action.url),
                    "try again, or check the server",
                )
            })?
            .map_err(|e| {
                self.pb
                    .after_failure(&self.action, classify(&self.action, &e))
            })
    }

    /// `prompts/list`, every page.
    pub async fn prompts(&self) -> Result<Vec<rmcp::model::Prompt>> {
        self.bounded("prompts/list", self.session.list_all_prompts())
            .await
    }

    /// `prompts/get`.
    pub async fn prompt(
        &self,
        params: rmcp::model::GetPromptRequestParams,
    ) -> Result<rmcp::model::GetPromptResult> {
        self.bounded("prompts/get", self.session.get_prompt(params))
            .await
    }

    /// `resources/list`, every page.
    pub async fn resources(&self) -> Result<Vec<rmcp::model::Resource>> {
        self.bounded("resources/list", self.session.list_all_resources())
            .await
    }

    /// `resources/read`.
    pub async fn read(
        &self,
        params: rmcp::model::ReadResourceRequestParams,
    ) -> Result<rmcp::model::ReadResourceResult> {
        self.bounded("resources/read", self.session.read_resource(params))
            .await
    }

    /// End the session (a 2025-x server is told to drop it).
    pub async fn close(self) {
        let _ = self.session.cancel().await;
    }
}

impl Patchbay {
    /// What a failed request teaches: credentials refused after a refresh mean the next
    /// connect must discover the server's authorization server again.
    pub(super) fn after_failure(&self, action: &ActionView, e: Error) -> Error {
        if matches!(
            e.code(),
            ErrorCode::AuthRejected | ErrorCode::NeedsReconnect
        ) {
            let _ = self.forget_discovery(&action.id);
        }
        e
    }

    /// An MCP action that is enabled, or why not.
    pub(super) fn check_runnable(&self, action: &ActionView) -> Result<()> {
        if action.kind != ActionKind::Mcp {
            return Err(Error::invalid_with_hint(
                format!("'{}' is an HTTP action, not an MCP server", action.name),
                format!("call it with `patchbay call {}`", action.name),
            ));
        }
        if !action.enabled {
            return Err(Error::invalid_with_hint(
                format!("action '{}' is disabled", action.name),
                format!("enable it first: `patchbay action enable {}`", action.name),
            ));
        }
        Ok(())
    }

    /// Open an MCP session with an enabled MCP action.
    pub(super) async fn mcp_session(
        self: &Arc<Self>,
        action: &ActionView,
        opts: &McpOptions,
    ) -> Result<Session> {
        match self.open_session(action, opts).await {
            Ok(s) => Ok(s),
            Err(e) if e.code() == ErrorCode::Protocol && legacy_sse(&action.url).await => Err(err(
                ErrorCode::UnsupportedTransport,
                format!(
                    "{} speaks only the deprecated HTTP+SSE transport, which Patchbay does not use",
                    action.url
                ),
                "use the server's Streamable HTTP URL instead (often the same host with /mcp in place of /sse; see the server's documentation)",
            )),
            Err(e) => Err(self.after_failure(action, e)),
        }
    }

    pub(super) async fn open_session(
        self: &Arc<Self>,
        action: &ActionView,
        opts: &McpOptions,
    ) -> Result<Session> {
        self.check_runnable(action)?;
        let creds = Arc::new(self.credentials(action)?);
        let inner = crate::http::mcp_client(crate::http::McpPurpose::Session)?;
        let transport = StreamableHttpClientTransport::with_client(
            AuthedHttp { inner, creds },
            StreamableHttpClientTransportConfig::with_uri(action.url.clone()),
        );
        let lifecycle = match opts.protocol.as_deref() {
            None => ClientLifecycleMode::Auto {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
                legacy_version: Some(ProtocolVersion::V_2025_11_25),
            },
            Some(v) => {
                let version: ProtocolVersion = serde_json::from_value(serde_json::Value::String(
                    v.to_string(),
                ))
                .map_err(|_| Error::invalid(format!("unknown MCP protocol version '{v}'")))?;
                if version.has_initialize() {
                    ClientLifecycleMode::Initialize
                } else {
                    ClientLifecycleMode::Discover {
                        preferred_versions: vec![version],
                    }
                }
            }
        };
        let started = tokio::time::timeout(
            call_timeout(),
            PatchbayClient {
                relay: opts.relay.clone(),
            }
            .serve_with_lifecycle(transport, lifecycle),
        )
        .await
        .map_err(|_| {
            err(
                ErrorCode::Timeout,
                format!("{} did not finish the MCP handshake in time", action.url),
                "check the server is up, or try again",
            )
        })?;
        started.map_err(|e: ClientInitializeError| classify(action, &e))
    }

    /// The tools an MCP action offers (`tools/list`, every page).
    pub async fn mcp_tools(self: &Arc<Self>, name: &str) -> Result<Vec<ToolInfo>> {
        self.mcp_tools_with(name, &McpOptions::default()).await
    }

    pub async fn mcp_tools_with(
        self: &Arc<Self>,
        name: &str,
        opts: &McpOptions,
    ) -> Result<Vec<ToolInfo>> {
        let action = self.get_action(name)?;
        self.breaker_admit(&action)?;
        let tools = async {
            let conn = self.connect_to(action.clone(), opts).await?;
            let tools = conn.tools().await;
            conn.close().await;
            tools
        }
        .await;
        self.breaker_after(&action, tools.as_ref().err());
        tools
    }

    /// Call one tool of an MCP action.
    pub async fn mcp_call(
        self: &Arc<Self>,
        name: &str,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<CallOutcome> {
        self.mcp_call_with(name, tool, args, &McpOptions::default())
            .await
    }

    pub async fn mcp_call_with(
        self: &Arc<Self>,
        name: &str,
        tool: &str,
        args: Option<serde_json::Map<String, serde_json::Value>>,
        opts: &McpOptions,
    ) -> Result<CallOutcome> {
        let started = Instant::now();
        let action = self.get_action(name)?;
        self.breaker_admit(&action)?;
        let out = async {
            let conn = self.connect_to(action.clone(), opts).await?;
            let out = conn.call(tool, args).await;
            conn.close().await;
            out
        }
        .await;
        self.breaker_after(&action, out.as_ref().err());
        out.map(|o| CallOutcome {
            latency_ms: started.elapsed().as_millis() as i64,
            ..o
        })
    }

    /// An open MCP session with an action, for several requests.
    pub async fn mcp_connect(
        self: &Arc<Self>,
        name: &str,
        opts: &McpOptions,
    ) -> Result<McpConnection> {
        self.connect_to(self.get_action(name)?, opts).await
    }

    pub(super) async fn connect_to(
        self: &Arc<Self>,
        action: ActionView,
        opts: &McpOptions,
    ) -> Result<McpConnection> {
        let session = self.mcp_session(&action, opts).await?;
        Ok(McpConnection {
            pb: self.clone(),
            action,
            session,
        })
    }

    /// Test Connection: for MCP, the handshake and `tools/list`; for HTTP, the configured
    /// request (placeholders empty). Records the health.
    pub async fn test_action(self: &Arc<Self>, name: &str) -> Result<Health> {
        let action = self.get_action(name)?;
        let started = Instant::now();
        if action.kind == ActionKind::Http {
            let health = match self
                .http_request(&action, &serde_json::Map::new(), true, None)
                .await
            {
                Ok(out) => http_action::http_health(&out, self.now()),
                Err(e) if e.code() == ErrorCode::InvalidInput => return Err(e),
                Err(e) => health_of(&e, self.now(), started.elapsed().as_millis() as i64),
            };
            self.record_tested(&action, &health)?;
            return Ok(health);
        }
        let outcome = match self.mcp_session(&action, &McpOptions::default()).await {
            Ok(session) => {
                let tools = session.list_all_tools().await;
                let _ = session.cancel().await;
                tools.map_err(|e| self.after_failure(&action, classify(&action, &e)))
            }
            Err(e) => Err(e),
        };
        let latency = started.elapsed().as_millis() as i64;
        let health = match outcome {
            Ok(tools) => Health {
                status: HealthStatus::Healthy,
                reason: None,
                message: None,
                checked_at: Some(self.now()),
                latency_ms: Some(latency),
                tool_count: Some(tools.len() as i64),
            },
            Err(e) if e.code() == ErrorCode::InvalidInput => return Err(e),
            Err(e) => health_of(&e, self.now(), latency),
        };
        self.record_tested(&action, &health)?;
        Ok(health)
    }

    /// Save a test's health; log the test, and the change when the health changed.
    pub(super) fn record_tested(&self, action: &ActionView, health: &Health) -> Result<()> {
        self.record_health(&action.name, health)?;
        // A test is a probe: it closes an open breaker, or counts as a failure.
        let down = matches!(
            health.reason.as_deref(),
            Some("network" | "tls" | "timeout" | "server_error" | "protocol")
        );
        if health.status == HealthStatus::Healthy {
            self.breaker_record(action, None);
        } else if down {
            self.breaker_record(action, health.reason.as_deref());
        }
        let label = |h: &Health| match &h.reason {
            Some(r) => format!("{} ({r})", h.status.as_str()),
            None => h.status.as_str().to_string(),
        };
        let healthy = health.status == HealthStatus::Healthy;
        self.log(NewLog {
            action_id: Some(&action.id),
            subject: Some(&action.name),
            kind: Some(LogKind::Test),
            ok: healthy,
            latency_ms: health.latency_ms,
            summary: match &health.message {
                Some(m) => format!("test: {}: {m}", label(health)),
                None => format!("test: {}", label(health)),
            },
            response: Some(serde_json::json!({"toolCount": health.tool_count})),
            error_code: health.reason.clone(),
            ..Default::default()
        });
        if action.health.status != health.status || action.health.reason != health.reason {
            self.log(NewLog {
                action_id: Some(&action.id),
                subject: Some(&action.name),
                kind: Some(LogKind::Health),
                ok: healthy,
                summary: format!("health: {} → {}", label(&action.health), label(health)),
                ..Default::default()
            });
        }
        Ok(())
    }
}

/// A routed call in flight: its traffic goes to its route until it ends; one dropped before
/// its answer (cancelled) tells the server so.
struct Entered {
    relay: Arc<Relay>,
    id: rmcp::model::RequestId,
    token: rmcp::model::ProgressToken,
    peer: rmcp::Peer<RoleClient>,
    answered: bool,
}

impl Entered {
    fn new(
        relay: Arc<Relay>,
        handle: &rmcp::service::RequestHandle<RoleClient>,
        route: Route,
        peer: rmcp::Peer<RoleClient>,
    ) -> Self {
        relay.enter(handle.id.clone(), handle.progress_token.clone(), route);
        Entered {
            relay,
            id: handle.id.clone(),
            token: handle.progress_token.clone(),
            peer,
            answered: false,
        }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        self.relay.leave(&self.id, &self.token);
        if !self.answered {
            let peer = self.peer.clone();
            let cancelled = rmcp::model::CancelledNotification::new(
                rmcp::model::CancelledNotificationParam::new(
                    Some(self.id.clone()),
                    Some("the client cancelled the call".into()),
                ),
            );
            drop(tokio::spawn(async move {
                let _ = peer.send_notification(cancelled.into()).await;
            }));
        }
    }
}
