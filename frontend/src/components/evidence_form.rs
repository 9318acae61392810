//! The identity check's evidence as the desk officer types it: the fields, their labels in
//! both languages, the checks made before sending, and which field a refusal of the server
//! is about.

use shared::api::{CheckMethod, DocumentType, EvidenceInput};

use crate::i18n::Lang;

/// One field of the evidence form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Method,
    DocumentType,
    IssuingAuthority,
    IssuingCountry,
    DocumentNumber,
    DocumentExpiry,
    NameOnDocument,
    GivenName,
    Surname,
}

impl Field {
    /// The input's element id.
    pub fn id(self) -> &'static str {
        match self {
            Self::Method => "evidence-method-in-person",
            Self::DocumentType => "evidence-document-type",
            Self::IssuingAuthority => "evidence-issuing-authority",
            Self::IssuingCountry => "evidence-issuing-country",
            Self::DocumentNumber => "evidence-document-number",
            Self::DocumentExpiry => "evidence-document-expiry",
            Self::NameOnDocument => "evidence-name-on-document",
            Self::GivenName => "evidence-given-name",
            Self::Surname => "evidence-surname",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Method => lang.t("How the document was seen", "Wie der Ausweis geprüft wurde"),
            Self::DocumentType => lang.t("Document type", "Art des Ausweises"),
            Self::IssuingAuthority => lang.t("Issuing authority", "Ausstellende Behörde"),
            Self::IssuingCountry => lang.t("Issuing country", "Ausstellungsstaat"),
            Self::DocumentNumber => lang.t("Document number", "Ausweisnummer"),
            Self::DocumentExpiry => lang.t("Valid until", "Gültig bis"),
            Self::NameOnDocument => lang.t("Name as on the document", "Name wie im Ausweis"),
            Self::GivenName => lang.t(
                "Given name (for the certificate)",
                "Vorname (für das Zertifikat)",
            ),
            Self::Surname => lang.t(
                "Surname (for the certificate)",
                "Nachname (für das Zertifikat)",
            ),
        }
    }

    /// The field a server's `evidence_invalid` message names (its messages name the field
    /// in English), if any.
    pub fn named_in(message: &str) -> Option<Self> {
        let m = message.to_ascii_lowercase();
        [
            ("issuing authority", Self::IssuingAuthority),
            ("country", Self::IssuingCountry),
            ("document number", Self::DocumentNumber),
            ("expir", Self::DocumentExpiry),
            ("name on the document", Self::NameOnDocument),
            ("given name", Self::GivenName),
            ("surname", Self::Surname),
        ]
        .into_iter()
        .find_map(|(words, field)| m.contains(words).then_some(field))
    }
}

/// The form's fields as typed: the API's own input type, tidied and checked by
/// [`Checked::to_input`] before it is sent.
pub type EvidenceForm = EvidenceInput;

/// An empty form: in person, with an ID card.
pub fn blank_form() -> EvidenceForm {
    EvidenceInput {
        method: CheckMethod::InPerson,
        document_type: DocumentType::IdCard,
        issuing_authority: String::new(),
        issuing_country: String::new(),
        document_number: String::new(),
        document_expiry: String::new(),
        name_on_document: String::new(),
        given_name: String::new(),
        surname: String::new(),
    }
}

/// The form as the server accepts it.
pub trait Checked {
    /// What is sent, or the first field (in the form's order) that needs attention.
    fn to_input(&self) -> Result<EvidenceInput, FieldError>;
}

/// A field the form cannot send yet, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Missing,
    CountryCode,
    Date,
}

impl FieldError {
    pub fn text(&self, lang: Lang) -> String {
        let label = self.field.label(lang);
        match self.problem {
            Problem::Missing => lang.s(
                format!("Please fill in \"{label}\"."),
                format!("Bitte füllen Sie „{label}“ aus."),
            ),
            Problem::CountryCode => lang.s(
                format!("\"{label}\": enter the two-letter country code, e.g. DE."),
                format!("„{label}“: Geben Sie den zweistelligen Ländercode an, z. B. DE."),
            ),
            Problem::Date => lang.s(
                format!("\"{label}\": enter a date like 2030-12-31 or 31.12.2030."),
                format!("„{label}“: Geben Sie ein Datum wie 31.12.2030 oder 2030-12-31 an."),
            ),
        }
    }
}

/// `2030-12-31`, `31.12.2030` or `31/12/2030` as `2030-12-31`; `None` if it is none of
/// these. Whether the day exists is the server's check.
pub fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    let pad = |p: &str| format!("{:0>2}", p);
    if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..]
        && digits(y, 4)
        && (digits(m, 2) || digits(m, 1))
        && (digits(d, 2) || digits(d, 1))
    {
        return Some(format!("{y}-{}-{}", pad(m), pad(d)));
    }
    if let [d, m, y] = s.split(['.', '/']).collect::<Vec<_>>()[..]
        && digits(y, 4)
        && (digits(m, 2) || digits(m, 1))
        && (digits(d, 2) || digits(d, 1))
    {
        return Some(format!("{y}-{}-{}", pad(m), pad(d)));
    }
    None
}

fn filled(value: &str, field: Field) -> Result<String, FieldError> {
    let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() {
        Err(FieldError {
            field,
            problem: Problem::Missing,
        })
    } else {
        Ok(v)
    }
}

impl Checked for EvidenceForm {
    fn to_input(&self) -> Result<EvidenceInput, FieldError> {
        let issuing_authority = filled(&self.issuing_authority, Field::IssuingAuthority)?;
        let country = filled(&self.issuing_country, Field::IssuingCountry)?.to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(FieldError {
                field: Field::IssuingCountry,
                problem: Problem::CountryCode,
            });
        }
        let document_number = filled(&self.document_number, Field::DocumentNumber)?;
        let expiry = filled(&self.document_expiry, Field::DocumentExpiry)?;
        let document_expiry = normalize_date(&expiry).ok_or(FieldError {
            field: Field::DocumentExpiry,
            problem: Problem::Date,
        })?;
        Ok(EvidenceInput {
            method: self.method,
            document_type: self.document_type,
            issuing_authority,
            issuing_country: country,
            document_number,
            document_expiry,
            name_on_document: filled(&self.name_on_document, Field::NameOnDocument)?,
            given_name: filled(&self.given_name, Field::GivenName)?,
            surname: filled(&self.surname, Field::Surname)?,
        })
    }
}

pub fn method_label(lang: Lang, m: CheckMethod) -> &'static str {
    match m {
        CheckMethod::InPerson => lang.t("In person", "Persönlich"),
        CheckMethod::VideoCall => lang.t("Video call", "Videoanruf"),
    }
}

pub fn document_label(lang: Lang, d: DocumentType) -> &'static str {
    match d {
        DocumentType::Passport => lang.t("Passport", "Reisepass"),
        DocumentType::IdCard => lang.t("Identity card", "Personalausweis"),
        DocumentType::ResidencePermit => lang.t("Residence permit", "Aufenthaltstitel"),
        DocumentType::DrivingLicence => lang.t("Driving licence", "Führerschein"),
    }
}
