//! Reading a request and writing a response on the socket, including the deliberate
//! misbehaviour (delays, trickle, endless and truncated bodies).

use std::io::{BufRead, Write};
use std::net::{Shutdown, TcpStream};

use super::{BodyMode, Request, Response, Shared};

pub(super) fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let version = parts.next().unwrap_or("HTTP/1.0").to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        index: 0,
        method,
        target,
        version,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

pub(super) fn write_response(
    mut stream: TcpStream,
    req: &Request,
    resp: &Response,
    shared: &Shared,
) -> std::io::Result<()> {
    if !resp.delay.is_zero() && !shared.pause(resp.delay) {
        return Ok(());
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let no_body = resp.status == 304 || resp.status == 204 || (100..200).contains(&resp.status);
    let endless = matches!(resp.mode, BodyMode::Endless);
    if !no_body && !endless && !resp.has_header("content-length") {
        head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    if no_body || req.method.eq_ignore_ascii_case("HEAD") {
        stream.flush()?;
        return stream.shutdown(Shutdown::Write);
    }
    match resp.mode {
        BodyMode::Whole => stream.write_all(&resp.body)?,
        BodyMode::Trickle(pause) => {
            for b in &resp.body {
                if !shared.pause(pause) {
                    return Ok(());
                }
                stream.write_all(std::slice::from_ref(b))?;
                stream.flush()?;
            }
        }
        BodyMode::Endless => {
            let chunk: &[u8] = if resp.body.is_empty() {
                b"xxxxxxxxxxxxxxxx"
            } else {
                &resp.body
            };
            while !shared.is_stopping() {
                stream.write_all(chunk)?;
            }
            return Ok(());
        }
        BodyMode::Truncated(sent) => {
            stream.write_all(&resp.body[..sent.min(resp.body.len())])?;
        }
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Write)
}
