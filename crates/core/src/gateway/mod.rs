//! The local gateway: one loopback endpoint for every action (see `GATEWAY.md` in the design
//! notes and ARCHITECTURE.md). Its access keys, the tool names of `/mcp`, the HTTP server, and the upstream sessions it
//! shares between clients.

mod authz;
mod cimd;
mod client_form;
pub mod clients;
mod consent;
#[cfg(test)]
mod fuzz;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod fuzz_entry;
pub mod keys;
pub mod names;
mod register;
pub mod server;
mod upstream;
