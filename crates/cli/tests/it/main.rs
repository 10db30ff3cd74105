//! The `patchbay` CLI as a user meets it: the real binary over a temp PATCHBAY_HOME, the real
//! Secret Service (scripts/with-keyring.sh) and real OAuth and MCP servers on 127.0.0.1
//! (`tests/servers`). One test binary; one module per area.

mod support;

mod cli;
mod device;
mod doctor;
mod dpop;
mod enterprise;
mod export;
mod gateway;
mod grants;
mod import;
mod keychain;
mod lifecycle;
mod oauth;
mod providers;
mod proxy;
mod runtime;
mod settings;
