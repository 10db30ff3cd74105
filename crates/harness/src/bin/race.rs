//! `patchbay-race ACTION USERS [START_AT_UNIX_MS]`: USERS concurrent users of one action's
//! access token in this process, all asking at once (at START_AT_UNIX_MS when given, so
//! several processes can start together). Prints one JSON line: how many succeeded, the
//! error codes of the rest, a fingerprint of each distinct token seen (never a token), and
//! the wall time. Uses the profile in PATCHBAY_HOME, like the CLI.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use patchbay_core::{ExposeSecret, Kind, Patchbay};

fn usage() -> ! {
    eprintln!("usage: patchbay-race ACTION USERS [START_AT_UNIX_MS]");
    std::process::exit(2)
}

fn fingerprint(token: &str) -> String {
    let mut h = DefaultHasher::new();
    token.hash(&mut h);
    format!("{:016x}", h.finish())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(action), Some(users)) = (args.first(), args.get(1)) else {
        usage()
    };
    let Ok(users) = users.parse::<usize>() else {
        usage()
    };
    let start_at = args
        .get(2)
        .map(|s| s.parse::<u128>().unwrap_or_else(|_| usage()));
    let pb = match Patchbay::open_default() {
        Ok(p) => Arc::new(p),
        Err(e) => {
            eprintln!("patchbay-race: {e}");
            std::process::exit(1)
        }
    };
    if let Some(at) = start_at {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0);
        if at > now {
            tokio::time::sleep(Duration::from_millis((at - now) as u64)).await;
        }
    }
    let started = Instant::now();
    let barrier = Arc::new(tokio::sync::Barrier::new(users));
    let mut tasks = Vec::with_capacity(users);
    for _ in 0..users {
        let pb = pb.clone();
        let barrier = barrier.clone();
        let action = action.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            pb.access_token(Kind::Action, &action)
                .await
                .map(|t| fingerprint(t.expose_secret()))
                .map_err(|e| {
                    serde_json::to_value(e.code())
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                })
        }));
    }
    let mut ok = 0;
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut tokens: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        match t.await {
            Ok(Ok(fp)) => {
                ok += 1;
                *tokens.entry(fp).or_default() += 1;
            }
            Ok(Err(code)) => *errors.entry(code).or_default() += 1,
            Err(e) => *errors.entry(format!("panic: {e}")).or_default() += 1,
        }
    }
    let out = serde_json::json!({
        "users": users,
        "ok": ok,
        "errors": errors,
        "tokens": tokens,
        "ms": started.elapsed().as_secs_f64() * 1000.0,
    });
    println!("{out}");
}
