//! `patchbay-bench-calls ACTION N`: Patchbay's added latency and throughput on `tools/call`,
//! side by side in one run. The same MCP server and the same access token:
//! - direct: rmcp's own Streamable HTTP client with the bearer token fixed in its config;
//! - patchbay: `McpConnection::call`, which fetches the action's credential for every request
//!   (refresh single-flight, keychain) and logs every call.
//!
//! - gateway (when `GATEWAY_URL` and `GATEWAY_KEY` are set): rmcp's client against
//!   `patchbay gateway serve` with an access key, calling `ACTION__echo`.
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

/// rmcp's client with a fixed bearer token: N sequential calls of `tool`, then N over 16
/// concurrent callers. (latencies ms, sequential total ms, concurrent total ms)
async fn rmcp_side(
    url: &str,
    bearer: &str,
    tool: &str,
    n: usize,
) -> Result<(Vec<f64>, f64, f64), Box<dyn std::error::Error>> {
    let transport = StreamableHttpClientTransport::with_client(
        reqwest013::Client::new(),
        StreamableHttpClientTransportConfig::with_uri(url.to_string())
            .auth_header(bearer.to_string()),
    );
    let client = ().serve(transport).await?;
    let call = |tool: String| {
        let mut p = CallToolRequestParams::new(tool);
        p.arguments = Some(args());
        p
    };
    let mut lat = Vec::with_capacity(n);
    let t = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        client.call_tool(call(tool.to_string())).await?;
        lat.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    let total = t.elapsed().as_secs_f64() * 1000.0;
    let client = Arc::new(client);
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let c = client.clone();
        let per = n / 16;
        let p = call(tool.to_string());
        tasks.push(tokio::spawn(async move {
            for _ in 0..per {
                let _ = c.call_tool(p.clone()).await;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    Ok((lat, total, t.elapsed().as_secs_f64() * 1000.0))
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
    let (direct_lat, direct_total, direct_conc) =
        rmcp_side(&url, token.expose_secret(), "echo", n).await?;
    let mut direct_lat = direct_lat;

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
    let mut out = serde_json::json!({
        "calls": n,
        "direct": summary(&mut direct_lat, direct_total, direct_conc, n / 16 * 16),
        "patchbay": summary(&mut pb_lat, pb_total, pb_conc, n / 16 * 16),
    });
    if let (Ok(gw), Ok(key)) = (std::env::var("GATEWAY_URL"), std::env::var("GATEWAY_KEY")) {
        let tool = format!("{action}__echo");
        let (mut lat, total, conc) = rmcp_side(&gw, &key, &tool, n).await?;
        out["gateway"] = summary(&mut lat, total, conc, n / 16 * 16);
    }
    println!("{out}");
    Ok(())
}
