//! The real desktop window, end to end: the built app under Xvfb, driven through tauri-driver
//! and WebKitWebDriver, over a temp PATCHBAY_HOME that the real CLI writes to.

mod support;

mod charts;
mod consent;
mod desktop;
mod device;
mod doctor;
mod gateway;
mod import;
mod notify;
mod tray;
mod window;
