#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
fn main() {
    // First, while this is the only thread: it may set an environment variable for WebKit.
    patchbay_desktop::rendering::prefer_cpu_painting_without_gpu();
    patchbay_desktop::run()
}
