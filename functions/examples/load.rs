//! The load of `scripts/bench`: `GET /me` with a session, from `readers` keep-alive
//! connections for `seconds`, while `loggers` other connections log in back to back; prints
//! the reads' throughput and latency percentiles, and the logins' median, as JSON. A login
//! answered `captcha_required` (many at once on one name look like an attack) is solved and
//! sent again, as a client does, and its time counts the whole; a login refused otherwise
//! is counted in `logins_refused`. Each login is logged out again, untimed.
//!
//! Usage: load <host:port> <email> <password> <readers> <loggers> <seconds>

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request on a kept-alive connection; answers the status and the body.
async fn call(stream: &mut TcpStream, request: &[u8]) -> (u16, Vec<u8>) {
    stream.write_all(request).await.expect("write");
    let mut buffer = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.expect("read");
        assert!(n > 0, "the server closed the connection");
        buffer.extend_from_slice(&chunk[..n]);
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .map_or(0, |value| value.trim().parse().expect("content-length"));
        while buffer.len() < end + 4 + length {
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(n > 0, "the server closed the connection");
            buffer.extend_from_slice(&chunk[..n]);
        }
        let status = head[9..12].parse().expect("status");
        return (status, buffer[end + 4..end + 4 + length].to_vec());
    }
}

fn post(host: &str, path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, host, email, password, readers, loggers, seconds] = &args[..] else {
        panic!("usage: load <host:port> <email> <password> <readers> <loggers> <seconds>");
    };
    let (readers, loggers): (usize, usize) = (readers.parse().unwrap(), loggers.parse().unwrap());
    let duration = Duration::from_secs_f64(seconds.parse().unwrap());
    let login = post(
        host,
        "/sessions",
        &format!(r#"{{"email":"{email}","password":"{password}"}}"#),
    );
    let mut stream = TcpStream::connect(host.as_str()).await.unwrap();
    let (status, body) = call(&mut stream, &login).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let session: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let token = session["access_token"].as_str().unwrap().to_string();
    let me = format!("GET /me HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {token}\r\n\r\n")
        .into_bytes();

    let until = Instant::now() + duration;
    let mut tasks = Vec::new();
    for reader in 0..readers + loggers {
        let (host, request) = (
            host.clone(),
            if reader < readers {
                me.clone()
            } else {
                login.clone()
            },
        );
        let (email, password) = (email.clone(), password.clone());
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(host.as_str()).await.unwrap();
            let (mut latencies, mut refused) = (Vec::new(), 0);
            while Instant::now() < until {
                let started = Instant::now();
                let (mut status, mut body) = call(&mut stream, &request).await;
                // Asked again (harder) while others' attempts fill the day: solved again.
                for _ in 0..4 {
                    if status != 403 {
                        break;
                    }
                    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let challenge = problem["captcha"]["challenge"].as_str().unwrap();
                    let difficulty = problem["captcha"]["difficulty"].as_u64().unwrap() as u8;
                    let nonce = varco_domain::base::captcha::solve(challenge, difficulty);
                    let again = serde_json::json!({ "email": email, "password": password, "captcha": format!("{challenge}:{nonce}") });
                    (status, body) = call(&mut stream, &post(&host, "/sessions", &again.to_string())).await;
                }
                match status {
                    200..=299 => latencies.push(started.elapsed()),
                    429 if reader >= readers => refused += 1,
                    _ => panic!("{status} {}", String::from_utf8_lossy(&body)),
                }
                if reader >= readers && status == 201 {
                    // Logged out again, untimed: an account holds ten sessions, and the
                    // readers' must not be the oldest ended by the loop's.
                    let session: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let token = session["access_token"].as_str().unwrap();
                    let logout = format!("DELETE /sessions/current HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {token}\r\n\r\n");
                    let (status, _) = call(&mut stream, logout.as_bytes()).await;
                    assert_eq!(status, 204, "logout");
                }
            }
            (reader < readers, latencies, refused)
        }));
    }
    let (mut reads, mut logins, mut logins_refused) = (Vec::new(), Vec::new(), 0);
    for task in tasks {
        let (is_read, latencies, refused) = task.await.unwrap();
        if is_read { &mut reads } else { &mut logins }.extend(latencies);
        logins_refused += refused;
    }
    reads.sort();
    logins.sort();
    println!(
        "{}",
        serde_json::json!({
            "reads_per_second": (reads.len() as f64 / duration.as_secs_f64()).round(),
            "read_p50_ms": percentile(&reads, 0.5),
            "read_p99_ms": percentile(&reads, 0.99),
            "logins": logins.len(),
            "logins_refused": logins_refused,
            "login_p50_ms": percentile(&logins, 0.5),
        })
    );
}
