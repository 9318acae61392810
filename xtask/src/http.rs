//! A small HTTP/1.1 client over one kept-alive loopback connection, enough for the benchmarks
//! to sign in, submit requests and read the desk's queue while timing each answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One connection to `127.0.0.1:PORT`, reopened when the server closed it.
pub struct Conn {
    origin: String,
    reader: Option<BufReader<TcpStream>>,
}

/// What the server answered.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `name=value` of the session cookie the answer sets.
    pub fn cookie(&self) -> Option<String> {
        let pair = self.header("set-cookie")?.split(';').next()?.trim();
        (!pair.ends_with('=')).then(|| pair.to_owned())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Conn {
    /// `origin` is `http://127.0.0.1:PORT`; the connection opens with the first request.
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            reader: None,
        }
    }

    pub fn get(&mut self, path: &str, cookie: Option<&str>) -> Result<Answer, String> {
        self.send("GET", path, cookie, None)
    }

    pub fn post_json(
        &mut self,
        path: &str,
        cookie: Option<&str>,
        body: &str,
    ) -> Result<Answer, String> {
        self.send("POST", path, cookie, Some(body))
    }

    /// Sends one request; a connection the server closed in between is opened again once.
    fn send(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<&str>,
    ) -> Result<Answer, String> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\n",
            host = self.origin.trim_start_matches("http://"),
            origin = self.origin
        );
        if let Some(c) = cookie {
            head.push_str(&format!("Cookie: {c}\r\n"));
        }
        if let Some(b) = body {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(body.unwrap_or(""));
        let reused = self.reader.is_some();
        match self.exchange(head.as_bytes()) {
            Ok(a) => Ok(a),
            Err(_) if reused => {
                self.reader = None;
                self.exchange(head.as_bytes())
            }
            Err(e) => Err(e),
        }
    }

    fn exchange(&mut self, request: &[u8]) -> Result<Answer, String> {
        let reader = match &mut self.reader {
            Some(r) => r,
            None => {
                let addr = self.origin.trim_start_matches("http://");
                let stream = TcpStream::connect(addr)
                    .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .map_err(|e| e.to_string())?;
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                self.reader.insert(BufReader::new(stream))
            }
        };
        let outcome = exchange(reader, request);
        if outcome.as_ref().map_or(true, |(_, close)| *close) {
            self.reader = None;
        }
        outcome.map(|(answer, _)| answer)
    }
}

/// Writes `request` and reads one answer; the flag says whether the server closes.
fn exchange(reader: &mut BufReader<TcpStream>, request: &[u8]) -> Result<(Answer, bool), String> {
    reader
        .get_mut()
        .write_all(request)
        .map_err(|e| format!("cannot send: {e}"))?;
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP status line: {line:?}"))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the answer: {e}"))?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((n, v)) = l.split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let mut answer = Answer {
        status,
        headers,
        body: Vec::new(),
    };
    let close = answer
        .header("connection")
        .is_some_and(|v| v.eq_ignore_ascii_case("close"));
    if answer
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        answer.body = read_chunked(reader)?;
    } else {
        let length: usize = answer
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        answer.body = vec![0; length];
        reader
            .read_exact(&mut answer.body)
            .map_err(|e| format!("cannot read the body: {e}"))?;
    }
    Ok((answer, close))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| format!("bad chunk size {line:?}"))?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk).map_err(|e| e.to_string())?;
        chunk.truncate(size);
        body.extend(chunk);
        if size == 0 {
            return Ok(body);
        }
    }
}
