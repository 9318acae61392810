//! The small CSV dialect of the import files: comma-separated, one record per line, fields
//! optionally in double quotes (a quote inside doubled), blank lines and `#` comments
//! skipped, and an optional first line naming the columns.

use std::path::Path;

use crate::{Error, Result};

/// One record with its line number (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub fields: Vec<String>,
}

/// Reads `path` and returns its records with exactly `columns.len()` fields each; a first
/// line equal to the column names is a header and skipped. Any bad line stops the import.
pub fn read(path: &Path, columns: &[&str]) -> Result<Vec<Record>> {
    let text = std::fs::read(path).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    let text = String::from_utf8(text).map_err(|_| {
        Error::Usage(format!(
            "{}: not UTF-8 text; save the file as UTF-8 CSV",
            path.display()
        ))
    })?;
    parse(path, text.trim_start_matches('\u{feff}'), columns)
}

/// Reads an import file whose lines `item` turns into values, each with a key that must be
/// unique in the file. The first bad line, a repeated key, or an empty file stops it.
pub fn import<T, const N: usize>(
    path: &Path,
    columns: [&str; N],
    noun: &str,
    mut item: impl FnMut(&[String; N]) -> std::result::Result<(String, T), String>,
) -> Result<Vec<T>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for record in read(path, &columns)? {
        let bad = |reason: String| Error::ImportLine {
            file: path.to_owned(),
            line: record.line,
            reason,
        };
        let fields: &[String; N] = record.fields[..]
            .try_into()
            .map_err(|_| bad("wrong number of fields".into()))?;
        let (key, value) = item(fields).map_err(bad)?;
        if !seen.insert(key.clone()) {
            return Err(bad(format!("{key} is listed twice")));
        }
        out.push(value);
    }
    if out.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no {noun} in the file (columns: {})",
            path.display(),
            columns.join(",")
        )));
    }
    Ok(out)
}

fn parse(path: &Path, text: &str, columns: &[&str]) -> Result<Vec<Record>> {
    let bad = |line: u64, reason: String| Error::ImportLine {
        file: path.to_owned(),
        line,
        reason,
    };
    let mut records = Vec::new();
    let mut first = true;
    for (n, raw) in (1u64..).zip(text.lines()) {
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let fields = split(content).map_err(|reason| bad(n, reason))?;
        let header = first
            && fields.len() == columns.len()
            && fields
                .iter()
                .zip(columns)
                .all(|(f, c)| f.eq_ignore_ascii_case(c));
        first = false;
        if header {
            continue;
        }
        if fields.len() != columns.len() {
            return Err(bad(
                n,
                format!(
                    "{} fields where {} are expected ({})",
                    fields.len(),
                    columns.len(),
                    columns.join(",")
                ),
            ));
        }
        records.push(Record { line: n, fields });
    }
    Ok(records)
}

/// Splits one line into trimmed fields.
fn split(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => return Err("a quoted field is not closed".into()),
                }
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            if !matches!(chars.peek(), None | Some(',')) {
                return Err("text after a quoted field; put the whole field in quotes".into());
            }
        } else {
            while let Some(c) = chars.peek().copied().filter(|c| *c != ',') {
                if c == '"' {
                    return Err("a quote inside an unquoted field; quote the whole field".into());
                }
                field.push(c);
                chars.next();
            }
            field = field.trim_end().to_owned();
        }
        fields.push(field);
        if chars.next().is_none() {
            return Ok(fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_quotes_headers_and_comments() {
        let text = "address,kind,name,owners\n\n# secretariats\n\
                    sec@x.org, group ,\"Secretariat, Physics\",a@x.org b@x.org\n\
                    dpo@x.org,role,\"The \"\"DPO\"\"\",c@x.org\n";
        let r = parse(
            Path::new("m.csv"),
            text,
            &["address", "kind", "name", "owners"],
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].line, 4);
        assert_eq!(
            r[0].fields,
            [
                "sec@x.org",
                "group",
                "Secretariat, Physics",
                "a@x.org b@x.org"
            ]
        );
        assert_eq!(r[1].fields[2], "The \"DPO\"");
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        for (text, line, word) in [
            ("a,b\nc\n", 2, "1 fields"),
            ("a,\"b\n", 1, "not closed"),
            ("a,b\"c\n", 1, "quote inside"),
            ("\"a\"b,c\n", 1, "after a quoted"),
        ] {
            let e = parse(Path::new("f.csv"), text, &["x", "y"]).unwrap_err();
            let Error::ImportLine {
                line: l, reason, ..
            } = &e
            else {
                panic!("{e}")
            };
            assert_eq!(*l, line, "{text:?}");
            assert!(reason.contains(word), "{reason}");
            assert!(
                e.to_string().starts_with(&format!("f.csv line {line}: ")),
                "{e}"
            );
        }
    }
}
