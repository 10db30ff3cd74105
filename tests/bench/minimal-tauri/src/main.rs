//! A minimal Tauri 2 app: one window, a static page that renders a short list, and one
//! command, `app_ready`, which writes the milliseconds since start to `PATCHBAY_READY_FILE`
//! (once), with the same start-up breakdown as Patchbay's own `app_ready` (the phases a
//! minimal app has: `window`, `setup`, `page`, `script`, `listed`, `painted`; its setup hook
//! does nothing else, so `window` and `setup` are the same moment).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

use tauri::Manager;

struct Started {
    at: Instant,
    ready_ms: OnceLock<u64>,
    setup_ms: OnceLock<u64>,
}

fn ms_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[tauri::command]
fn app_ready(state: tauri::State<'_, Started>, marks: Option<HashMap<String, f64>>) -> u64 {
    *state.ready_ms.get_or_init(|| {
        let ms = ms_since(state.at);
        let mark = |k: &str| marks.as_ref().and_then(|m| m.get(k).copied());
        let setup = state.setup_ms.get().map_or("null".into(), u64::to_string);
        let mut phases = vec![("window", setup.clone()), ("setup", setup)];
        if let Some(now) = mark("now").filter(|n| *n >= 0.0 && *n <= ms as f64) {
            let page = ms as f64 - now;
            let at =
                |k: &str| mark(k).map_or("null".into(), |x| format!("{:.0}", page + x.min(now)));
            phases.push(("page", format!("{page:.0}")));
            phases.push(("script", at("script")));
            phases.push(("listed", at("listed")));
        }
        phases.push(("painted", ms.to_string()));
        let phases: Vec<String> = phases.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        if let Some(path) = std::env::var_os("PATCHBAY_READY_FILE")
            && let Err(e) = std::fs::write(
                &path,
                format!("{{\"ms\":{ms},\"phases\":{{{}}}}}\n", phases.join(",")),
            )
        {
            eprintln!(
                "minimal-tauri: could not write {}: {e}",
                path.to_string_lossy()
            );
        }
        ms
    })
}

fn main() {
    let at = Instant::now();
    tauri::Builder::default()
        .manage(Started {
            at,
            ready_ms: OnceLock::new(),
            setup_ms: OnceLock::new(),
        })
        .invoke_handler(tauri::generate_handler![app_ready])
        .setup(|app| {
            let started = app.state::<Started>();
            started.setup_ms.get_or_init(|| ms_since(started.at));
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running the minimal Tauri app");
}
