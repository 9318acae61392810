//! certdesk's integration tests: the real server on 127.0.0.1, the real browser through
//! chromedriver, and the real command-line tools. One binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod ca;
mod cli;
mod collect_again;
mod desk;
mod e2e;
mod lifecycle;
mod mail;
mod operators;
mod pki;
mod requests;
mod roles;
mod support;
mod web;
