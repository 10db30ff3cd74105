// Commands are declared here so the capability in tauri.conf.json gates each one.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "list_actions",
            "app_status",
            "save_action",
            "set_action_enabled",
            "remove_action",
            "test_action",
            "connect",
            "cancel_connect",
            "oauth_status",
            "disconnect",
            "list_connections",
            "save_connection",
            "remove_connection",
            "callback_urls",
            "list_tokens",
            "save_text_token",
            "test_http_token_form",
            "add_http_token",
            "edit_http_token",
            "test_token",
            "remove_token",
            "pending_approvals",
            "decide_approval",
            "approval_counts",
            "export_preview",
            "export_write",
            "list_providers",
            "list_logs",
        ]),
    ))
    .expect("tauri-build failed: check tauri.conf.json and the icons folder");
}
