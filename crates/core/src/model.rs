//! The wire types live in the `patchbay-model` crate (no I/O, at the bottom of everything);
//! core names them as `crate::model::*`.

pub use patchbay_model::*;
