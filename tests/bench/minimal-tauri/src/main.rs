//! A minimal Tauri 2 app: one window, a static page that renders a short list, and one
//! command, `app_ready`, which writes the milliseconds since start to `PATCHBAY_READY_FILE`
//! (once), exactly like Patchbay's own `app_ready`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::OnceLock;
use std::time::Instant;

struct Started(Instant, OnceLock<u64>);

#[tauri::command]
fn app_ready(state: tauri::State<'_, Started>) -> u64 {
    *state.1.get_or_init(|| {
        let ms = u64::try_from(state.0.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Some(path) = std::env::var_os("PATCHBAY_READY_FILE")
            && let Err(e) = std::fs::write(&path, format!("{ms}\n"))
        {
            eprintln!("minimal-tauri: could not write {}: {e}", path.to_string_lossy());
        }
        ms
    })
}

fn main() {
    let started = Instant::now();
    tauri::Builder::default()
        .manage(Started(started, OnceLock::new()))
        .invoke_handler(tauri::generate_handler![app_ready])
        .run(tauri::generate_context!())
        .expect("error while running the minimal Tauri app");
}
