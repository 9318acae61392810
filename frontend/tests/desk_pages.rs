//! The service desk's logic in the browser: the filter form's query, the query in the
//! address bar, and the evidence form's checks.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use certdesk_frontend::components::desk_filters::{
    FIELD_MAX_AGE, FIELD_MIN_AGE, QueueForm, age_text, parse_query_string, query_string,
};
use certdesk_frontend::components::evidence_form::{
    Checked, EvidenceForm, Field, Problem, normalize_date,
};
use certdesk_frontend::i18n::Lang;
use shared::api::{CheckMethod, DeskQuery, DocumentType, Language, RequestKind, RequestState};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_default_form_asks_for_waiting_requests() {
    let q = QueueForm::default().to_query().unwrap();
    assert_eq!(
        q,
        DeskQuery {
            state: Some(RequestState::AwaitingIdentityCheck),
            ..DeskQuery::default()
        }
    );
}

#[wasm_bindgen_test]
fn the_form_becomes_the_query() {
    let form = QueueForm {
        state: String::new(),
        kind: "group".into(),
        min_age_days: " 3 ".into(),
        max_age_days: "10".into(),
        q: "  müller   CD-7K3P ".into(),
    };
    let q = form.to_query().unwrap();
    assert_eq!(
        q,
        DeskQuery {
            state: None,
            kind: Some(RequestKind::Group),
            min_age_days: Some(3),
            max_age_days: Some(10),
            q: Some("müller CD-7K3P".into()),
            cursor: None,
            limit: None,
        }
    );
    assert_eq!(QueueForm::from_query(&q).to_query().unwrap(), q);
}

#[wasm_bindgen_test]
fn bad_filters_name_their_field() {
    let with = |min: &str, max: &str| QueueForm {
        min_age_days: min.into(),
        max_age_days: max.into(),
        ..QueueForm::default()
    };
    assert_eq!(with("abc", "").to_query().unwrap_err().field, FIELD_MIN_AGE);
    assert_eq!(with("-1", "").to_query().unwrap_err().field, FIELD_MIN_AGE);
    assert_eq!(
        with("", "99999").to_query().unwrap_err().field,
        FIELD_MAX_AGE
    );
    let e = with("10", "3").to_query().unwrap_err();
    assert_eq!(e.field, FIELD_MAX_AGE);
    assert!(e.text(Lang(Language::De)).contains("Höchstens"));
    assert!(with("3", "3").to_query().is_ok());
}

#[wasm_bindgen_test]
fn the_query_survives_the_address_bar() {
    let q = DeskQuery {
        state: None,
        kind: Some(RequestKind::Role),
        min_age_days: Some(0),
        max_age_days: Some(30),
        q: Some("Grüße & co=1 +x".into()),
        cursor: Some("MTcwMDAwMDAwMDox".into()),
        limit: Some(20),
    };
    let s = query_string(&q);
    assert!(s.starts_with("state=all&kind=role"), "{s}");
    assert!(!s.contains(' ') && !s.contains("& "), "{s}");
    assert_eq!(parse_query_string(&s), q);
    assert_eq!(parse_query_string(&format!("?{s}")), q);
    // A bare /desk is the waiting queue.
    assert_eq!(
        parse_query_string("").state,
        Some(RequestState::AwaitingIdentityCheck)
    );
    let waiting = QueueForm::default().to_query().unwrap();
    assert_eq!(parse_query_string(&query_string(&waiting)), waiting);
    // What a person types into the address bar is read leniently.
    assert_eq!(
        parse_query_string("state=nonsense&q=a+b&zzz=1")
            .q
            .as_deref(),
        Some("a b")
    );
}

#[wasm_bindgen_test]
fn ages_read_naturally() {
    let (en, de) = (Lang(Language::En), Lang(Language::De));
    assert_eq!(age_text(en, 3600), "today");
    assert_eq!(age_text(de, 86_400), "1 Tag");
    assert_eq!(age_text(en, 3 * 86_400 + 5), "3 days");
    assert_eq!(age_text(de, -5), "heute");
}

fn filled() -> EvidenceForm {
    EvidenceForm {
        method: CheckMethod::VideoCall,
        document_type: DocumentType::Passport,
        issuing_authority: " Stadt  Köln ".into(),
        issuing_country: "de".into(),
        document_number: "C01X00T47".into(),
        document_expiry: "31.12.2030".into(),
        name_on_document: "MÜLLER, Jürgen".into(),
        given_name: "Jürgen".into(),
        surname: "Müller".into(),
    }
}

#[wasm_bindgen_test]
fn evidence_is_tidied_before_it_is_sent() {
    let input = filled().to_input().unwrap();
    assert_eq!(input.issuing_authority, "Stadt Köln");
    assert_eq!(input.issuing_country, "DE");
    assert_eq!(input.document_expiry, "2030-12-31");
    assert_eq!(input.method, CheckMethod::VideoCall);
    assert_eq!(input.document_type, DocumentType::Passport);
}

/// What breaks the form, and the field and problem it must report.
type Case = (fn(&mut EvidenceForm), Field, Problem);

#[wasm_bindgen_test]
fn missing_evidence_names_the_first_field() {
    let cases: [Case; 5] = [
        (
            |f| f.issuing_authority = "  ".into(),
            Field::IssuingAuthority,
            Problem::Missing,
        ),
        (
            |f| f.issuing_country = "DEU".into(),
            Field::IssuingCountry,
            Problem::CountryCode,
        ),
        (
            |f| f.document_expiry = "next year".into(),
            Field::DocumentExpiry,
            Problem::Date,
        ),
        (
            |f| f.name_on_document = String::new(),
            Field::NameOnDocument,
            Problem::Missing,
        ),
        (
            |f| f.surname = String::new(),
            Field::Surname,
            Problem::Missing,
        ),
    ];
    for (breaks, field, problem) in cases {
        let mut form = filled();
        breaks(&mut form);
        let e = form.to_input().unwrap_err();
        assert_eq!((e.field, e.problem), (field, problem));
        assert!(
            e.text(Lang(Language::En))
                .contains(field.label(Lang(Language::En)))
        );
        assert!(
            e.text(Lang(Language::De))
                .contains(field.label(Lang(Language::De)))
        );
    }
}

#[wasm_bindgen_test]
fn dates_in_either_order() {
    assert_eq!(normalize_date("2030-12-31").as_deref(), Some("2030-12-31"));
    assert_eq!(normalize_date(" 1.2.2031 ").as_deref(), Some("2031-02-01"));
    assert_eq!(normalize_date("01/02/2031").as_deref(), Some("2031-02-01"));
    for bad in [
        "",
        "2030-12",
        "30-12-31",
        "31.12.30",
        "2030-123-1",
        "a.b.cdef",
    ] {
        assert_eq!(normalize_date(bad), None, "{bad}");
    }
}

/// The server's refusals name the field in English; the page finds it to focus it and to
/// name it in German.
#[wasm_bindgen_test]
fn server_refusals_point_at_their_field() {
    for (message, field) in [
        (
            "Please fill in the issuing authority.",
            Field::IssuingAuthority,
        ),
        (
            "The issuing country must be a two-letter country code, e.g. DE.",
            Field::IssuingCountry,
        ),
        ("Please fill in the document number.", Field::DocumentNumber),
        (
            "The document's expiry date must be a date like 2030-12-31.",
            Field::DocumentExpiry,
        ),
        (
            "The document has expired; an expired document cannot confirm an identity.",
            Field::DocumentExpiry,
        ),
        (
            "Please fill in the name on the document.",
            Field::NameOnDocument,
        ),
        ("Please enter the given name.", Field::GivenName),
        (
            "The surname contains characters that are not allowed.",
            Field::Surname,
        ),
    ] {
        assert_eq!(Field::named_in(message), Some(field), "{message}");
    }
    assert_eq!(Field::named_in("Something else."), None);
}
