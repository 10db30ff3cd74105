//! `patchbay-bench-calls ACTION N`: Patchbay's added latency and throughput on `tools/call`,
//! side by side in one run. The same MCP server and the same access token:
//! - direct: rmcp's own Streamable HTTP client with the bearer token fixed in its config;
//! - patchbay: `McpConnection::call`, which fetches the action's credential for every request
//!   (refresh single-flight, keychain) and logs every call.
//!
//! N sequential calls of `echo` each (p50 / p99), then N calls spread over 16 concurrent
//! callers on one session (calls per second). Prints one JSON object.

use std::sync::Arc;
use std::time::Instant;

use patchbay_core::runtime::McpOptions;
use patchbay_core::{ExposeSecret, Kind, Patchbay};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn args() -> serde_json::Map<String, serde_json::Value> {
    serde_json::json!({"text": "bench"})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn summary(lat: &mut [f64], total_ms: f64, concurrent_ms: f64, n: usize) -> serde_json::Value {
    lat.sort_by(|a, b| a.total_cmp(b));
    serde_json::json!({
        "p50_ms": pct(lat, 0.5),
        "p99_ms": pct(lat, 0.99),
        "sequential_total_ms": total_ms,
        "concurrent16_calls_per_s": n as f64 / (concurrent_ms / 1000.0),
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let (Some(action), Some(n)) = (a.first(), a.get(1).and_then(|n| n.parse::<usize>().ok()))
    else {
        eprintln!("usage: patchbay-bench-calls ACTION N");
        std::process::exit(2)
    };
    let pb = Arc::new(Patchbay::open_default()?);
    let url = pb.get_action(action)?.url;
    let token = pb.access_token(Kind::Action, action).await?;

    // direct: rmcp with a fixed bearer token
    let transport = StreamableHttpClientTransport::with_client(
        reqwest013::Client::new(),
        StreamableHttpClientTransportConfig::with_uri(url.clone())
            .auth_header(token.expose_secret().to_string()),
    );
    let direct = ().serve(transport).await?;
    let mut direct_lat = Vec::with_capacity(n);
    let t = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        let mut p = CallToolRequestParams::new("echo");
        p.arguments = Some(args());
        direct.call_tool(p).await?;
        direct_lat.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    let direct_total = t.elapsed().as_secs_f64() * 1000.0;
    let direct = Arc::new(direct);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let d = direct.clone();
        let per = n / 16;
        tasks.push(tokio::spawn(async move {
            for _ in 0..per {
                let mut p = CallToolRequestParams::new("echo");
                p.arguments = Some(args());
                let _ = d.call_tool(p).await;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let direct_conc = t.elapsed().as_secs_f64() * 1000.0;

    // patchbay: the action's session, credentials per request, every call logged
    let conn = Arc::new(pb.mcp_connect(action, &McpOptions::default()).await?);
    let mut pb_lat = Vec::with_capacity(n);
    let t = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        conn.call("echo", Some(args())).await?;
        pb_lat.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    let pb_total = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let c = conn.clone();
        let per = n / 16;
        tasks.push(tokio::spawn(async move {
            for _ in 0..per {
                let _ = c.call("echo", Some(args())).await;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let pb_conc = t.elapsed().as_secs_f64() * 1000.0;
    let out = serde_json::json!({
        "calls": n,
        "direct": summary(&mut direct_lat, direct_total, direct_conc, n / 16 * 16),
        "patchbay": summary(&mut pb_lat, pb_total, pb_conc, n / 16 * 16),
    });
    println!("{out}");
    Ok(())
}
