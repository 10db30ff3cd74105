//! The local gateway: one loopback endpoint for every action (see `GATEWAY.md` in the design
//! notes and ARCHITECTURE.md). Its access keys, the tool names of `/mcp`, the HTTP server, and the upstream sessions it
//! shares between clients.

mod authz;
pub mod clients;
pub mod keys;
pub mod names;
pub mod server;
mod upstream;
