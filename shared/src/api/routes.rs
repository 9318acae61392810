//! Route paths, one constant each, so the server's router and the browser's client cannot drift.

/// Liveness and readiness: version and whether the database answers.
pub const HEALTH: &str = "/api/health";

/// Prefix of every API route; anything else below it is an unknown API path, never the web app.
pub const API_PREFIX: &str = "/api/";
