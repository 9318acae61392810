//! Who is signed in, asked of the server once when the app starts and again after signing in
//! or out.

use shared::api::{ErrorCode, Me, Role};
use yew::prelude::*;

use crate::api;

#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    Loading,
    SignedOut,
    SignedIn(Me),
}

impl Session {
    pub fn me(&self) -> Option<&Me> {
        match self {
            Self::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    /// Whether the signed-in person works at the service desk (or administers certdesk).
    pub fn is_desk(&self) -> bool {
        self.me().is_some_and(|m| m.role >= Role::Desk)
    }
}

#[derive(Clone, PartialEq)]
pub struct SessionContext {
    pub session: Session,
    /// Sets the session directly (after signing in or out).
    pub set: Callback<Session>,
}

#[hook]
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().unwrap_or(SessionContext {
        session: Session::Loading,
        set: Callback::default(),
    })
}

/// Asks the server who is signed in, once.
#[hook]
pub fn use_session_state() -> SessionContext {
    let session = use_state(|| Session::Loading);
    {
        let session = session.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                session.set(match api::me().await {
                    Ok(me) => Session::SignedIn(me),
                    Err(e) if e.code == ErrorCode::NotSignedIn => Session::SignedOut,
                    // The server's status line in the footer says what is wrong.
                    Err(_) => Session::SignedOut,
                });
            });
        });
    }
    let set = {
        let session = session.clone();
        Callback::from(move |s: Session| session.set(s))
    };
    SessionContext {
        session: (*session).clone(),
        set,
    }
}
