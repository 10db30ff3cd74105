//! One-line adapters from `invoke` to core. No logic lives here.

use patchbay_core::ErrorBody;
use patchbay_core::model::{ActionView, AppStatus};
use tauri::State;

use crate::Shell;

#[tauri::command]
pub async fn list_actions(shell: State<'_, Shell>) -> Result<Vec<ActionView>, ErrorBody> {
    shell.run(|pb| pb.list_actions()).await
}

#[tauri::command]
pub async fn app_status(shell: State<'_, Shell>) -> Result<AppStatus, ErrorBody> {
    shell.run(|pb| Ok(pb.status())).await
}
