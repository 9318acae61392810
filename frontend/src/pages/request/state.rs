//! The wizard's state and rules, without any view: what was typed (one struct held above the
//! steps, so going back and forth keeps it), which step follows which, what each step
//! requires, and which step a refusal of the server belongs to.

use shared::api::{ErrorCode, MailboxView, NewRequest, RequestKind, RequestOptions};
use shared::pki::KeyType;

use crate::components::password_rules::{self, Meter, PasswordProblem};

/// The longest name the server accepts (given name and surname each, and together).
pub const MAX_NAME: usize = 64;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Kind,
    Addresses,
    Names,
    KeyType,
    Password,
    Terms,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Self::Kind,
        Self::Addresses,
        Self::Names,
        Self::KeyType,
        Self::Password,
        Self::Terms,
    ];

    /// 1 to 6, as "Step 2 of 6" says.
    pub fn number(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self.number()).copied()
    }

    pub fn previous(self) -> Option<Step> {
        self.number()
            .checked_sub(2)
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// A short name for the progress indicator; stable for tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Addresses => "addresses",
            Self::Names => "names",
            Self::KeyType => "key-type",
            Self::Password => "password",
            Self::Terms => "terms",
        }
    }
}

/// Everything typed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: RequestKind,
    /// The chosen addresses, the first being the primary one.
    pub addresses: Vec<String>,
    pub given_name: String,
    pub surname: String,
    pub key_type: KeyType,
    pub password: String,
    pub confirm: String,
    pub terms_accepted: bool,
}

impl Draft {
    /// A new draft: a personal certificate for the signed-in address, the safe default key
    /// type if the server allows it.
    pub fn new(options: &RequestOptions) -> Self {
        let key_type = if options.key_types.contains(&KeyType::default()) {
            KeyType::default()
        } else {
            options.key_types.first().copied().unwrap_or_default()
        };
        Self {
            kind: RequestKind::Personal,
            addresses: vec![options.email.clone()],
            given_name: String::new(),
            surname: String::new(),
            key_type,
            password: String::new(),
            confirm: String::new(),
            terms_accepted: false,
        }
    }

    /// Changes the kind; the addresses start again (own address, or the only mailbox of the
    /// kind), the names are kept in case the person comes back.
    pub fn set_kind(&mut self, kind: RequestKind, options: &RequestOptions) {
        if kind == self.kind {
            return;
        }
        self.kind = kind;
        self.addresses = match kind {
            RequestKind::Personal => vec![options.email.clone()],
            _ => match mailboxes(options, kind).as_slice() {
                [only] => vec![only.address.clone()],
                _ => Vec::new(),
            },
        };
    }

    /// Adds or removes a mailbox, keeping the order in which they were chosen.
    pub fn toggle_address(&mut self, address: &str, on: bool) {
        self.addresses.retain(|a| a != address);
        if on {
            self.addresses.push(address.to_owned());
        }
    }

    /// The request to send with `csr` (PEM).
    pub fn to_request(&self, csr: String) -> NewRequest {
        let personal = self.kind == RequestKind::Personal;
        let name = |s: &str| personal.then(|| s.trim().to_owned());
        NewRequest {
            kind: self.kind,
            addresses: self.addresses.clone(),
            given_name: name(&self.given_name),
            surname: name(&self.surname),
            csr,
            csr_encoding: Default::default(),
            terms_accepted: self.terms_accepted,
        }
    }

    /// Words the strength meter counts as easy to guess for this person.
    pub fn personal_words(&self, email: &str) -> Vec<String> {
        let mut words = vec![email.to_owned()];
        words.extend(email.split(['@', '.', '-', '_']).map(str::to_owned));
        words.extend(self.addresses.iter().cloned());
        words.push(self.given_name.clone());
        words.push(self.surname.clone());
        words.retain(|w| w.chars().count() > 2);
        words
    }

    /// The key file's name: what it is for and when it was made, e.g.
    /// `alice@example.org_20261121_key.pem` or `GRP_secretariat@example.org_20261121_key.pem`,
    /// so that the files of several certificates over the years stay apart.
    pub fn key_file_name(&self, yyyymmdd: &str) -> String {
        let primary = self.addresses.first().map_or("certificate", String::as_str);
        let prefix = match self.kind {
            RequestKind::Personal => "",
            RequestKind::Role => "ROLE_",
            RequestKind::Group => "GRP_",
        };
        format!("{prefix}{primary}_{yyyymmdd}_key.pem")
    }
}

/// The role or group mailboxes the person owns, of `kind`.
pub fn mailboxes(options: &RequestOptions, kind: RequestKind) -> Vec<&MailboxView> {
    options
        .mailboxes
        .iter()
        .filter(|m| m.kind == kind)
        .collect()
}

/// The kinds to offer: personal always, role and group only with an owned mailbox.
pub fn kinds_offered(options: &RequestOptions) -> Vec<RequestKind> {
    RequestKind::ALL
        .into_iter()
        .filter(|k| *k == RequestKind::Personal || !mailboxes(options, *k).is_empty())
        .collect()
}

/// Why a step cannot be left forward yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    KindNotOffered,
    NoAddress,
    GivenNameMissing,
    SurnameMissing,
    NameTooLong,
    NameInvalid,
    KeyTypeNotAllowed,
    Password(Vec<PasswordProblem>),
    TermsNotAccepted,
}

fn name_problem(given: &str, surname: &str) -> Option<Problem> {
    let (given, surname) = (given.trim(), surname.trim());
    if given.is_empty() {
        return Some(Problem::GivenNameMissing);
    }
    if surname.is_empty() {
        return Some(Problem::SurnameMissing);
    }
    if given.chars().chain(surname.chars()).any(char::is_control) {
        return Some(Problem::NameInvalid);
    }
    (given.chars().count() + 1 + surname.chars().count() > MAX_NAME).then_some(Problem::NameTooLong)
}

/// What keeps `step` from being left forward; `None` when it is complete.
pub fn problem(
    step: Step,
    draft: &Draft,
    options: &RequestOptions,
    meter: Meter,
) -> Option<Problem> {
    match step {
        Step::Kind => {
            (!kinds_offered(options).contains(&draft.kind)).then_some(Problem::KindNotOffered)
        }
        Step::Addresses => {
            let owned = |a: &String| match draft.kind {
                RequestKind::Personal => *a == options.email,
                kind => mailboxes(options, kind).iter().any(|m| m.address == *a),
            };
            (draft.addresses.is_empty() || !draft.addresses.iter().all(owned))
                .then_some(Problem::NoAddress)
        }
        Step::Names if draft.kind == RequestKind::Personal => {
            name_problem(&draft.given_name, &draft.surname)
        }
        Step::Names => None,
        Step::KeyType => {
            (!options.key_types.contains(&draft.key_type)).then_some(Problem::KeyTypeNotAllowed)
        }
        Step::Password => {
            let problems = password_rules::check(&draft.password, &draft.confirm, meter);
            (!problems.is_empty()).then_some(Problem::Password(problems))
        }
        Step::Terms => (!draft.terms_accepted).then_some(Problem::TermsNotAccepted),
    }
}

/// The step whose input a refusal of the server is about; `None` for refusals no step can
/// cure (the open-request limit, a lost session, a server fault).
pub fn step_of(code: ErrorCode) -> Option<Step> {
    use ErrorCode::*;
    match code {
        AddressInvalid | AddressNotOwn | MailboxNotRegistered | NotMailboxOwner
        | CsrAddressMismatch => Some(Step::Addresses),
        NameRequired | NameInvalid => Some(Step::Names),
        KeyTypeNotAllowed
        | RsaTooSmall
        | RsaModulusNotMultipleOf8
        | RsaBadExponent
        | RsaSmallFactor
        | RsaFermatFactorable
        | RsaRoca
        | EcPointInvalid
        | PublicKeyInvalid
        | CsrMalformed
        | CsrSignatureInvalid
        | CsrAlgorithmUnsupported => Some(Step::KeyType),
        TermsNotAccepted => Some(Step::Terms),
        _ => None,
    }
}
