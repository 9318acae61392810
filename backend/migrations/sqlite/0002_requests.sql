-- Certificate requests and what surrounds them: role and group mailboxes with their owners,
-- verified identities with the evidence behind them, issuance jobs, certificates, CRLs and
-- the CA's own keys. Times are seconds since the Unix epoch.

-- Role and group mailboxes an administrator registered, and who may request for them.
CREATE TABLE mailboxes (
    address      TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('role', 'group')),
    display_name TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE TABLE mailbox_owners (
    address TEXT NOT NULL REFERENCES mailboxes (address) ON DELETE CASCADE,
    owner   TEXT NOT NULL,
    PRIMARY KEY (address, owner)
);
CREATE INDEX mailbox_owners_owner ON mailbox_owners (owner);

-- What an officer saw when checking a person's identity document.
CREATE TABLE evidence (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    email             TEXT NOT NULL,
    method            TEXT NOT NULL CHECK (method IN ('in_person', 'video_call')),
    document_type     TEXT NOT NULL,
    issuing_authority TEXT NOT NULL,
    issuing_country   TEXT NOT NULL,
    document_number   TEXT NOT NULL,
    document_expiry   TEXT NOT NULL,
    name_on_document  TEXT NOT NULL,
    given_name        TEXT NOT NULL,
    surname           TEXT NOT NULL,
    officer           TEXT NOT NULL,
    checked_at        INTEGER NOT NULL,
    recorded_at       INTEGER NOT NULL
);
CREATE INDEX evidence_email ON evidence (email, checked_at);

-- A person's vetted name and when it was verified (by the desk or an imported list).
CREATE TABLE identities (
    email       TEXT PRIMARY KEY NOT NULL,
    given_name  TEXT NOT NULL,
    surname     TEXT NOT NULL,
    verified_at INTEGER NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('desk', 'import')),
    evidence_id INTEGER REFERENCES evidence (id)
);

-- A certificate request. `given_name`/`surname` (personal) are the names for the
-- certificate: as the requester typed them until approval, then as vetted (the identity's).
-- `display_name` (role, group) is the mailbox's registered name at intake. `vetting` says
-- how it was approved: 'desk' (evidence recorded for it), 'reuse' (earlier evidence still
-- valid), 'import' (an imported verified identity) or 'skipped' (skip_identity_check).
CREATE TABLE requests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT NOT NULL UNIQUE,
    requester    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('personal', 'role', 'group')),
    state        TEXT NOT NULL CHECK (state IN ('submitted', 'awaiting_identity_check',
                     'approved', 'issued', 'collected', 'rejected', 'withdrawn', 'expired',
                     'revoked')),
    given_name   TEXT,
    surname      TEXT,
    display_name TEXT,
    key_type     TEXT NOT NULL,
    csr          BLOB NOT NULL,
    vetting      TEXT CHECK (vetting IN ('desk', 'reuse', 'import', 'skipped')),
    evidence_id  INTEGER REFERENCES evidence (id),
    decided_by   TEXT,
    decided_at   INTEGER,
    reason       TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
-- The desk's queue walks these in (created_at, id) order, the keyset of its pages.
CREATE INDEX requests_queue ON requests (state, created_at, id);
CREATE INDEX requests_kind ON requests (kind, created_at, id);
CREATE INDEX requests_created ON requests (created_at, id);
CREATE INDEX requests_requester ON requests (requester, created_at);

-- The addresses a request covers, in the order they go into the certificate.
CREATE TABLE request_addresses (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    address    TEXT NOT NULL,
    PRIMARY KEY (request_id, position)
);
CREATE INDEX request_addresses_address ON request_addresses (address);

-- The desk's search: lower-case words that a search word must begin (the code, each
-- address and its local part, the names), so a prefix search is an index range.
CREATE TABLE request_terms (
    term       TEXT NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    PRIMARY KEY (term, request_id)
);

-- Issuance, recorded before it starts: at most one job, and one certificate, per request.
CREATE TABLE issue_jobs (
    request_id      INTEGER PRIMARY KEY NOT NULL REFERENCES requests (id),
    issuer          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    -- An upstream CA's order reference, stored before waiting for it.
    upstream_ref    TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX issue_jobs_due ON issue_jobs (state, next_attempt_at);

CREATE TABLE certificates (
    serial             TEXT PRIMARY KEY NOT NULL,
    request_id         INTEGER NOT NULL UNIQUE REFERENCES requests (id),
    der                BLOB NOT NULL,
    chain_pem          TEXT NOT NULL,
    not_before         INTEGER NOT NULL,
    not_after          INTEGER NOT NULL,
    -- Only the SHA-256 of the mailed collect link's token is kept.
    collect_token_hash TEXT NOT NULL UNIQUE,
    collected_at       INTEGER,
    revoked_at         INTEGER,
    revocation_reason  TEXT,
    revoked_by         TEXT
);
CREATE INDEX certificates_revoked ON certificates (revoked_at);

-- The newest CRL of each CA certificate, re-signed on revocation and at least daily.
CREATE TABLE crls (
    ca          TEXT PRIMARY KEY NOT NULL,
    number      INTEGER NOT NULL,
    der         BLOB NOT NULL,
    this_update INTEGER NOT NULL,
    next_update INTEGER NOT NULL
);

-- The built-in CA's certificates and passphrase-encrypted keys, in the database so that
-- several instances share them and one backup holds everything. An imported root may come
-- without its key (it stays offline; then its CRL is published elsewhere).
CREATE TABLE ca_keys (
    name          TEXT PRIMARY KEY NOT NULL CHECK (name IN ('root', 'issuing')),
    certificate   BLOB NOT NULL,
    encrypted_key TEXT,
    created_at    INTEGER NOT NULL
);
