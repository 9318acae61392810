//! What the browser and the server share: the API's types, routes and error codes, and
//! (in `pki`) the browser's crypto. Nothing here does I/O, so it builds for wasm32 and natively.

pub mod api;
pub mod pki;
