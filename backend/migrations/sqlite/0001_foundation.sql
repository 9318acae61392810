-- Users, sign-in tokens, sessions, rate-limit events, the mail outbox and the audit log.
-- Times are seconds since the Unix epoch.

CREATE TABLE users (
    email      TEXT PRIMARY KEY NOT NULL,
    role       TEXT NOT NULL DEFAULT 'requester' CHECK (role IN ('requester', 'desk', 'admin')),
    language   TEXT NOT NULL DEFAULT 'en',
    created_at INTEGER NOT NULL
);

-- Only the SHA-256 of a token is kept.
CREATE TABLE signin_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    email      TEXT NOT NULL,
    language   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX signin_tokens_expires ON signin_tokens (expires_at);

-- Only the SHA-256 of a session id is kept.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY NOT NULL,
    email      TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    client     TEXT NOT NULL
);
CREATE INDEX sessions_email ON sessions (email);

CREATE TABLE rate_events (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket TEXT NOT NULL,
    at     INTEGER NOT NULL
);
CREATE INDEX rate_events_bucket_at ON rate_events (bucket, at);

-- The complete message is stored when the change that causes it commits; a worker delivers it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    sender          TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    message         BLOB NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     INTEGER,
    sent_at         INTEGER,
    failed_at       INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, failed_at, next_attempt_at);

-- One row: the sequence number and hash of the newest audit entry. Updating it first
-- serialises writers, so the chain never forks.
CREATE TABLE audit_head (
    one       INTEGER PRIMARY KEY NOT NULL CHECK (one = 1),
    seq       INTEGER NOT NULL,
    head_hash TEXT NOT NULL
);
INSERT INTO audit_head (one, seq, head_hash) VALUES (1, 0, '');

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY NOT NULL,
    at        INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    client    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
