use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::api::{ApiError, ErrorCode};

/// An API error answer: the status code and the `{code, message}` body.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub body: ApiError,
    /// Seconds for a `Retry-After` header (rate limits).
    pub retry_after: Option<i64>,
}

impl HttpError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let status = match code {
            ErrorCode::NotFound | ErrorCode::CollectLinkInvalid => StatusCode::NOT_FOUND,
            ErrorCode::CertificateRevoked | ErrorCode::CertificateExpired => StatusCode::GONE,
            ErrorCode::AlreadyRevoked => StatusCode::CONFLICT,
            ErrorCode::ReasonNotAllowed => StatusCode::FORBIDDEN,
            ErrorCode::BadRequest
            | ErrorCode::EmailNotAllowed
            | ErrorCode::LinkInvalid
            | ErrorCode::LinkUsed
            | ErrorCode::LinkExpired => StatusCode::BAD_REQUEST,
            ErrorCode::NotSignedIn => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::CrossSiteRequest => StatusCode::FORBIDDEN,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TermsNotAccepted
            | ErrorCode::AddressInvalid
            | ErrorCode::NameRequired
            | ErrorCode::NameInvalid
            | ErrorCode::CsrMalformed
            | ErrorCode::CsrSignatureInvalid
            | ErrorCode::CsrAlgorithmUnsupported
            | ErrorCode::CsrAddressMismatch
            | ErrorCode::RsaTooSmall
            | ErrorCode::RsaModulusNotMultipleOf8
            | ErrorCode::RsaBadExponent
            | ErrorCode::RsaSmallFactor
            | ErrorCode::RsaFermatFactorable
            | ErrorCode::RsaRoca
            | ErrorCode::EcPointInvalid
            | ErrorCode::PublicKeyInvalid
            | ErrorCode::KeyTypeNotAllowed
            | ErrorCode::EvidenceInvalid
            | ErrorCode::ReasonRequired
            | ErrorCode::CursorInvalid => StatusCode::BAD_REQUEST,
            ErrorCode::AddressNotOwn
            | ErrorCode::MailboxNotRegistered
            | ErrorCode::NotMailboxOwner
            | ErrorCode::OwnRequest => StatusCode::FORBIDDEN,
            ErrorCode::RequestNotFound => StatusCode::NOT_FOUND,
            ErrorCode::TooManyOpenRequests | ErrorCode::RequestStateConflict => {
                StatusCode::CONFLICT
            }
        };
        Self {
            status,
            body: ApiError::new(code, message),
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, seconds: i64) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

/// Server-side failures reach the client as a code only; the details go to the log.
impl From<crate::Error> for HttpError {
    fn from(e: crate::Error) -> Self {
        match e {
            // Refused input: the caller learns exactly why.
            crate::Error::Api(e) => Self::new(e.code, e.message),
            crate::Error::Database(_) => {
                tracing::error!(code = e.code(), "{e}");
                Self::new(
                    ErrorCode::DatabaseUnavailable,
                    "The database is not available; please try again shortly.",
                )
            }
            e => {
                tracing::error!(code = e.code(), "{e}");
                Self::new(ErrorCode::Internal, "Something went wrong on the server.")
            }
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(s) = self.retry_after
            && let Ok(v) = axum::http::HeaderValue::from_str(&s.to_string())
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}

/// Unknown paths below `/api/` answer in JSON, never with the web app's page.
pub async fn api_not_found() -> HttpError {
    HttpError::new(
        ErrorCode::NotFound,
        "There is no API endpoint at this address.",
    )
}
