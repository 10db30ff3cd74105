//! The keychain under Patchbay's real access pattern at its busiest: many processes of a
//! few profiles writing, reading, searching and deleting at once (`patchbay-vault-stress`),
//! against a gnome-keyring of its own (scripts/with-keyring.sh, nested), so a crash shows
//! here with the daemon's log instead of taking the rest of the run's keychain down.

use std::time::Duration;

use serde_json::Value;

#[test]
fn many_processes_at_the_keychain_at_once_leave_the_secret_service_alive_and_lose_nothing() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let stress = crate::support::harness_bin("patchbay-vault-stress");
    let out = patchbay_testsupport::run(
        std::process::Command::new(root.join("scripts/with-keyring.sh"))
            .arg(&stress)
            .args(["--procs", "8", "--threads", "4", "--rounds", "8"])
            .args(["--profiles", "2"])
            // A bus and daemon of its own.
            .env_remove("PATCHBAY_PRIVATE_BUS"),
        Duration::from_secs(300),
        "patchbay-vault-stress (8 processes x 4 threads on 2 profiles)",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        out.status.code(),
        Some(75),
        "gnome-keyring died under Patchbay's access pattern:\n{stderr}"
    );
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no JSON report; stdout: {stdout}\nstderr: {stderr}"));
    assert_eq!(report["ok"], true, "{report}\nstderr: {stderr}");
    assert_eq!(
        report["locked"], true,
        "the profile's keychain lock was used"
    );
    // Every operation of every thread ran: 8 x 4 x 8 rounds x 6 operations.
    assert_eq!(report["ops"], 8 * 4 * 8 * 6, "{report}");
    assert_eq!(report["wrongReads"], 0, "{report}");
    assert_eq!(
        report["probeErrors"],
        serde_json::json!({}),
        "the status probe never failed: {report}"
    );
    assert!(out.status.success(), "{report}\nstderr: {stderr}");
}
