//! Certificate requests, their addresses and search terms, and the desk's queue query.

use std::collections::HashMap;

use shared::api::{CertificateSummary, RequestKind, RequestState, RequestView, RevocationReason};
use shared::pki::KeyType;
use sqlx::Row;

use super::{Backend, Conn, Store, to_u32};
use crate::Result;
use crate::domain::UnixTime;
use crate::domain::requests::queue::QueueFilter;

/// A request as stored, without its CSR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub view: RequestView,
    pub vetting: Option<String>,
    pub evidence_id: Option<i64>,
}

/// A request to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequestRow<'a> {
    pub code: &'a str,
    pub requester: &'a str,
    pub kind: RequestKind,
    pub state: RequestState,
    pub given_name: Option<&'a str>,
    pub surname: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub key_type: KeyType,
    pub csr_der: &'a [u8],
    pub addresses: &'a [String],
    pub terms: &'a [String],
    pub now: UnixTime,
}

/// Inserts a request with its addresses and search terms. `None` if the code is taken (the
/// caller draws another).
pub async fn insert(conn: &mut Conn, r: &NewRequestRow<'_>) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO requests (code, requester, kind, state, given_name, surname, display_name, \
         key_type, csr, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (code) DO NOTHING RETURNING id",
    )
    .bind(r.code)
    .bind(r.requester)
    .bind(r.kind.as_str())
    .bind(r.state.as_str())
    .bind(r.given_name)
    .bind(r.surname)
    .bind(r.display_name)
    .bind(r.key_type.as_str())
    .bind(r.csr_der.to_vec())
    .bind(r.now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    for (position, address) in r.addresses.iter().enumerate() {
        sqlx::query(
            "INSERT INTO request_addresses (request_id, position, address) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(address)
        .execute(&mut *conn)
        .await?;
    }
    for term in r.terms {
        sqlx::query("INSERT INTO request_terms (term, request_id) VALUES ($1, $2)")
            .bind(term)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(id))
}

const COLUMNS: &str = "r.id, r.code, r.kind, r.state, r.requester, r.given_name, r.surname, \
     r.display_name, r.key_type, r.created_at, r.updated_at, r.decided_at, r.decided_by, \
     r.reason, r.vetting, r.evidence_id";

fn row_to_request(row: &sqlx::any::AnyRow) -> Result<RequestRow> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let key_type: String = row.try_get("key_type")?;
    // The columns' CHECK constraints and intake admit only known names.
    let view = RequestView {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        kind: RequestKind::parse(&kind).unwrap_or(RequestKind::Personal),
        state: RequestState::parse(&state).unwrap_or(RequestState::Submitted),
        requester: row.try_get("requester")?,
        addresses: Vec::new(),
        given_name: row.try_get("given_name")?,
        surname: row.try_get("surname")?,
        display_name: row.try_get("display_name")?,
        key_type: key_type.parse().unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        decided_at: row.try_get("decided_at")?,
        decided_by: row.try_get("decided_by")?,
        reason: row.try_get("reason")?,
        certificate: None,
    };
    Ok(RequestRow {
        view,
        vetting: row.try_get("vetting")?,
        evidence_id: row.try_get("evidence_id")?,
    })
}

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads rows and fills in their addresses and certificates with two more queries.
async fn with_addresses(conn: &mut Conn, rows: &[sqlx::any::AnyRow]) -> Result<Vec<RequestRow>> {
    let mut out = rows
        .iter()
        .map(row_to_request)
        .collect::<Result<Vec<_>>>()?;
    if out.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT request_id, address FROM request_addresses WHERE request_id IN ({}) \
         ORDER BY request_id, position",
        placeholders(out.len())
    );
    let mut query = sqlx::query(&sql);
    for r in &out {
        query = query.bind(r.view.id);
    }
    let mut by_id: HashMap<i64, Vec<String>> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        by_id
            .entry(row.try_get("request_id")?)
            .or_default()
            .push(row.try_get("address")?);
    }
    for r in &mut out {
        r.view.addresses = by_id.remove(&r.view.id).unwrap_or_default();
    }
    let mut certificates = certificates_of(conn, &out).await?;
    for r in &mut out {
        r.view.certificate = certificates.remove(&r.view.id);
    }
    Ok(out)
}

/// The certificates of `requests` (at most one each), by request id. A separate query, so
/// the queue's plan stays a walk over the requests' own indexes.
async fn certificates_of(
    conn: &mut Conn,
    requests: &[RequestRow],
) -> Result<HashMap<i64, CertificateSummary>> {
    let sql = format!(
        "SELECT request_id, serial, not_before, not_after, collected_at, revoked_at, \
         revocation_reason FROM certificates WHERE request_id IN ({})",
        placeholders(requests.len())
    );
    let mut query = sqlx::query(&sql);
    for r in requests {
        query = query.bind(r.view.id);
    }
    let mut by_id = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        let reason: Option<String> = row.try_get("revocation_reason")?;
        by_id.insert(
            row.try_get("request_id")?,
            CertificateSummary {
                serial: row.try_get("serial")?,
                not_before: row.try_get("not_before")?,
                not_after: row.try_get("not_after")?,
                collected_at: row.try_get("collected_at")?,
                revoked_at: row.try_get("revoked_at")?,
                revocation_reason: reason.as_deref().and_then(RevocationReason::parse),
            },
        );
    }
    Ok(by_id)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<RequestRow>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM requests r WHERE r.id = $1"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(with_addresses(conn, &rows).await?.pop())
}

/// A requester's own requests, newest first.
pub async fn by_requester(conn: &mut Conn, requester: &str) -> Result<Vec<RequestRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM requests r WHERE r.requester = $1 \
         ORDER BY r.created_at DESC, r.id DESC"
    ))
    .bind(requester)
    .fetch_all(&mut *conn)
    .await?;
    with_addresses(conn, &rows).await
}

/// The states that count as open, as SQL text (fixed names, no input).
fn open_states_sql() -> String {
    RequestState::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Locks the requester's user row until the transaction ends, so two requests sent at the
/// same moment are counted one after the other against the open-request limit (PostgreSQL
/// takes a row lock; SQLite's write transaction is exclusive anyway).
pub async fn lock_requester(conn: &mut Conn, requester: &str) -> Result<()> {
    sqlx::query("UPDATE users SET role = role WHERE email = $1")
        .bind(requester)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many of a person's requests are still open.
pub async fn count_open(conn: &mut Conn, requester: &str) -> Result<u32> {
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM requests WHERE requester = $1 AND state IN ({})",
        open_states_sql()
    ))
    .bind(requester)
    .fetch_one(conn)
    .await?;
    Ok(to_u32(n))
}

/// A change of state with what the decision records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Change<'a> {
    pub vetting: Option<&'a str>,
    pub evidence_id: Option<i64>,
    pub decided_by: Option<&'a str>,
    pub reason: Option<&'a str>,
    /// The vetted names, replacing what was typed.
    pub names: Option<(&'a str, &'a str)>,
}

/// Moves a request from `from` to `to`, recording the decision's fields that are given.
/// False if the request was no longer in `from` (someone else was quicker).
pub async fn change_state(
    conn: &mut Conn,
    id: i64,
    from: RequestState,
    to: RequestState,
    change: &Change<'_>,
    now: UnixTime,
) -> Result<bool> {
    let decided = change.decided_by.is_some();
    let (given, surname) = change.names.unzip();
    let done = sqlx::query(
        "UPDATE requests SET state = $1, updated_at = $2, \
         vetting = COALESCE($3, vetting), evidence_id = COALESCE($4, evidence_id), \
         decided_by = COALESCE($5, decided_by), \
         decided_at = CASE WHEN $6 THEN $2 ELSE decided_at END, \
         reason = COALESCE($7, reason), \
         given_name = COALESCE($8, given_name), surname = COALESCE($9, surname) \
         WHERE id = $10 AND state = $11",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(change.vetting)
    .bind(change.evidence_id)
    .bind(change.decided_by)
    .bind(decided)
    .bind(change.reason)
    .bind(given)
    .bind(surname)
    .bind(id)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Requests waiting for their identity check since before `created_before`, oldest first.
pub async fn waiting_since_before(
    conn: &mut Conn,
    created_before: UnixTime,
    limit: i64,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM requests WHERE state = 'awaiting_identity_check' AND created_at < $1 \
         ORDER BY created_at, id LIMIT $2",
    )
    .bind(created_before)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// A value bound into the queue query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Param {
    Int(i64),
    Text(String),
}

/// The queue query for `filter`: one page plus one row (which says whether there is a next
/// page). Only `(created_at, id)` orders it, so an index on the filtered column followed by
/// `(created_at, id)` answers it without sorting.
fn queue_sql(filter: &QueueFilter) -> (String, Vec<Param>) {
    let mut params = Vec::new();
    let mut next = |p: Param| {
        params.push(p);
        format!("${}", params.len())
    };
    let mut conditions = Vec::new();
    if let Some(state) = filter.state {
        conditions.push(format!(
            "r.state = {}",
            next(Param::Text(state.as_str().into()))
        ));
    }
    if let Some(kind) = filter.kind {
        conditions.push(format!(
            "r.kind = {}",
            next(Param::Text(kind.as_str().into()))
        ));
    }
    if let Some(from) = filter.created_from {
        conditions.push(format!("r.created_at >= {}", next(Param::Int(from))));
    }
    if let Some(to) = filter.created_to {
        conditions.push(format!("r.created_at <= {}", next(Param::Int(to))));
    }
    if let Some((created_at, id)) = filter.after {
        let t = next(Param::Int(created_at));
        let i = next(Param::Int(id));
        conditions.push(format!("(r.created_at, r.id) > ({t}, {i})"));
    }
    for word in &filter.words {
        let low = next(Param::Text(word.low.clone()));
        let high = next(Param::Text(word.high.clone()));
        conditions.push(format!(
            "r.id IN (SELECT t.request_id FROM request_terms t \
             WHERE t.term >= {low} AND t.term < {high})"
        ));
    }
    let limit = next(Param::Int(i64::from(filter.limit) + 1));
    let condition = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM requests r {condition} ORDER BY r.created_at, r.id LIMIT {limit}"
    );
    (sql, params)
}

fn bind_all<'q>(
    sql: &'q str,
    params: &[Param],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for p in params {
        query = match p {
            Param::Int(i) => query.bind(*i),
            Param::Text(s) => query.bind(s.clone()),
        };
    }
    query
}

/// One page of the queue, and whether more follow.
pub async fn queue(conn: &mut Conn, filter: &QueueFilter) -> Result<(Vec<RequestRow>, bool)> {
    let (sql, params) = queue_sql(filter);
    let rows = bind_all(&sql, &params).fetch_all(&mut *conn).await?;
    let mut page = with_addresses(conn, &rows).await?;
    let more = page.len() > filter.limit as usize;
    page.truncate(filter.limit as usize);
    Ok((page, more))
}

impl Store {
    /// How the database runs the queue query for `filter` (EXPLAIN QUERY PLAN on SQLite,
    /// EXPLAIN on PostgreSQL), one line per plan step: for operators and tests that check
    /// the indexes are used.
    pub async fn explain_queue(&self, filter: &QueueFilter) -> Result<String> {
        let (sql, params) = queue_sql(filter);
        let (explain, column) = match self.backend() {
            Backend::Sqlite => (format!("EXPLAIN QUERY PLAN {sql}"), "detail"),
            Backend::Postgres => (format!("EXPLAIN {sql}"), "QUERY PLAN"),
        };
        let rows = bind_all(&explain, &params).fetch_all(self.pool()).await?;
        let lines = rows
            .iter()
            .map(|r| r.try_get::<String, _>(column))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(lines.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::requests::queue::Prefix;
    use crate::store::testing;

    fn row<'a>(
        code: &'a str,
        addresses: &'a [String],
        terms: &'a [String],
        now: i64,
    ) -> NewRequestRow<'a> {
        NewRequestRow {
            code,
            requester: "alice@example.org",
            kind: RequestKind::Personal,
            state: RequestState::AwaitingIdentityCheck,
            given_name: Some("Alice"),
            surname: Some("Liddell"),
            display_name: None,
            key_type: KeyType::EcdsaP256,
            csr_der: b"csr",
            addresses,
            terms,
            now,
        }
    }

    #[tokio::test]
    async fn insert_read_change_and_page() {
        let (store, _dir) = testing::sqlite().await;
        let mut tx = store.begin().await.unwrap();
        let addrs = vec!["alice@example.org".to_owned()];
        let terms = vec!["alice".to_owned(), "liddell".to_owned()];
        let a = insert(&mut tx, &row("CD-AAAA-AAAA", &addrs, &terms, 10))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            insert(&mut tx, &row("CD-AAAA-AAAA", &addrs, &terms, 11))
                .await
                .unwrap(),
            None,
            "a taken code is reported, not an error"
        );
        let b = insert(&mut tx, &row("CD-BBBB-BBBB", &addrs, &[], 20))
            .await
            .unwrap()
            .unwrap();
        let got = get(&mut tx, a).await.unwrap().unwrap();
        assert_eq!(got.view.addresses, addrs);
        assert_eq!(got.view.state, RequestState::AwaitingIdentityCheck);
        assert_eq!(count_open(&mut tx, "alice@example.org").await.unwrap(), 2);
        let mine = by_requester(&mut tx, "alice@example.org").await.unwrap();
        assert_eq!(mine.iter().map(|r| r.view.id).collect::<Vec<_>>(), [b, a]);

        let change = Change {
            decided_by: Some("desk@example.org"),
            reason: Some("no ID"),
            ..Change::default()
        };
        use RequestState::{Approved, AwaitingIdentityCheck as W, Rejected};
        assert!(
            change_state(&mut tx, a, W, Rejected, &change, 30)
                .await
                .unwrap()
        );
        assert!(
            !change_state(&mut tx, a, W, Approved, &Change::default(), 31)
                .await
                .unwrap()
        );
        let got = get(&mut tx, a).await.unwrap().unwrap();
        assert_eq!(
            (got.view.decided_at, got.view.reason.as_deref()),
            (Some(30), Some("no ID"))
        );
        assert_eq!(count_open(&mut tx, "alice@example.org").await.unwrap(), 1);

        let mut filter = QueueFilter {
            state: None,
            kind: None,
            created_from: None,
            created_to: None,
            words: vec![],
            after: None,
            limit: 1,
        };
        let (page, more) = queue(&mut tx, &filter).await.unwrap();
        assert_eq!((page[0].view.id, more), (a, true));
        filter.after = Some((10, a));
        let (page, more) = queue(&mut tx, &filter).await.unwrap();
        assert_eq!((page[0].view.id, more), (b, false));
        filter.after = None;
        filter.words = vec![Prefix::of("lid").unwrap()];
        let (page, _) = queue(&mut tx, &filter).await.unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].view.id, a);
        assert_eq!(waiting_since_before(&mut tx, 100, 10).await.unwrap(), [b]);

        assert_eq!(
            get(&mut tx, b).await.unwrap().unwrap().view.certificate,
            None
        );
        sqlx::query(
            "INSERT INTO certificates (serial, request_id, der, chain_pem, not_before, \
             not_after, collect_token_hash, revoked_at, revocation_reason) \
             VALUES ('0a1b', $1, $2, '', 40, 50, 'h', 45, 'superseded')",
        )
        .bind(b)
        .bind(b"der".to_vec())
        .execute(&mut *tx)
        .await
        .unwrap();
        let summary = CertificateSummary {
            serial: "0a1b".into(),
            not_before: 40,
            not_after: 50,
            collected_at: None,
            revoked_at: Some(45),
            revocation_reason: Some(RevocationReason::Superseded),
        };
        let mine = by_requester(&mut tx, "alice@example.org").await.unwrap();
        assert_eq!(mine[0].view.certificate.as_ref(), Some(&summary));
        assert_eq!(mine[1].view.certificate, None);
        tx.commit().await.unwrap();
    }
}
