//! The identity-check evidence an officer records, and calendar dates as forms and CSV
//! files write them (`YYYY-MM-DD`, UTC).

use std::time::Duration;

use shared::api::{ApiError, ErrorCode, EvidenceInput};

use super::DAY;
use super::intake::{clean_name, full_name_fits};
use crate::domain::UnixTime;

/// Longest free-text field (authority, name on the document).
const MAX_TEXT: usize = 128;
const MAX_DOCUMENT_NUMBER: usize = 64;

/// Midnight UTC of a `YYYY-MM-DD` date, if it is a real date from 1970 on.
pub fn parse_date(s: &str) -> Option<UnixTime> {
    let s = s.trim();
    let mut parts = s.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let date =
        der::DateTime::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?, 0, 0, 0).ok()?;
    i64::try_from(date.unix_duration().as_secs()).ok()
}

/// `YYYY-MM-DD` of a Unix time, UTC.
pub fn format_date(t: UnixTime) -> String {
    let secs = u64::try_from(t).unwrap_or(0);
    match der::DateTime::from_unix_duration(Duration::from_secs(secs)) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Err(_) => "1970-01-01".into(),
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::EvidenceInvalid, message)
}

fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let cleaned = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Err(invalid(format!("Please fill in the {field}.")));
    }
    if cleaned.chars().any(char::is_control) || cleaned.chars().count() > max {
        return Err(invalid(format!(
            "The {field} is not valid (at most {max} characters, no control characters)."
        )));
    }
    Ok(cleaned)
}

/// Checks and tidies what the officer typed. The document must still be valid on the day
/// of the check (`now`).
pub fn validate(input: &EvidenceInput, now: UnixTime) -> Result<EvidenceInput, ApiError> {
    let issuing_authority = text("issuing authority", &input.issuing_authority, MAX_TEXT)?;
    let country = input.issuing_country.trim().to_ascii_uppercase();
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(invalid(
            "The issuing country must be a two-letter country code, e.g. DE.",
        ));
    }
    let document_number = text(
        "document number",
        &input.document_number,
        MAX_DOCUMENT_NUMBER,
    )?;
    let Some(expiry) = parse_date(&input.document_expiry) else {
        return Err(invalid(
            "The document's expiry date must be a date like 2030-12-31.",
        ));
    };
    if expiry + DAY <= now {
        return Err(invalid(
            "The document has expired; an expired document cannot confirm an identity.",
        ));
    }
    let name_on_document = text("name on the document", &input.name_on_document, MAX_TEXT)?;
    let given_name = clean_name("given name", &input.given_name).map_err(invalid)?;
    let surname = clean_name("surname", &input.surname).map_err(invalid)?;
    full_name_fits(&given_name, &surname).map_err(invalid)?;
    Ok(EvidenceInput {
        method: input.method,
        document_type: input.document_type,
        issuing_authority,
        issuing_country: country,
        document_number,
        document_expiry: format_date(expiry),
        name_on_document,
        given_name,
        surname,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::{CheckMethod, DocumentType};

    fn good() -> EvidenceInput {
        EvidenceInput {
            method: CheckMethod::VideoCall,
            document_type: DocumentType::IdCard,
            issuing_authority: " Stadt  Köln ".into(),
            issuing_country: "de".into(),
            document_number: "L01X00T47".into(),
            document_expiry: "2031-05-31".into(),
            name_on_document: "LIDDELL, Alice".into(),
            given_name: "Alice".into(),
            surname: "Liddell".into(),
        }
    }

    #[test]
    fn dates_round_trip_and_refuse_nonsense() {
        let t = parse_date("2026-11-21").unwrap();
        assert_eq!(t, 1_795_219_200);
        assert_eq!(format_date(t + 3600), "2026-11-21");
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-11-21",
            "2026-1-21",
            "yesterday",
            "1969-12-31",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn evidence_is_tidied() {
        let now = parse_date("2026-11-21").unwrap();
        let e = validate(&good(), now).unwrap();
        assert_eq!(e.issuing_authority, "Stadt Köln");
        assert_eq!(e.issuing_country, "DE");
        // Valid through its expiry day.
        let mut last_day = good();
        last_day.document_expiry = "2026-11-21".into();
        assert!(validate(&last_day, now + 3600).is_ok());
    }

    #[test]
    fn each_bad_field_is_named() {
        let now = parse_date("2026-11-21").unwrap();
        type Spoil = fn(&mut EvidenceInput);
        let cases: [(Spoil, &str); 6] = [
            (|e| e.issuing_authority = " ".into(), "issuing authority"),
            (|e| e.issuing_country = "DEU".into(), "country"),
            (|e| e.document_number = String::new(), "document number"),
            (|e| e.document_expiry = "31.12.2030".into(), "expiry date"),
            (|e| e.document_expiry = "2026-11-20".into(), "expired"),
            (|e| e.surname = String::new(), "surname"),
        ];
        for (spoil, word) in cases {
            let mut e = good();
            spoil(&mut e);
            let err = validate(&e, now).unwrap_err();
            assert_eq!(err.code, ErrorCode::EvidenceInvalid);
            assert!(err.message.contains(word), "{word}: {}", err.message);
        }
    }
}
