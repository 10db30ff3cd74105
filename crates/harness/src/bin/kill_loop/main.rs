//! `patchbay-kill-loop PATCHBAY_BIN KILLS [SEED] [GROUPS]` (SEED 0: the default): crash safety (issue 21). Each
//! group (GROUPS, comma-separated, default every one: writes, connect, refresh, import,
//! gateway, proxy, desktop) kills a Patchbay process with SIGKILL at random moments, KILLS
//! times, seeded by SEED (a failing run repeats with its seed), and checks its invariants
//! after each kill and at the end (see each module and docs/crash-safety.md). Prints one
//! JSON line: per group, the kills, how many landed mid-way, the outcomes counted and the
//! failures; exit 1 when any check failed.

mod common;
mod desktop;
mod gateway;
mod import;
mod oauth;
mod proxy;
mod writes;

use std::path::PathBuf;

use common::{Rng, Tally};

const GROUPS: [&str; 7] = [
    "writes", "connect", "refresh", "import", "gateway", "proxy", "desktop",
];

fn usage() -> ! {
    eprintln!(
        "usage: patchbay-kill-loop PATCHBAY_BIN KILLS [SEED] [GROUPS]\n  GROUPS: comma-separated, of {} (default: all)",
        GROUPS.join(", ")
    );
    std::process::exit(2)
}

fn main() {
    // argv: the program, then PATCHBAY_BIN KILLS [SEED] [GROUPS], by position.
    let args: Vec<String> = std::env::args().collect();
    let (Some(bin), Some(kills)) = (args.get(1), args.get(2)) else {
        usage()
    };
    let Ok(kills) = kills.parse::<u32>() else {
        usage()
    };
    // 0 (or none): the default seed.
    let seed = match args.get(3).map(|s| s.parse::<u64>()) {
        None | Some(Ok(0)) => 0x9e37_79b9_7f4a_7c15_u64,
        Some(Err(_)) => usage(),
        Some(Ok(s)) => s,
    };
    let groups: Vec<&str> = match args.get(4).map(String::as_str) {
        None | Some("all") => GROUPS.to_vec(),
        Some(list) => list.split(',').map(str::trim).collect(),
    };
    if let Some(bad) = groups.iter().find(|g| !GROUPS.contains(g)) {
        eprintln!("patchbay-kill-loop: no group {bad:?}");
        usage()
    }
    let bin = PathBuf::from(bin);
    let mut report = serde_json::Map::new();
    let mut ok = true;
    for group in groups {
        // Each group its own stream of the seed (never 0), so one group repeats alone.
        let index = GROUPS.iter().position(|g| *g == group).unwrap_or(0) as u64;
        let mut rng = Rng((seed ^ index.wrapping_mul(0x2545_f491_4f6c_dd1d)) | 1);
        eprintln!("kill-loop: {group}: {kills} kills");
        let tally = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match group {
            "writes" => writes::run(&bin, kills, &mut rng),
            "connect" => oauth::connect_group(&bin, kills, &mut rng),
            "refresh" => oauth::refresh_group(&bin, kills, &mut rng),
            "import" => import::run(&bin, kills, &mut rng),
            "gateway" => gateway::run(&bin, kills, &mut rng),
            "proxy" => proxy::run(&bin, kills, &mut rng),
            _ => desktop::run(&bin, kills, &mut rng),
        }))
        .unwrap_or_else(|_| {
            let mut t = Tally::new();
            t.fail(format!(
                "the {group} group could not run (its set-up failed; see above)"
            ));
            t
        });
        ok &= tally.failures.is_empty();
        eprintln!("kill-loop: {group}: {}", tally.json());
        report.insert(group.to_string(), tally.json());
    }
    println!(
        "{}",
        serde_json::json!({"kills_per_group": kills, "seed": seed, "groups": report})
    );
    std::process::exit(if ok { 0 } else { 1 });
}
