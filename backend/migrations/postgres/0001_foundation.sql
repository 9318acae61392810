-- Users, sign-in tokens, sessions, rate-limit events, the mail outbox and the audit log.
-- Times are seconds since the Unix epoch.

CREATE TABLE users (
    email      TEXT PRIMARY KEY NOT NULL,
    role       TEXT NOT NULL DEFAULT 'requester' CHECK (role IN ('requester', 'desk', 'admin')),
    language   TEXT NOT NULL DEFAULT 'en',
    created_at BIGINT NOT NULL
);

-- Only the SHA-256 of a token is kept.
CREATE TABLE signin_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    email      TEXT NOT NULL,
    language   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX signin_tokens_expires ON signin_tokens (expires_at);

-- Only the SHA-256 of a session id is kept.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY NOT NULL,
    email      TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    client     TEXT NOT NULL
);
CREATE INDEX sessions_email ON sessions (email);

CREATE TABLE rate_events (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX rate_events_bucket_at ON rate_events (bucket, at);

-- The complete message is stored when the change that causes it commits; a worker delivers it.
CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender          TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    message         BYTEA NOT NULL,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     BIGINT,
    sent_at         BIGINT,
    failed_at       BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (sent_at, failed_at, next_attempt_at);

-- One row: the sequence number and hash of the newest audit entry. Updating it first
-- serialises writers, so the chain never forks.
CREATE TABLE audit_head (
    one       BIGINT PRIMARY KEY NOT NULL CHECK (one = 1),
    seq       BIGINT NOT NULL,
    head_hash TEXT NOT NULL
);
INSERT INTO audit_head (one, seq, head_hash) VALUES (1, 0, '');

CREATE TABLE audit_log (
    id        BIGINT PRIMARY KEY NOT NULL,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    client    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
