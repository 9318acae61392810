//! Names and labels on the collect page that need no browser: the .p12 files' names and the
//! issuer's name.

use shared::pki::P12Format;

/// What the compatible file's name adds, so both files can sit in one folder.
pub const COMPATIBLE_SUFFIX: &str = "_compatible";

/// The download's file name: `<stem>.p12` for the modern file, `<stem>_compatible.p12` for
/// the compatible one. Characters no file system takes are replaced; an empty stem becomes
/// `certificate`.
pub fn p12_file_name(stem: &str, format: P12Format) -> String {
    let mut name: String = stem
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    // A leading dot would hide the file on Unix systems.
    let trimmed = name.trim_start_matches('.').len();
    name = name.split_off(name.len() - trimmed);
    if name.is_empty() {
        name = "certificate".into();
    }
    if format == P12Format::Compatible {
        name.push_str(COMPATIBLE_SUFFIX);
    }
    name.push_str(".p12");
    name
}

/// The common name out of a distinguished name as RFC 4514 writes it
/// (`CN=Example Issuing CA,O=Example,C=DE` → `Example Issuing CA`); the whole name if it has
/// no CN.
pub fn common_name(dn: &str) -> String {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in dn.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' || c == '+' {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
        .iter()
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("CN")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_else(|| dn.to_owned())
}
