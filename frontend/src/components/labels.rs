//! Names of the API's enumerations and refusals as people read them, in English and German.

use shared::api::{ApiError, ErrorCode, RequestKind, RequestState, RevocationReason};

use crate::i18n::Lang;

pub fn kind_label(lang: Lang, kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Personal => lang.t("Personal", "Persönlich"),
        RequestKind::Role => lang.t("Role mailbox", "Funktionspostfach"),
        RequestKind::Group => lang.t("Group mailbox", "Gruppenpostfach"),
    }
}

pub fn state_label(lang: Lang, state: RequestState) -> &'static str {
    match state {
        RequestState::Submitted => lang.t("Submitted", "Eingereicht"),
        RequestState::AwaitingIdentityCheck => {
            lang.t("Awaiting identity check", "Wartet auf Identitätsprüfung")
        }
        RequestState::Approved => lang.t("Approved, being issued", "Genehmigt, wird ausgestellt"),
        RequestState::Issued => lang.t("Issued", "Ausgestellt"),
        RequestState::Collected => lang.t("Collected", "Abgeholt"),
        RequestState::Rejected => lang.t("Rejected", "Abgelehnt"),
        RequestState::Withdrawn => lang.t("Withdrawn", "Zurückgezogen"),
        RequestState::Expired => lang.t("Expired", "Verfallen"),
        RequestState::Revoked => lang.t("Revoked", "Widerrufen"),
    }
}

pub fn reason_label(lang: Lang, reason: RevocationReason) -> &'static str {
    match reason {
        RevocationReason::Unspecified => lang.t("No reason given", "Ohne Angabe eines Grundes"),
        RevocationReason::KeyCompromise => lang.t(
            "The key or its password may be known to someone else",
            "Schlüssel oder Passwort könnten anderen bekannt sein",
        ),
        RevocationReason::AffiliationChanged => lang.t(
            "Name or affiliation changed",
            "Name oder Zugehörigkeit geändert",
        ),
        RevocationReason::Superseded => lang.t(
            "Replaced by a new certificate",
            "Durch ein neues Zertifikat ersetzt",
        ),
        RevocationReason::CessationOfOperation => lang.t(
            "The mailbox or role no longer exists",
            "Das Postfach oder die Funktion besteht nicht mehr",
        ),
        RevocationReason::PrivilegeWithdrawn => lang.t(
            "The right to use it was withdrawn (service desk only)",
            "Die Berechtigung wurde entzogen (nur Service-Desk)",
        ),
    }
}

/// A refusal of the server as the service desk pages tell it. Codes without a text of their
/// own keep the server's (English) message.
pub fn api_error_text(lang: Lang, e: &ApiError) -> String {
    let t = |en: &'static str, de: &'static str| lang.t(en, de).to_owned();
    match e.code {
        ErrorCode::NotSignedIn => t(
            "Your session has ended. Please sign in again.",
            "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
        ),
        ErrorCode::Forbidden => t(
            "Your role does not allow this. The service desk pages are for service-desk officers \
             and administrators.",
            "Ihre Rolle erlaubt dies nicht. Die Service-Desk-Seiten sind für Mitarbeitende des \
             Service-Desks und Administratoren.",
        ),
        ErrorCode::OwnRequest => t(
            "You made this request yourself; another officer must decide it.",
            "Sie haben diesen Antrag selbst gestellt; eine andere Person am Service-Desk muss \
             darüber entscheiden.",
        ),
        ErrorCode::RequestStateConflict => t(
            "This request has already been decided or is no longer waiting. Reload the page to \
             see its state.",
            "Über diesen Antrag wurde bereits entschieden oder er wartet nicht mehr. Laden Sie \
             die Seite neu, um den Stand zu sehen.",
        ),
        ErrorCode::RequestNotFound => {
            t("There is no such request.", "Diesen Antrag gibt es nicht.")
        }
        ErrorCode::ReasonRequired => t(
            "Please give the reason for the rejection (at most 1000 characters); it is mailed \
             to the requester.",
            "Bitte geben Sie den Grund der Ablehnung an (höchstens 1000 Zeichen); er wird der \
             antragstellenden Person gemailt.",
        ),
        ErrorCode::EvidenceInvalid => lang.s(
            format!("The evidence is not complete: {}", e.message),
            format!(
                "Die Angaben zum Ausweis sind unvollständig oder ungültig: {}",
                e.message
            ),
        ),
        ErrorCode::CursorInvalid => t(
            "This page of the queue is no longer valid. Start again from the first page.",
            "Diese Seite der Warteschlange ist nicht mehr gültig. Beginnen Sie wieder mit der \
             ersten Seite.",
        ),
        ErrorCode::AlreadyRevoked => t(
            "This certificate is already revoked.",
            "Dieses Zertifikat ist bereits widerrufen.",
        ),
        ErrorCode::CertificateExpired => t(
            "This certificate has expired; it need not be revoked.",
            "Dieses Zertifikat ist abgelaufen; es muss nicht widerrufen werden.",
        ),
        ErrorCode::ReasonNotAllowed => t(
            "This reason is not allowed here; please choose another one.",
            "Dieser Grund ist hier nicht zulässig; bitte wählen Sie einen anderen.",
        ),
        ErrorCode::RateLimited => lang.s(
            format!("Too many attempts. {}", e.message),
            format!("Zu viele Versuche. {}", e.message),
        ),
        ErrorCode::DatabaseUnavailable => t(
            "The server's database does not answer. Please try again in a moment.",
            "Die Datenbank des Servers antwortet nicht. Bitte versuchen Sie es gleich noch \
             einmal.",
        ),
        ErrorCode::Internal => lang.s(
            format!("Something went wrong: {}", e.message),
            format!("Etwas ist schiefgegangen: {}", e.message),
        ),
        _ => e.message.clone(),
    }
}
