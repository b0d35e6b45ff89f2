//! The preview server under load: 100 concurrent keep-alive connections for 30 seconds while the
//! site is edited and rebuilt, with zero errors; and memory that stays flat over 1,000 rebuilds.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::common::*;

/// One keep-alive request on an open connection: the status, after reading the whole body.
fn request(stream: &mut TcpStream, path: &str) -> std::io::Result<u16> {
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed",
            ));
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body)?;
    Ok(status)
}

#[test]
#[ignore = "endurance: 30 s of load; .ci/run runs it"]
fn hundred_concurrent_connections_for_thirty_seconds_while_editing() {
    let site = temp_site("bundled");
    let server = server::Server::start(site.path());
    let port = server.port;
    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let md = site.path().join("content/2020/report.md");
    let text = fs::read_to_string(&md).unwrap();
    let editor = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                fs::write(&md, format!("{text}\n第{n}次编辑。\n")).unwrap();
                std::thread::sleep(Duration::from_millis(150));
            }
            n
        })
    };
    let paths = [
        "/",
        "/2020/",
        "/2020/index.html",
        "/compare/index.html",
        "/static/style.css",
        "/data/2020.json",
        "/robots.txt",
    ];
    let clients: Vec<_> = (0..100)
        .map(|i| {
            let (stop, ok, errors) = (stop.clone(), ok.clone(), errors.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut k = i;
                while !stop.load(Ordering::Relaxed) {
                    k += 1;
                    match request(&mut stream, paths[k % paths.len()]) {
                        Ok(200) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
                            stream
                                .set_read_timeout(Some(Duration::from_secs(10)))
                                .unwrap();
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(30));
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let edits = editor.join().unwrap();
    drop(server);
    let (ok, errors) = (ok.load(Ordering::Relaxed), errors.load(Ordering::Relaxed));
    eprintln!(
        "load: 100 connections × 30 s, {edits} edits: {ok} requests answered 200, {errors} errors"
    );
    assert_eq!(errors, 0);
    assert!(ok > 1000, "only {ok} requests");
}

fn rss_kib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "endurance: 1,000 rebuilds; .ci/run runs it"]
fn memory_stays_flat_over_a_thousand_rebuilds() {
    let site = temp_site("bundled");
    let server = server::Server::start(site.path());
    let mut ws = server.live();
    let md = site.path().join("content/2020/report.md");
    let text = fs::read_to_string(&md).unwrap();
    let pid = server.child.id();
    let mut after_warmup = 0;
    let started = Instant::now();
    for i in 1..=1000 {
        fs::write(&md, format!("{text}\n第{i}次编辑。\n")).unwrap();
        loop {
            match ws.read().expect("no reload within 10 s") {
                tungstenite::Message::Text(t) if t.as_str().contains("\"reload\"") => break,
                tungstenite::Message::Text(t) => panic!("rebuild {i}: {}", t.as_str()),
                _ => {}
            }
        }
        if i == 100 {
            after_warmup = rss_kib(pid);
        }
    }
    let at_end = rss_kib(pid);
    drop(server);
    eprintln!(
        "1000 rebuilds in {:?}: RSS {after_warmup} KiB after 100, {at_end} KiB after 1000",
        started.elapsed()
    );
    assert!(
        at_end <= after_warmup + after_warmup / 5 + 4096,
        "memory grew: {after_warmup} → {at_end} KiB"
    );
}
