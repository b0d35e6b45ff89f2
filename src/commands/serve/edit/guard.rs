//! The request guard: a local server that writes files is an attack surface (EDITING.md).
//!
//! Any web page the clerk visits can send requests to `127.0.0.1`, and a hostile name can be
//! made to resolve to it (DNS rebinding). So, for every request to the editor (its pages carry
//! the token, its API reads and writes the reports):
//!
//! - editing is on only when `serve` listens on a loopback address (`--bind` elsewhere turns it
//!   off: other computers could reach it);
//! - the `Host` header must name the server as bound — `127.0.0.1:<port>` (or `[::1]:<port>`)
//!   or `localhost:<port>`, which browsers resolve to loopback only — never a name an attacker
//!   controls;
//! - a POST must carry the per-process random token that only the editor's own pages hold
//!   (`<meta name="gongkai-token">`): in the `X-Gongkai-Token` header (the API), or in the
//!   `token` field of the editor's own form (a plain form cannot send headers); a page on
//!   another site cannot read it (same-origin policy), so it cannot forge the request;
//! - an `Origin` header, when present, must be the server's own (`null` is not).

use std::net::SocketAddr;

use axum::http::{HeaderMap, Method, header};

/// Why a request was refused (403), in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Editing is off (not bound to loopback).
    Off,
    /// `Host` is not the server's own.
    Host,
    /// `Origin` is not the server's own.
    Origin,
    /// The token is missing or wrong.
    Token,
}

impl Refusal {
    /// The message shown.
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Off => {
                "编辑功能已关闭：预览服务没有只监听本机（--bind 为其他地址时，同一网络中的电脑也能访问）。如需在浏览器中编辑，请不带 --bind 运行 gongkai serve。"
            }
            Refusal::Host => {
                "请求被拒绝：访问地址不是本机的预览服务。请直接打开 gongkai serve 显示的地址（http://127.0.0.1:端口/edit/）。"
            }
            Refusal::Origin => "请求被拒绝：请求来自其他网站。只有编辑页面本身可以保存。",
            Refusal::Token => {
                "请求被拒绝：缺少或带错了编辑令牌。请重新打开编辑页面（gongkai serve 每次启动都会换一个令牌）。"
            }
        }
    }
}

/// What the guard knows: whether editing is on, the server's own hosts and the token.
#[derive(Debug, Clone)]
pub struct Guard {
    enabled: bool,
    hosts: Vec<String>,
    token: String,
}

impl Guard {
    /// The guard of a server listening at `addr`, with a fresh random token. Editing is on only
    /// for a loopback address (and when a token could be drawn).
    pub fn new(addr: SocketAddr) -> Guard {
        let token = new_token();
        Guard::with_token(addr, token)
    }

    fn with_token(addr: SocketAddr, token: Option<String>) -> Guard {
        let port = addr.port();
        let mut names = vec![match addr {
            SocketAddr::V4(a) => a.ip().to_string(),
            SocketAddr::V6(a) => format!("[{}]", a.ip()),
        }];
        names.push("localhost".into());
        let mut hosts: Vec<String> = names.iter().map(|n| format!("{n}:{port}")).collect();
        if port == 80 {
            hosts.extend(names);
        }
        Guard {
            enabled: addr.ip().is_loopback() && token.is_some(),
            hosts,
            token: token.unwrap_or_default(),
        }
    }

    /// Whether editing is on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The token the editor's pages carry.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Check a request; `form_token` is the `token` field of a form POST.
    pub fn check(
        &self,
        method: &Method,
        headers: &HeaderMap,
        form_token: Option<&str>,
    ) -> Result<(), Refusal> {
        if !self.enabled {
            return Err(Refusal::Off);
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        if !host.is_some_and(|h| self.hosts.contains(&h)) {
            return Err(Refusal::Host);
        }
        if *method == Method::GET || *method == Method::HEAD {
            return Ok(());
        }
        // Every header value, not the first only: two Origin headers are refused unless both
        // are ours.
        for origin in headers.get_all(header::ORIGIN) {
            let own = origin
                .to_str()
                .ok()
                .map(str::to_ascii_lowercase)
                .and_then(|o| o.strip_prefix("http://").map(str::to_string))
                .is_some_and(|h| self.hosts.contains(&h));
            if !own {
                return Err(Refusal::Origin);
            }
        }
        let given = headers
            .get("x-gongkai-token")
            .and_then(|t| t.to_str().ok())
            .or(form_token);
        match given {
            Some(t) if same(t.as_bytes(), self.token.as_bytes()) => Ok(()),
            _ => Err(Refusal::Token),
        }
    }
}

/// 32 random bytes from the operating system, in hex.
fn new_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Equal, in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn only_own_hosts_origins_and_the_token_pass() {
        let g = Guard::with_token("127.0.0.1:8080".parse().unwrap(), Some("t0k".into()));
        let post = Method::POST;
        let ok = |h: &[(&str, &str)]| g.check(&post, &headers(h), None);
        assert_eq!(
            ok(&[("host", "127.0.0.1:8080"), ("x-gongkai-token", "t0k")]),
            Ok(())
        );
        assert_eq!(
            ok(&[
                ("host", "LOCALHOST:8080"),
                ("origin", "http://localhost:8080"),
                ("x-gongkai-token", "t0k")
            ]),
            Ok(())
        );
        assert_eq!(
            ok(&[("host", "evil.example:8080"), ("x-gongkai-token", "t0k")]),
            Err(Refusal::Host)
        );
        assert_eq!(
            ok(&[("host", "127.0.0.1:8081"), ("x-gongkai-token", "t0k")]),
            Err(Refusal::Host)
        );
        assert_eq!(
            ok(&[("host", "127.0.0.1"), ("x-gongkai-token", "t0k")]),
            Err(Refusal::Host)
        );
        assert_eq!(ok(&[("x-gongkai-token", "t0k")]), Err(Refusal::Host));
        assert_eq!(
            ok(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://evil.example"),
                ("x-gongkai-token", "t0k")
            ]),
            Err(Refusal::Origin)
        );
        assert_eq!(
            ok(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "null"),
                ("x-gongkai-token", "t0k")
            ]),
            Err(Refusal::Origin)
        );
        assert_eq!(
            ok(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://127.0.0.1:8080"),
                ("x-gongkai-token", "t0k")
            ]),
            Err(Refusal::Origin)
        );
        assert_eq!(
            ok(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("origin", "http://evil.example"),
                ("x-gongkai-token", "t0k")
            ]),
            Err(Refusal::Origin)
        );
        assert_eq!(ok(&[("host", "127.0.0.1:8080")]), Err(Refusal::Token));
        assert_eq!(
            ok(&[("host", "127.0.0.1:8080"), ("x-gongkai-token", "t0K")]),
            Err(Refusal::Token)
        );
        assert_eq!(
            ok(&[("host", "127.0.0.1:8080"), ("x-gongkai-token", "")]),
            Err(Refusal::Token)
        );
        assert_eq!(
            g.check(&post, &headers(&[("host", "127.0.0.1:8080")]), Some("t0k")),
            Ok(())
        );
        // Reading needs the right Host only.
        assert_eq!(
            g.check(&Method::GET, &headers(&[("host", "127.0.0.1:8080")]), None),
            Ok(())
        );
        assert_eq!(
            g.check(
                &Method::GET,
                &headers(&[("host", "rebound.example:8080")]),
                None
            ),
            Err(Refusal::Host)
        );
    }

    #[test]
    fn editing_is_off_away_from_loopback() {
        let g = Guard::with_token("0.0.0.0:8080".parse().unwrap(), Some("t".into()));
        assert!(!g.enabled());
        let h = headers(&[("host", "0.0.0.0:8080"), ("x-gongkai-token", "t")]);
        assert_eq!(g.check(&Method::POST, &h, None), Err(Refusal::Off));
        assert!(
            Guard::with_token("[::1]:80".parse().unwrap(), Some("t".into()))
                .hosts
                .contains(&"[::1]".to_string())
        );
        assert!(!Guard::with_token("127.0.0.1:1".parse().unwrap(), None).enabled());
        assert_eq!(new_token().unwrap().len(), 64);
        assert_ne!(new_token(), new_token());
    }
}
