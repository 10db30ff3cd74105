//! patchbay-core through its public API: the desktop forms, the store and the vault over the
//! real Secret Service, and the structure rules (imports only go down, one env module).

mod support;

mod first_token;
mod forms;
mod store_and_vault;
mod structure;
