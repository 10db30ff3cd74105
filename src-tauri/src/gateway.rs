//! The local gateway the app serves while it is open and the `gatewayEnabled` setting is on:
//! core binds it ([`Patchbay::bind_gateway`]) and serves it on the app's async runtime; this
//! holds the running task and the way to stop it. The app follows the settings wherever they
//! change (its switch, the Settings screen, `patchbay settings set`): on, off, or a new port.
//! A failed start (the port is busy, `patchbay gateway serve` already serves this profile) is
//! kept for the Gateway screen, and tried again when asked, when the settings change, or (when
//! another process held the gateway) once that process let it go.
//!
//! The gateway gets a context of its own on the profile (its own SQLite connection), as if it
//! ran in another process: the gateway re-reads keys and actions when `PRAGMA data_version`
//! moves, which only another connection's commits do, so a key revoked or an action edited
//! in this window applies to the gateway's next request.

use std::sync::Arc;
use std::time::Duration;

use patchbay_core::{ErrorBody, Patchbay};
use tauri::async_runtime::JoinHandle;
use tokio::sync::{Mutex, oneshot};

/// How long calls in flight get to finish once the gateway is told to stop.
const STOP_WITHIN: Duration = Duration::from_secs(10);

/// How long a stopped gateway's task gets to unwind after it was aborted.
const ABORT_WITHIN: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct GatewayHost {
    inner: Mutex<Inner>,
    /// Why the gateway does not run although it should: its start failed, or it stopped
    /// serving by itself.
    error: Arc<std::sync::Mutex<Option<ErrorBody>>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The gateway's own context on the profile, opened at its first start.
    pb: Option<Arc<Patchbay>>,
    running: Option<Running>,
    /// What was last asked for (`Some(port)`: serve there; `None`: off); `None` at first.
    applied: Option<Option<u16>>,
    /// The last start failed because another process serves this profile's gateway.
    held_elsewhere: bool,
}

#[derive(Debug)]
struct Running {
    port: u16,
    /// Sending (or dropping) it stops the gateway.
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl GatewayHost {
    /// Why the gateway does not run although it should, if that is the case.
    pub fn error(&self) -> Option<ErrorBody> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_error(&self, e: Option<ErrorBody>) {
        *self.error.lock().unwrap_or_else(|p| p.into_inner()) = e;
    }

    /// Serve on `gatewayPort` when `gatewayEnabled` is on, else stop. Nothing happens when
    /// the settings did not change since the last time, unless `retry` (a failed start is
    /// then tried again).
    pub async fn follow(&self, pb: &Arc<Patchbay>, retry: bool) {
        let s = pb.settings();
        let want = s.gateway_enabled.then_some(s.gateway_port);
        let mut inner = self.inner.lock().await;
        if inner
            .running
            .as_ref()
            .is_some_and(|r| r.task.inner().is_finished())
        {
            // It stopped serving by itself; its task kept the reason.
            inner.running = None;
        }
        let serving = inner.running.as_ref().map(|r| r.port);
        if serving.is_some() && serving == want {
            inner.applied = Some(want);
            return;
        }
        if inner.applied == Some(want) && !retry {
            return;
        }
        inner.applied = Some(want);
        inner.held_elsewhere = false;
        if let Some(r) = inner.running.take() {
            stop(r).await;
        }
        self.set_error(None);
        let Some(port) = want else { return };
        let served = match &inner.pb {
            Some(own) => own.clone(),
            None => match Patchbay::open(pb.home()) {
                Ok(own) => inner.pb.insert(Arc::new(own)).clone(),
                Err(e) => return self.set_error(Some(e.body())),
            },
        };
        match served.bind_gateway(port).await {
            Ok(bound) => {
                let (stop_tx, stop_rx) = oneshot::channel::<()>();
                let error = self.error.clone();
                let task = tauri::async_runtime::spawn(async move {
                    let stopped = async move {
                        let _ = stop_rx.await;
                    };
                    if let Err(e) = bound.serve(stopped).await {
                        eprintln!("patchbay: the gateway stopped: {e}");
                        *error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.body());
                    }
                });
                inner.running = Some(Running {
                    port,
                    stop: stop_tx,
                    task,
                });
            }
            Err(e) => {
                inner.held_elsewhere = matches!(served.gateway_serving(), Ok(Some(_)));
                self.set_error(Some(e.body()));
            }
        }
    }

    /// When the last start failed because another process served this profile's gateway and
    /// that process has let it go since, start it now.
    pub async fn take_over(&self, pb: &Arc<Patchbay>) {
        if !self.inner.lock().await.held_elsewhere {
            return;
        }
        if matches!(pb.gateway_serving(), Ok(None)) {
            self.follow(pb, true).await;
        }
    }

    /// Stop the gateway if it runs (the app quits): calls in flight get [`STOP_WITHIN`].
    pub async fn stop(&self) {
        let running = self.inner.lock().await.running.take();
        if let Some(r) = running {
            stop(r).await;
        }
    }
}

/// Tell the gateway to stop and wait for it, bounded; past the bound its task is aborted
/// (which drops its connections and its lock).
async fn stop(r: Running) {
    let Running { stop, mut task, .. } = r;
    let _ = stop.send(());
    if tokio::time::timeout(STOP_WITHIN, &mut task).await.is_err() {
        eprintln!(
            "patchbay: the gateway's connections did not close within {} s; stopping it anyway",
            STOP_WITHIN.as_secs()
        );
        task.abort();
        let _ = tokio::time::timeout(ABORT_WITHIN, &mut task).await;
    }
}
