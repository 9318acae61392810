//! The service desk against the real server on SQLite and PostgreSQL: evidence and approval,
//! evidence reuse and its end, imported identities, rejection with a mailed reason, officers
//! and their own requests, the queue's filters, search and pages, the query plans behind it,
//! and the mailbox commands.

use std::path::Path;
use std::process::Output;

use certdesk::domain::requests::queue;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::api::{DeskQuery, RequestKind, RequestState, routes};

use crate::requests::{
    ALICE, BOB, DESK, assert_audited, mail, mailbox_request, make_officer, personal, register_dpo,
    scalar, sign_in, sign_in_smtp, submit_ok,
};
use crate::support::app::{App, Db, on_both_databases};
use crate::support::certdesk_bin;
use crate::support::smtp::SmtpServer;

on_both_databases!(
    approval_records_evidence_and_later_requests_reuse_it,
    evidence_reuse_ends_after_the_configured_days,
    imported_identities_approve_at_once,
    rejection_mails_the_reason,
    officers_do_not_decide_their_own_requests,
    withdrawing_an_approved_request_cancels_its_issuance,
    queue_filters_searches_and_pages,
    queue_queries_use_their_indexes,
    mailbox_commands,
);

const DAY: i64 = 86_400;

fn evidence(given: &str, surname: &str) -> Value {
    json!({
        "method": "in_person",
        "document_type": "id_card",
        "issuing_authority": "Stadt Köln",
        "issuing_country": "de",
        "document_number": "L01X00T47",
        "document_expiry": "2099-05-31",
        "name_on_document": format!("{} {}", given, surname.to_uppercase()),
        "given_name": given,
        "surname": surname,
    })
}

async fn officer(app: &App, email: &str) -> String {
    make_officer(app, email).await;
    sign_in(app, email).await
}

fn id(request: &Value) -> i64 {
    request["id"].as_i64().unwrap()
}

async fn approve(
    app: &App,
    desk: &str,
    request: i64,
    evidence: Value,
) -> crate::support::app::Answer {
    app.post(
        &routes::with_id(routes::DESK_REQUEST_APPROVE, request),
        json!({ "evidence": evidence }),
        Some(desk),
    )
    .await
}

async fn approval_records_evidence_and_later_requests_reuse_it(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = App::with_smtp(db, smtp.port, |c| c.requests.max_open_per_user = 10).await;
    make_officer(&app, DESK).await;
    let desk = sign_in_smtp(&app, &smtp, DESK, "en").await;
    let alice = sign_in_smtp(&app, &smtp, ALICE, "en").await;
    let first = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddel")).await;
    let detail = app
        .get(
            &routes::with_id(routes::DESK_REQUEST, id(&first)),
            Some(&desk),
        )
        .await;
    assert_eq!(detail.body["identity"], Value::Null);
    assert_eq!(detail.body["own_request"], false);

    // An expired document changes nothing.
    let mut expired = evidence("Alice", "Liddell");
    expired["document_expiry"] = "2001-01-01".into();
    let a = approve(&app, &desk, id(&first), expired).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, "evidence_invalid")
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM evidence").await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM issue_jobs").await, 0);

    // The officer corrects the typo in the surname from the document.
    let a = approve(&app, &desk, id(&first), evidence("Alice", "Liddell")).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    assert_eq!(a.body["state"], "approved");
    assert_eq!(a.body["surname"], "Liddell", "the vetted name");
    assert_eq!(a.body["decided_by"], DESK);
    let (job, _, _) = app
        .store
        .issue_job_state(id(&first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job, "pending");
    let detail = app
        .get(
            &routes::with_id(routes::DESK_REQUEST, id(&first)),
            Some(&desk),
        )
        .await;
    let ev = &detail.body["evidence"];
    assert_eq!(ev["officer"], DESK);
    assert_eq!(ev["issuing_country"], "DE");
    assert_eq!(ev["document_type"], "id_card");
    assert_eq!(ev["method"], "in_person");
    assert_eq!(ev["document_expiry"], "2099-05-31");
    assert_eq!(detail.body["identity"]["source"], "desk");
    assert_eq!(detail.body["identity"]["reusable"], true);
    assert_audited(&app, "request_approved").await;

    // The next personal request under the vetted name is approved at once, and says so.
    let second = submit_ok(&app, &alice, personal(ALICE, "alice", "LIDDELL")).await;
    assert_eq!(second["state"], "approved");
    assert_eq!(second["surname"], "Liddell", "the name on file");
    let (_, text, _) = mail(&smtp, ALICE, second["code"].as_str().unwrap()).await;
    assert!(text.contains("approved"), "{text}");
    // A different name goes to the desk.
    let renamed = submit_ok(&app, &alice, personal(ALICE, "Alice", "Hargreaves")).await;
    assert_eq!(renamed["state"], "awaiting_identity_check");
    // After 825 days the evidence no longer stands in for a check.
    // (Sessions end after an hour idle: sign in again after each jump.)
    app.clock.advance(824 * DAY);
    let alice = sign_in_smtp(&app, &smtp, ALICE, "en").await;
    let late = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    assert_eq!(late["state"], "approved");
    app.clock.advance(DAY);
    let alice = sign_in_smtp(&app, &smtp, ALICE, "en").await;
    let too_late = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    assert_eq!(too_late["state"], "awaiting_identity_check");
    app.stop().await;
}

async fn evidence_reuse_ends_after_the_configured_days(db: Db) {
    let app = App::start_with(db, |c| {
        c.requests.evidence_reuse_days = 30;
        c.requests.max_open_per_user = 10;
    })
    .await;
    let desk = officer(&app, DESK).await;
    let alice = sign_in(&app, ALICE).await;
    let first = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    let a = approve(&app, &desk, id(&first), evidence("Alice", "Liddell")).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    // Role requests reuse the requester's evidence as well.
    register_dpo(&app, &[ALICE]).await;
    app.clock.advance(29 * DAY);
    let alice = sign_in(&app, ALICE).await;
    let role = submit_ok(&app, &alice, mailbox_request("role", "dpo@example.org")).await;
    assert_eq!(role["state"], "approved");
    app.clock.advance(DAY);
    let alice = sign_in(&app, ALICE).await;
    let role = submit_ok(&app, &alice, mailbox_request("role", "dpo@example.org")).await;
    assert_eq!(role["state"], "awaiting_identity_check");
    app.stop().await;
}

/// Runs the real binary in `dir` against the database at `database_url`.
fn cli(dir: &Path, database_url: &str, args: &[&str]) -> (bool, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = std::process::Command::new(certdesk_bin())
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("CERTDESK_DATA_DIR", dir.join("data"))
        .env("CERTDESK_DATABASE_URL", database_url)
        .output()
        .unwrap();
    (
        status.success(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// The binary against the app's database.
fn certdesk(app: &App, args: &[&str]) -> (bool, String, String) {
    cli(app.data_dir.path(), &app.config.database_url(), args)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn date_days_ago(app: &App, days: i64) -> String {
    let now = certdesk::domain::Clock::now(&app.clock);
    certdesk::domain::requests::evidence::format_date(now - days * DAY)
}

async fn imported_identities_approve_at_once(db: Db) {
    let app = App::start(db).await;
    let dir = app.data_dir.path();
    let recent = date_days_ago(&app, 100);
    let bad = write(
        dir,
        "bad.csv",
        &format!(
            "address,given_name,surname,verified_on\n{ALICE},Alice,Liddell,{recent}\n\
             {BOB},Bob,Müller,31.12.2024\n"
        ),
    );
    let (ok, _, err) = certdesk(&app, &["identity", "import", &bad]);
    assert!(!ok);
    assert!(
        err.contains("bad.csv line 3: `31.12.2024` is not a date")
            && err.contains("[import_line_invalid]"),
        "{err}"
    );
    let foreign = write(dir, "foreign.csv", &format!("x@evil.org,X,Y,{recent}\n"));
    let (ok, _, err) = certdesk(&app, &["identity", "import", &foreign]);
    assert!(
        !ok && err.contains("line 1") && err.contains("mail_domains"),
        "{err}"
    );
    let future = write(
        dir,
        "future.csv",
        &format!("{ALICE},A,L,{}\n", date_days_ago(&app, -3)),
    );
    let (ok, _, err) = certdesk(&app, &["identity", "import", &future]);
    assert!(!ok && err.contains("future"), "{err}");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM identities").await,
        0,
        "all or nothing"
    );

    let good = write(
        dir,
        "staff.csv",
        &format!(
            "address,given_name,surname,verified_on\n{ALICE},Alice,Liddell,{recent}\n\
             \"{BOB}\",\"Bob\",\"Müller\",{}\n",
            date_days_ago(&app, 900)
        ),
    );
    let (ok, out, err) = certdesk(&app, &["identity", "import", &good]);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 identities imported") && out.contains("1 verified longer ago"),
        "{out}"
    );

    let alice = sign_in(&app, ALICE).await;
    let r = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    assert_eq!(r["state"], "approved");
    assert_eq!(
        scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM requests WHERE id = {} AND vetting = 'import'",
                id(&r)
            )
        )
        .await,
        1
    );
    let bob = sign_in(&app, BOB).await;
    let r = submit_ok(&app, &bob, personal(BOB, "Bob", "Müller")).await;
    assert_eq!(
        r["state"], "awaiting_identity_check",
        "verified too long ago"
    );
    assert_audited(&app, "identity_imported").await;
    app.stop().await;
}

async fn rejection_mails_the_reason(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = App::with_smtp(db, smtp.port, |_| {}).await;
    make_officer(&app, DESK).await;
    let desk = sign_in_smtp(&app, &smtp, DESK, "en").await;
    let bob = sign_in_smtp(&app, &smtp, BOB, "de").await;
    let r = submit_ok(&app, &bob, personal(BOB, "Bob", "Müller")).await;
    let reject = routes::with_id(routes::DESK_REQUEST_REJECT, id(&r));
    let a = app
        .post(&reject, json!({"reason": "  "}), Some(&desk))
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, "reason_required")
    );
    let reason = "Der Ausweis war abgelaufen; bitte mit gültigem Ausweis wiederkommen.";
    let a = app
        .post(&reject, json!({ "reason": reason }), Some(&desk))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    assert_eq!(a.body["state"], "rejected");
    assert_eq!(a.body["reason"], reason);
    let (subject, text, html) = mail(&smtp, BOB, "abgelehnt").await;
    assert!(subject.contains(r["code"].as_str().unwrap()), "{subject}");
    assert!(text.contains(reason), "{text}");
    assert!(html.contains("gültigem Ausweis"), "{html}");
    let mine = app
        .get(&routes::with_id(routes::REQUEST, id(&r)), Some(&bob))
        .await;
    assert_eq!(mine.body["reason"], reason);
    let late = approve(&app, &desk, id(&r), evidence("Bob", "Müller")).await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::CONFLICT, "request_state_conflict")
    );
    app.stop().await;
}

async fn officers_do_not_decide_their_own_requests(db: Db) {
    let app = App::start(db).await;
    let desk = officer(&app, DESK).await;
    let other = officer(&app, "desk2@example.org").await;
    let own = submit_ok(&app, &desk, personal(DESK, "Dana", "Desk")).await;
    let a = approve(&app, &desk, id(&own), evidence("Dana", "Desk")).await;
    assert_eq!((a.status, a.code()), (StatusCode::FORBIDDEN, "own_request"));
    let a = app
        .post(
            &routes::with_id(routes::DESK_REQUEST_REJECT, id(&own)),
            json!({"reason": "no"}),
            Some(&desk),
        )
        .await;
    assert_eq!(a.code(), "own_request");
    let detail = app
        .get(
            &routes::with_id(routes::DESK_REQUEST, id(&own)),
            Some(&desk),
        )
        .await;
    assert_eq!(detail.body["own_request"], true);
    assert_eq!(detail.body["request"]["state"], "awaiting_identity_check");
    let a = approve(&app, &other, id(&own), evidence("Dana", "Desk")).await;
    assert_eq!(a.body["state"], "approved", "{:?}", a.body);
    let missing = approve(&app, &other, 999_999, evidence("Dana", "Desk")).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "request_not_found")
    );
    app.stop().await;
}

async fn withdrawing_an_approved_request_cancels_its_issuance(db: Db) {
    let app = App::start_with(db, |c| c.requests.skip_identity_check = true).await;
    let alice = sign_in(&app, ALICE).await;
    let r = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    assert_eq!(r["state"], "approved");
    let w = app
        .post(
            &routes::with_id(routes::REQUEST_WITHDRAW, id(&r)),
            json!({}),
            Some(&alice),
        )
        .await;
    assert_eq!(w.body["state"], "withdrawn", "{:?}", w.body);
    let (job, _, error) = app.store.issue_job_state(id(&r)).await.unwrap().unwrap();
    assert_eq!(job, "failed");
    assert!(error.unwrap().contains("withdrawn"));
    app.stop().await;
}

async fn queue_page(app: &App, desk: &str, query: &str) -> Value {
    let a = app
        .get(&format!("{}?{query}", routes::DESK_REQUESTS), Some(desk))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{query}: {:?}", a.body);
    a.body
}

async fn codes(app: &App, desk: &str, query: &str) -> Vec<String> {
    queue_page(app, desk, query).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn queue_filters_searches_and_pages(db: Db) {
    let app = App::start(db).await;
    make_officer(&app, DESK).await;
    register_dpo(&app, &["carol@example.org"]).await;
    let mut made = Vec::new();
    for (email, body) in [
        (ALICE, personal(ALICE, "Alice", "Liddell")),
        (BOB, personal(BOB, "Bob", "Müller-Lüdenscheidt")),
        (
            "carol@example.org",
            mailbox_request("role", "dpo@example.org"),
        ),
        (
            "dave@example.org",
            personal("dave@example.org", "Dave", "Jones"),
        ),
    ] {
        let cookie = sign_in(&app, email).await;
        made.push((email, submit_ok(&app, &cookie, body).await));
        app.clock.advance(10 * DAY);
    }
    let code = |i: usize| made[i].1["code"].as_str().unwrap().to_owned();
    // Forty days on, everyone signs in afresh.
    let desk = sign_in(&app, DESK).await;
    let dave = sign_in(&app, "dave@example.org").await;
    let w = app
        .post(
            &routes::with_id(routes::REQUEST_WITHDRAW, id(&made[3].1)),
            json!({}),
            Some(&dave),
        )
        .await;
    assert_eq!(w.body["state"], "withdrawn");

    assert_eq!(
        codes(&app, &desk, "").await,
        [code(0), code(1), code(2), code(3)],
        "oldest first"
    );
    assert_eq!(
        codes(&app, &desk, "state=awaiting_identity_check").await,
        [code(0), code(1), code(2)]
    );
    assert_eq!(codes(&app, &desk, "state=withdrawn").await, [code(3)]);
    assert_eq!(codes(&app, &desk, "kind=role").await, [code(2)]);
    assert_eq!(
        codes(&app, &desk, "kind=personal&state=awaiting_identity_check").await,
        [code(0), code(1)]
    );
    // Now is 40 days after the first request: ages 40, 30, 20, 10 days.
    assert_eq!(
        codes(&app, &desk, "min_age_days=25").await,
        [code(0), code(1)]
    );
    assert_eq!(codes(&app, &desk, "max_age_days=15").await, [code(3)]);
    assert_eq!(
        codes(&app, &desk, "min_age_days=15&max_age_days=35").await,
        [code(1), code(2)]
    );
    for (q, want) in [
        ("müller", vec![code(1)]),
        ("MÜL", vec![code(1)]),
        ("lüdenscheidt", vec![code(1)]),
        ("alice", vec![code(0)]),
        ("lid alice", vec![code(0)]),
        ("lid bob", vec![]),
        ("data protection", vec![code(2)]),
        ("dpo@exa", vec![code(2)]),
        ("carol", vec![code(2)]),
        (&code(2), vec![code(2)]),
        (&code(2).to_lowercase()[3..], vec![code(2)]),
        ("nobody", vec![]),
    ] {
        let query = format!("q={}", urlencode(q));
        assert_eq!(codes(&app, &desk, &query).await, want, "search {q}");
    }

    // Pages of one, following the cursor, see everything once and in order.
    let mut seen = Vec::new();
    let mut query = "limit=1".to_owned();
    loop {
        let page = queue_page(&app, &desk, &query).await;
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        seen.push(items[0]["code"].as_str().unwrap().to_owned());
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, [code(0), code(1), code(2), code(3)]);
    // A request made meanwhile appears on the last page, not twice anywhere.
    let first = queue_page(&app, &desk, "limit=2").await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let eve = sign_in(&app, "eve@example.org").await;
    let late = submit_ok(&app, &eve, personal("eve@example.org", "Eve", "Smith")).await;
    assert_eq!(
        codes(&app, &desk, &format!("limit=5&cursor={cursor}")).await,
        [code(2), code(3), late["code"].as_str().unwrap().to_owned()]
    );

    for (query, code) in [
        ("cursor=bm9wZQ", "cursor_invalid"),
        ("limit=0", "bad_request"),
        ("limit=201", "bad_request"),
        ("state=lost", "bad_request"),
        ("min_age_days=-1", "bad_request"),
    ] {
        let a = app
            .get(&format!("{}?{query}", routes::DESK_REQUESTS), Some(&desk))
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::BAD_REQUEST, code),
            "{query}"
        );
    }
    let alice = sign_in(&app, ALICE).await;
    let a = app.get(routes::DESK_REQUESTS, Some(&alice)).await;
    assert_eq!(a.code(), "forbidden");
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// 100,000 requests, most of them personal and done, a few waiting, as after some years of
/// use.
async fn fill(app: &App, db: Db) {
    let (series, bytes) = match db {
        Db::Sqlite => (
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 100000) ",
            "X'00'",
        ),
        Db::Postgres => ("", "'\\x00'::bytea"),
    };
    let from = match db {
        Db::Sqlite => "FROM g",
        Db::Postgres => "FROM generate_series(1, 100000) AS g(n)",
    };
    let sql = format!(
        "{series}INSERT INTO requests (code, requester, kind, state, key_type, csr, created_at, updated_at) \
         SELECT 'CD-' || n, 'user' || (n % 5000) || '@example.org', \
         CASE n % 100 WHEN 0 THEN 'role' WHEN 1 THEN 'group' ELSE 'personal' END, \
         CASE WHEN n % 50 = 0 THEN 'awaiting_identity_check' ELSE 'collected' END, \
         'rsa-3072', {bytes}, 1700000000 + n * 600, 1700000000 + n * 600 {from}"
    );
    sqlx::query(&sql).execute(app.store.pool()).await.unwrap();
    for term_sql in [
        "INSERT INTO request_terms (term, request_id) SELECT lower(code), id FROM requests",
        "INSERT INTO request_terms (term, request_id) \
         SELECT 'user' || (id % 5000), id FROM requests",
    ] {
        sqlx::query(term_sql)
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    sqlx::query("ANALYZE")
        .execute(app.store.pool())
        .await
        .unwrap();
}

async fn queue_queries_use_their_indexes(db: Db) {
    let app = App::start(db).await;
    fill(&app, db).await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM requests").await, 100_000);
    let now = 1_700_000_000 + 100_000 * 600;
    let plan = |q: DeskQuery| {
        let filter = queue::filter(&q, now).unwrap();
        let store = app.store.clone();
        async move { store.explain_queue(&filter).await.unwrap() }
    };
    let waiting = Some(RequestState::AwaitingIdentityCheck);
    let after = Some(queue::cursor(1_700_000_000 + 50_000 * 600, 50_000));
    for (what, q, index) in [
        ("everything", DeskQuery::default(), "requests_created"),
        (
            "waiting",
            DeskQuery {
                state: waiting,
                ..DeskQuery::default()
            },
            "requests_queue",
        ),
        (
            "waiting, next page",
            DeskQuery {
                state: waiting,
                cursor: after.clone(),
                ..DeskQuery::default()
            },
            "requests_queue",
        ),
        (
            "waiting a week or longer",
            DeskQuery {
                state: waiting,
                min_age_days: Some(7),
                ..DeskQuery::default()
            },
            "requests_queue",
        ),
        (
            "role mailboxes, next page",
            DeskQuery {
                kind: Some(RequestKind::Role),
                cursor: after.clone(),
                ..DeskQuery::default()
            },
            "requests_kind",
        ),
        (
            "the last ten days",
            DeskQuery {
                max_age_days: Some(10),
                ..DeskQuery::default()
            },
            "requests_created",
        ),
    ] {
        let p = plan(q).await;
        assert!(p.contains(index), "{what} should use {index}:\n{p}");
        assert_uses_indexes_only(db, what, &p, false);
    }
    // A search (one person's address: twenty requests) walks the terms' index and looks
    // its matches up by key.
    let p = plan(DeskQuery {
        q: Some("user4242".into()),
        ..DeskQuery::default()
    })
    .await;
    let terms_index = match db {
        Db::Sqlite => "sqlite_autoindex_request_terms_1",
        Db::Postgres => "request_terms_pkey",
    };
    assert!(p.contains(terms_index), "search:\n{p}");
    // The matches are looked up by key and sorted: few rows, not the table.
    assert_uses_indexes_only(db, "search", &p, true);
    app.stop().await;
}

/// No full scan of a table and, unless `sort_allowed`, no sort of the rows: every step is an
/// index.
fn assert_uses_indexes_only(db: Db, what: &str, plan: &str, sort_allowed: bool) {
    match db {
        Db::Sqlite => {
            assert!(
                sort_allowed || !plan.contains("TEMP B-TREE"),
                "{what} sorts:\n{plan}"
            );
            for line in plan
                .lines()
                .filter(|l| l.contains("SCAN") || l.contains("SEARCH"))
            {
                assert!(
                    line.contains("INDEX") || line.contains("PRIMARY KEY"),
                    "{what}: {line}\n{plan}"
                );
            }
        }
        Db::Postgres => {
            assert!(!plan.contains("Seq Scan"), "{what} scans a table:\n{plan}");
            assert!(
                sort_allowed || !plan.contains("Sort"),
                "{what} sorts:\n{plan}"
            );
        }
    }
}

async fn mailbox_commands(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = match db {
        Db::Sqlite => format!("sqlite://{}", d.join("data/certdesk.sqlite").display()),
        Db::Postgres => crate::support::postgres::fresh_database().await,
    };
    let run = |args: &[&str]| cli(d, &url, args);
    let (ok, out, _) = run(&["mailbox", "list"]);
    assert!(ok && out.contains("no mailboxes"), "{out}");
    let (ok, out, err) = run(&[
        "mailbox",
        "add",
        "DPO@example.org",
        "--kind",
        "role",
        "--name",
        "Data Protection Officer",
        "--owner",
        "alice@example.org",
        "--owner",
        "Bob@Example.org",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("1 new"), "{out}");
    let (ok, _, err) = run(&[
        "mailbox",
        "add",
        "x@evil.org",
        "--kind",
        "role",
        "--name",
        "X",
        "--owner",
        "alice@example.org",
    ]);
    assert!(
        !ok && err.contains("mail_domains") && err.contains("[usage_error]"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "mailbox",
        "add",
        "y@example.org",
        "--kind",
        "boss",
        "--name",
        "Y",
        "--owner",
        "alice@example.org",
    ]);
    assert!(!ok && err.contains("boss"), "{err}");
    let (ok, _, err) = run(&[
        "mailbox",
        "add",
        "y@example.org",
        "--kind",
        "group",
        "--name",
        "Y",
        "--owner",
        "eve@evil.org",
    ]);
    assert!(!ok && err.contains("eve@evil.org"), "{err}");

    std::fs::write(
        d.join("bad.csv"),
        "address,kind,name,owners\nsec@example.org,group,Secretariat,alice@example.org\n\
         team@example.org,team,Team,alice@example.org\n",
    )
    .unwrap();
    let (ok, _, err) = run(&["mailbox", "import", "bad.csv"]);
    assert!(!ok, "{err}");
    assert!(
        err.contains(
            "bad.csv line 3: unknown kind `team`; use role or group [import_line_invalid]"
        ),
        "{err}"
    );
    let (_, out, _) = run(&["mailbox", "list"]);
    assert_eq!(out.lines().count(), 1, "nothing imported: {out}");

    std::fs::write(
        d.join("good.csv"),
        "address,kind,name,owners\n# the physics secretariat\n\
         sec@example.org,group,\"Secretariat, Physics\",alice@example.org carol@example.org\n\
         dpo@example.org,role,Data Protection Officer,carol@example.org\n",
    )
    .unwrap();
    let (ok, out, err) = run(&["mailbox", "import", "good.csv"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("2 mailboxes registered (1 new, 1 changed)"),
        "{out}"
    );
    let (_, out, _) = run(&["mailbox", "list"]);
    assert_eq!(
        out,
        "dpo@example.org\trole\tData Protection Officer\tcarol@example.org\n\
         sec@example.org\tgroup\tSecretariat, Physics\talice@example.org carol@example.org\n"
    );
    let (ok, out, _) = run(&["mailbox", "remove", "sec@example.org"]);
    assert!(ok && out.contains("removed"), "{out}");
    let (ok, _, err) = run(&["mailbox", "remove", "sec@example.org"]);
    assert!(!ok && err.contains("not a registered mailbox"), "{err}");
    let (ok, out, _) = run(&["audit", "verify"]);
    assert!(ok && out.contains("intact: 4 entries"), "{out}");
}
