//! Intake: every check first, then one transaction that stores the request, decides between
//! approval and the identity check, audits both steps, mails the requester and, when
//! approved, records the issuance job. A refused request leaves no trace.

use shared::api::{NewRequest, RequestKind, RequestState, RequestView};

use super::{Caller, ISSUER, apply, mail_requester};
use crate::config::Config;
use crate::domain::Env;
use crate::domain::requests::intake::{self as rules, Decision, MailboxFacts};
use crate::domain::requests::queue::search_terms;
use crate::domain::requests::{Event, INTAKE_DECIDER, Vetting, request_code};
use crate::mail::request_mails::{self, Received};
use crate::store::requests::{self as repo, Change, NewRequestRow};
use crate::store::{Conn, Store, audit, identities, issuance, mailboxes};
use crate::{Error, Result};

/// Codes are drawn again this often before intake gives up (a repeat is already rare).
const CODE_ATTEMPTS: usize = 8;

/// A stored request, and whether intake approved it at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub view: RequestView,
    pub approved: bool,
}

/// Checks, stores and answers a new request from the signed-in `caller`.
pub async fn submit(
    store: &Store,
    config: &Config,
    env: &Env,
    caller: Caller<'_>,
    body: &NewRequest,
) -> Result<Submitted> {
    let settings = &config.requests;
    rules::terms(body.terms_accepted)?;
    let addresses = rules::addresses(&body.addresses)?;
    let names = rules::names(
        body.kind,
        body.given_name.as_deref(),
        body.surname.as_deref(),
    )?;
    let csr_der = rules::csr_der(&body.csr, body.csr_encoding)?;
    let csr = rules::verify_csr(&csr_der)?;
    rules::key_allowed(csr.key_type, &settings.key_types)?;
    rules::csr_names_match(&addresses, &csr)?;

    let now = env.now();
    let mut tx = store.begin().await?;
    let display_name = match body.kind {
        RequestKind::Personal => {
            rules::own_addresses(&addresses, caller.email)?;
            None
        }
        kind => {
            let facts = mailbox_facts(&mut tx, &addresses, caller.email).await?;
            Some(rules::mailboxes(kind, &addresses, &facts)?)
        }
    };
    repo::lock_requester(&mut tx, caller.email).await?;
    let open = repo::count_open(&mut tx, caller.email).await?;
    rules::open_limit(open, settings.max_open_per_user)?;
    let identity = identities::identity(&mut tx, caller.email).await?;
    let on_file = identity.as_ref().map(identities::Identity::on_file);
    let decision = rules::decide(
        settings.vetting_rules(),
        names.as_ref(),
        on_file.as_ref(),
        now,
    );

    // The name as typed until someone vets it; a name on file is the vetted one.
    let (given_name, surname) = match (&names, &on_file, decision) {
        (Some(_), Some(id), Decision::Approve(Vetting::Reuse | Vetting::Import)) => {
            (Some(id.given_name.clone()), Some(id.surname.clone()))
        }
        (Some(n), _, _) => (Some(n.given_name.clone()), Some(n.surname.clone())),
        (None, _, _) => (None, None),
    };
    let mut term_names: Vec<&str> = Vec::new();
    term_names.extend(given_name.as_deref());
    term_names.extend(surname.as_deref());
    term_names.extend(display_name.as_deref());
    let mut id = None;
    let mut code = String::new();
    for _ in 0..CODE_ATTEMPTS {
        code = request_code(&*env.random);
        let terms = search_terms(
            &code,
            addresses.iter().map(String::as_str).chain([caller.email]),
            term_names.iter().copied(),
        );
        let row = NewRequestRow {
            code: &code,
            requester: caller.email,
            kind: body.kind,
            state: RequestState::Submitted,
            given_name: given_name.as_deref(),
            surname: surname.as_deref(),
            display_name: display_name.as_deref(),
            key_type: csr.key_type,
            csr_der: &csr_der,
            addresses: &addresses,
            terms: &terms,
            now,
        };
        id = repo::insert(&mut tx, &row).await?;
        if id.is_some() {
            break;
        }
    }
    let id = id.ok_or_else(|| Error::Usage("no free request code was found".into()))?;
    audit::append(
        &mut tx,
        now,
        &audit::Record {
            actor: caller.email,
            action: "request_submitted",
            subject: &code,
            client: caller.client,
            detail: &format!(
                "{} for {} with {}",
                body.kind.as_str(),
                addresses.join(", "),
                csr.key_type
            ),
        },
    )
    .await?;
    let request = repo::get(&mut tx, id)
        .await?
        .ok_or_else(|| Error::Usage(format!("request {id} vanished during intake")))?;
    let approved = match decision {
        Decision::Approve(vetting) => {
            let change = Change {
                vetting: Some(vetting.as_str()),
                evidence_id: identity.as_ref().and_then(|i| i.evidence_id),
                decided_by: Some(INTAKE_DECIDER),
                ..Change::default()
            };
            let why = match vetting {
                Vetting::Skipped => "identity check skipped (mailbox validation)".to_owned(),
                other => format!("identity on file ({})", other.as_str()),
            };
            apply(
                &mut tx,
                &request,
                Event::Approve,
                &change,
                caller,
                &why,
                now,
            )
            .await?;
            issuance::enqueue(&mut tx, id, ISSUER, now).await?;
            true
        }
        Decision::AwaitIdentityCheck => {
            let change = Change::default();
            apply(
                &mut tx,
                &request,
                Event::AwaitIdentityCheck,
                &change,
                caller,
                "",
                now,
            )
            .await?;
            false
        }
    };
    let how = if approved {
        Received::Approved
    } else {
        Received::IdentityCheck {
            instructions: settings.desk_instructions.as_deref(),
            pending_days: settings.pending_days,
        }
    };
    mail_requester(&mut tx, config, env, &request, |lang, m| {
        request_mails::received(lang, m, how)
    })
    .await?;
    let view = repo::get(&mut tx, id)
        .await?
        .map(|r| r.view)
        .ok_or_else(|| Error::Usage(format!("request {id} vanished during intake")))?;
    tx.commit().await?;
    Ok(Submitted { view, approved })
}

/// What the mailbox register says about each address, for `requester`.
async fn mailbox_facts(
    conn: &mut Conn,
    addresses: &[String],
    requester: &str,
) -> Result<Vec<Option<MailboxFacts>>> {
    let mut facts = Vec::with_capacity(addresses.len());
    for address in addresses {
        facts.push(
            mailboxes::get(&mut *conn, address)
                .await?
                .map(|m| MailboxFacts {
                    kind: m.view.kind,
                    display_name: m.view.display_name,
                    requester_owns: m.owners.iter().any(|o| o == requester),
                }),
        );
    }
    Ok(facts)
}
