// Commands are declared here so the capability in tauri.conf.json gates each one.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(
            tauri_build::AppManifest::new().commands(&["list_actions", "app_status"]),
        ),
    )
    .expect("tauri-build failed: check tauri.conf.json and the icons folder");
}
