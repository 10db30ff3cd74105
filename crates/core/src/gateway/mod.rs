//! The local gateway: one loopback endpoint for every action (see `GATEWAY.md` in the design
//! notes and ARCHITECTURE.md). So far: its access keys and the tool names of `/mcp`.

pub mod keys;
pub mod names;
pub mod server;
