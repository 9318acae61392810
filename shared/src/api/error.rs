use std::fmt;

use serde::{Deserialize, Serialize};

/// Every error the API can answer with. The code is stable and searchable: clients and
/// operators key on it, the message is for people and may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No route at this path.
    NotFound,
    /// The request body or parameters could not be understood.
    BadRequest,
    /// Something failed on the server; details are in the server log only.
    Internal,
    /// The database did not answer.
    DatabaseUnavailable,
}

impl ErrorCode {
    /// The stable code as it appears on the wire and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest => "bad_request",
            Self::Internal => "internal",
            Self::DatabaseUnavailable => "database_unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error answer: `{"code": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} ({code})")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_code_matches_as_str() {
        for code in [
            ErrorCode::NotFound,
            ErrorCode::BadRequest,
            ErrorCode::Internal,
            ErrorCode::DatabaseUnavailable,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn error_body_shape() {
        let e = ApiError::new(ErrorCode::NotFound, "no such page");
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code": "not_found", "message": "no such page"})
        );
    }
}
