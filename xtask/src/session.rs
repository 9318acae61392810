//! Signed-in people for the server benchmarks, the way a person signs in: a link asked for,
//! its token read from the mail certdesk wrote into the data directory (no SMTP server is
//! configured), and traded for a session cookie. Plus their certificate requests, made by
//! openssl.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cmd::Ctx;
use crate::http::Conn;

const AUTH_LINK: &str = "/api/auth/link";
const AUTH_SESSION: &str = "/api/auth/session";

/// `[auth]` for a benchmark server: one client asks many links in a short time.
pub const AUTH_LIMITS: &str =
    "\n[auth]\nlinks_per_address = 1000\nlinks_per_client = 100000\nrate_window_minutes = 1\n";

/// Signs every address in and returns their session cookies (`name=value`), in order.
pub fn sign_in(origin: &str, data_dir: &Path, emails: &[String]) -> Result<Vec<String>, String> {
    let mail_dir = data_dir.join("mail");
    let before: HashSet<PathBuf> = mail_files(&mail_dir).into_iter().collect();
    let mut conn = Conn::new(origin);
    for email in emails {
        let body = serde_json::json!({ "email": email }).to_string();
        let a = conn.post_json(AUTH_LINK, None, &body)?;
        if a.status != 202 {
            return Err(format!(
                "sign-in link for {email}: {} {}",
                a.status,
                a.text()
            ));
        }
    }
    let tokens = wait_for_tokens(&mail_dir, &before, emails)?;
    let mut cookies = Vec::with_capacity(emails.len());
    for email in emails {
        let token = tokens.get(email).map(String::as_str).unwrap_or_default();
        let body = serde_json::json!({ "token": token }).to_string();
        let a = conn.post_json(AUTH_SESSION, None, &body)?;
        match a.cookie() {
            Some(c) if a.status == 200 => cookies.push(c),
            _ => return Err(format!("session for {email}: {} {}", a.status, a.text())),
        }
    }
    Ok(cookies)
}

fn mail_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default()
}

/// The sign-in token mailed to each address, from mails that were not there `before`.
fn wait_for_tokens(
    dir: &Path,
    before: &HashSet<PathBuf>,
    emails: &[String],
) -> Result<HashMap<String, String>, String> {
    let wanted: HashSet<&str> = emails.iter().map(String::as_str).collect();
    let mut tokens = HashMap::new();
    let mut read = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while tokens.len() < wanted.len() {
        if Instant::now() > deadline {
            return Err(format!(
                "only {} of {} sign-in mails arrived in {}",
                tokens.len(),
                wanted.len(),
                dir.display()
            ));
        }
        for path in mail_files(dir) {
            if before.contains(&path) || read.contains(&path) {
                continue;
            }
            // A file still being written has no complete token yet: read it again later.
            let Ok(raw) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Some((to, token)) = signin_mail(&raw)
                && wanted.contains(to.as_str())
            {
                tokens.insert(to, token);
                read.insert(path);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(tokens)
}

/// The recipient and the token of a sign-in mail (`…/signin#TOKEN` in its quoted-printable
/// text part).
pub fn signin_mail(raw: &str) -> Option<(String, String)> {
    let to = raw.lines().find_map(|l| l.strip_prefix("To:"))?.trim();
    let to = to
        .rsplit_once('<')
        .map_or(to, |(_, a)| a.trim_end_matches('>'))
        .to_owned();
    // Soft line breaks of quoted-printable may split the link.
    let text = raw.replace("=\r\n", "").replace("=\n", "");
    let start = text.find("/signin#")? + "/signin#".len();
    let token: String = text
        .get(start..)?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (token.len() >= 32).then_some((to, token))
}

/// A new private key for certificate requests: `algorithm` as `openssl genpkey` takes it,
/// e.g. `["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]`.
pub fn key(ctx: &Ctx, file: &Path, algorithm: &[&str]) -> Result<(), String> {
    let out = ctx
        .command("openssl")
        .arg("genpkey")
        .args(algorithm)
        .arg("-out")
        .arg(file)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl genpkey failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A PEM certificate request for `email`, signed by `key`. The key may be shared by many
/// requests: intake checks each request's key, not whether it was seen before.
pub fn csr(ctx: &Ctx, key: &Path, email: &str) -> Result<String, String> {
    let out = ctx
        .command("openssl")
        .args(["req", "-new", "-sha256", "-key"])
        .arg(key)
        .args(["-subj", &format!("/CN={email}")])
        .args(["-addext", &format!("subjectAltName=email:{email}")])
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "openssl req failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The body of `POST /api/requests`: a personal certificate for `email`.
pub fn personal_request(email: &str, csr: &str) -> String {
    serde_json::json!({
        "kind": "personal",
        "addresses": [email],
        "given_name": "Bench",
        "surname": "Person",
        "csr": csr,
        "terms_accepted": true,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::signin_mail;

    #[test]
    fn reads_sign_in_mails() {
        let raw = "From: \"Org\" <certdesk@example.org>\nTo: a1@example.org\nSubject: x\n\n\
                   Content-Transfer-Encoding: quoted-printable\n\nopen this link:\n\n\
                   http://127.0.0.1:4000/signin#vr6q4QUNiWxtUcX6kpGy3nKcq=\nFpAHmq387kSORoPNwE\n";
        let (to, token) = signin_mail(raw).unwrap_or_else(|| panic!("a sign-in mail"));
        assert_eq!(to, "a1@example.org");
        assert_eq!(token, "vr6q4QUNiWxtUcX6kpGy3nKcqFpAHmq387kSORoPNwE");
        let named = raw.replace("To: a1@example.org", "To: \"A\" <a1@example.org>");
        assert_eq!(
            signin_mail(&named).map(|m| m.0).as_deref(),
            Some("a1@example.org")
        );
        assert_eq!(signin_mail("To: a@example.org\n\nno link"), None);
    }
}
