//! The loopback self-test: whether a browser sign-in can come back to this computer. The redirect
//! needs a port on 127.0.0.1 (and on [::1], where a browser may resolve `localhost` to it),
//! `localhost` must mean this computer and nothing else, and a proxy set in the environment may
//! catch the app's requests to its own loopback addresses (the demo's simulator) unless
//! `NO_PROXY` exempts them. When the test fails, the UI offers a sign-in that needs no redirect.
//!
//! Proxy settings are reported by variable name and proxy host only: a proxy URL may carry a
//! user name and password (`http://user:pass@proxy:3128`), which never leave this module.

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpListener, ToSocketAddrs};
use ts_rs::TS;

/// The proxy variables read, each in both spellings (curl and most tools honour the lowercase
/// one, some only the uppercase).
const PROXY_VARIABLES: [(&str, ProxyRole); 4] = [
    ("HTTP_PROXY", ProxyRole::Http),
    ("HTTPS_PROXY", ProxyRole::Https),
    ("ALL_PROXY", ProxyRole::All),
    ("NO_PROXY", ProxyRole::Exempt),
];

/// How binding one loopback address on a free port went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum LoopbackBind {
    Bound,
    Failed { error: String },
}

/// What `localhost` resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum LocalhostLookup {
    /// Only loopback addresses: the redirect stays on this computer.
    LoopbackOnly {
        addresses: Vec<String>,
    },
    /// Some address isn't loopback (a hosts file sending `localhost` elsewhere).
    NotOnlyLoopback {
        addresses: Vec<String>,
    },
    Failed {
        error: String,
    },
}

/// What a proxy variable does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProxyRole {
    Http,
    Https,
    All,
    /// `NO_PROXY`: hosts that bypass the proxy.
    Exempt,
}

/// One proxy variable that is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProxyVariable {
    /// As spelled in the environment (`https_proxy` or `HTTPS_PROXY`).
    pub name: String,
    pub role: ProxyRole,
    /// The proxy's host and port; `None` for `NO_PROXY` and for a value that isn't an address.
    pub host: Option<String>,
    /// For `NO_PROXY`: whether it exempts the loopback addresses.
    pub exempts_loopback: Option<bool>,
}

/// Something that can stop a loopback sign-in, or make it fragile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LoopbackProblem {
    /// 127.0.0.1 can't be bound: no redirect can reach the app.
    Ipv4Unavailable,
    /// [::1] can't be bound: fine unless a browser resolves `localhost` to it.
    Ipv6Unavailable,
    /// `localhost` doesn't resolve, or resolves off this computer.
    LocalhostNotLoopback,
    /// A proxy is set and `NO_PROXY` doesn't exempt the loopback addresses.
    ProxyWithoutLoopbackExemption,
}

impl LoopbackProblem {
    /// Whether a loopback sign-in can't work at all with this problem.
    pub fn is_fatal(self) -> bool {
        matches!(self, Self::Ipv4Unavailable | Self::LocalhostNotLoopback)
    }
}

/// The overall answer, which the UI branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LoopbackVerdict {
    Passed,
    /// It should work; [`LoopbackSelfTest::problems`] says what may get in the way.
    PassedWithWarnings,
    /// A browser sign-in can't come back: offer another way.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoopbackSelfTest {
    pub verdict: LoopbackVerdict,
    pub problems: Vec<LoopbackProblem>,
    pub ipv4: LoopbackBind,
    pub ipv6: LoopbackBind,
    pub localhost: LocalhostLookup,
    pub proxies: Vec<ProxyVariable>,
}

/// Runs the test against this computer and its environment. Blocking (it binds sockets and asks
/// the resolver); call it from `spawn_blocking` in async code.
pub fn loopback_self_test() -> LoopbackSelfTest {
    let localhost = ("localhost", 0).to_socket_addrs().map(|addrs| addrs.map(|a| a.ip()).collect());
    assess(bind(IpAddr::V4(Ipv4Addr::LOCALHOST)), bind(IpAddr::V6(Ipv6Addr::LOCALHOST)), localhost, |k| std::env::var(k).ok())
}

fn bind(ip: IpAddr) -> LoopbackBind {
    match TcpListener::bind((ip, 0)) {
        Ok(_) => LoopbackBind::Bound,
        Err(e) => LoopbackBind::Failed { error: e.to_string() },
    }
}

/// The test's judgement on what was observed; separate so every case can be tested.
pub fn assess(
    ipv4: LoopbackBind,
    ipv6: LoopbackBind,
    localhost: std::io::Result<Vec<IpAddr>>,
    env: impl Fn(&str) -> Option<String>,
) -> LoopbackSelfTest {
    let localhost = match localhost {
        Ok(ips) if ips.is_empty() => LocalhostLookup::Failed { error: "no addresses".into() },
        Ok(ips) => {
            let addresses = ips.iter().map(IpAddr::to_string).collect();
            if ips.iter().all(IpAddr::is_loopback) {
                LocalhostLookup::LoopbackOnly { addresses }
            } else {
                LocalhostLookup::NotOnlyLoopback { addresses }
            }
        }
        Err(e) => LocalhostLookup::Failed { error: e.to_string() },
    };
    let proxies = proxy_variables(env);
    let mut problems = Vec::new();
    if ipv4 != LoopbackBind::Bound {
        problems.push(LoopbackProblem::Ipv4Unavailable);
    }
    if ipv6 != LoopbackBind::Bound {
        problems.push(LoopbackProblem::Ipv6Unavailable);
    }
    if !matches!(localhost, LocalhostLookup::LoopbackOnly { .. }) {
        problems.push(LoopbackProblem::LocalhostNotLoopback);
    }
    let proxied = proxies.iter().any(|p| p.role != ProxyRole::Exempt);
    let exempt = proxies.iter().any(|p| p.exempts_loopback == Some(true));
    if proxied && !exempt {
        problems.push(LoopbackProblem::ProxyWithoutLoopbackExemption);
    }
    let verdict = if problems.iter().any(|p| p.is_fatal()) {
        LoopbackVerdict::Failed
    } else if problems.is_empty() {
        LoopbackVerdict::Passed
    } else {
        LoopbackVerdict::PassedWithWarnings
    };
    LoopbackSelfTest { verdict, problems, ipv4, ipv6, localhost, proxies }
}

fn proxy_variables(env: impl Fn(&str) -> Option<String>) -> Vec<ProxyVariable> {
    let mut found = Vec::new();
    for (upper, role) in PROXY_VARIABLES {
        for name in [upper.to_owned(), upper.to_lowercase()] {
            let Some(value) = env(&name).filter(|v| !v.trim().is_empty()) else { continue };
            let (host, exempts_loopback) = match role {
                ProxyRole::Exempt => (None, Some(exempts_loopback(&value))),
                _ => (proxy_host(&value), None),
            };
            found.push(ProxyVariable { name, role, host, exempts_loopback });
        }
    }
    found
}

/// The host and port of a proxy URL, without its user name and password. A value with no scheme
/// (`proxy:3128`, as curl allows) is read as http.
fn proxy_host(value: &str) -> Option<String> {
    let value = value.trim();
    let with_scheme = if value.contains("://") { value.to_owned() } else { format!("http://{value}") };
    let url = url::Url::parse(&with_scheme).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

fn exempts_loopback(no_proxy: &str) -> bool {
    no_proxy
        .split(',')
        .map(str::trim)
        .any(|entry| matches!(entry, "*" | "localhost" | ".localhost" | "127.0.0.1" | "127.0.0.0/8" | "::1" | "[::1]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| vars.iter().find(|(name, _)| *name == k).map(|(_, v)| (*v).to_owned())
    }

    fn loopback() -> std::io::Result<Vec<IpAddr>> {
        Ok(vec![IpAddr::V6(Ipv6Addr::LOCALHOST), IpAddr::V4(Ipv4Addr::LOCALHOST)])
    }

    #[test]
    fn all_loopback_and_no_proxy_passes() {
        let report = assess(LoopbackBind::Bound, LoopbackBind::Bound, loopback(), env(&[]));
        assert_eq!(report.verdict, LoopbackVerdict::Passed);
        assert!(report.problems.is_empty() && report.proxies.is_empty());
        assert_eq!(report.localhost, LocalhostLookup::LoopbackOnly { addresses: vec!["::1".into(), "127.0.0.1".into()] });
    }

    #[test]
    fn no_ipv4_loopback_or_a_localhost_elsewhere_fails_and_no_ipv6_only_warns() {
        let no_v4 = assess(LoopbackBind::Failed { error: "denied".into() }, LoopbackBind::Bound, loopback(), env(&[]));
        assert_eq!((no_v4.verdict, no_v4.problems), (LoopbackVerdict::Failed, vec![LoopbackProblem::Ipv4Unavailable]));
        let elsewhere = assess(LoopbackBind::Bound, LoopbackBind::Bound, Ok(vec!["10.1.2.3".parse().unwrap()]), env(&[]));
        assert_eq!(elsewhere.verdict, LoopbackVerdict::Failed);
        assert!(matches!(elsewhere.localhost, LocalhostLookup::NotOnlyLoopback { .. }));
        let unresolved = assess(LoopbackBind::Bound, LoopbackBind::Bound, Err(std::io::Error::other("no resolver")), env(&[]));
        assert_eq!(unresolved.problems, [LoopbackProblem::LocalhostNotLoopback]);
        let no_v6 = assess(LoopbackBind::Bound, LoopbackBind::Failed { error: "no ipv6".into() }, loopback(), env(&[]));
        assert_eq!(
            (no_v6.verdict, no_v6.problems),
            (LoopbackVerdict::PassedWithWarnings, vec![LoopbackProblem::Ipv6Unavailable])
        );
    }

    #[test]
    fn proxies_are_named_with_their_host_and_never_their_password() {
        let vars = &[
            ("HTTPS_PROXY", "http://alice:hunter2-proxy-password@proxy.corp.example:3128"),
            ("http_proxy", "proxy.corp.example:8080"),
            ("ALL_PROXY", "::not a url::"),
        ];
        let report = assess(LoopbackBind::Bound, LoopbackBind::Bound, loopback(), env(vars));
        assert_eq!(report.verdict, LoopbackVerdict::PassedWithWarnings);
        assert_eq!(report.problems, [LoopbackProblem::ProxyWithoutLoopbackExemption]);
        let hosts: Vec<_> = report.proxies.iter().map(|p| (p.name.as_str(), p.role, p.host.as_deref())).collect();
        assert_eq!(
            hosts,
            [
                ("http_proxy", ProxyRole::Http, Some("proxy.corp.example:8080")),
                ("HTTPS_PROXY", ProxyRole::Https, Some("proxy.corp.example:3128")),
                ("ALL_PROXY", ProxyRole::All, None),
            ]
        );
        let json = serde_json::to_string(&report).unwrap();
        assert!(!json.contains("hunter2") && !json.contains("alice"), "{json}");
    }

    #[test]
    fn no_proxy_that_exempts_loopback_clears_the_warning() {
        let vars = &[("HTTPS_PROXY", "http://proxy:3128"), ("no_proxy", "corp.example, 127.0.0.1 ,localhost")];
        let report = assess(LoopbackBind::Bound, LoopbackBind::Bound, loopback(), env(vars));
        assert_eq!(report.verdict, LoopbackVerdict::Passed);
        assert_eq!(report.proxies[1].exempts_loopback, Some(true));
        let partial = assess(
            LoopbackBind::Bound,
            LoopbackBind::Bound,
            loopback(),
            env(&[("ALL_PROXY", "socks5://p:1"), ("NO_PROXY", "corp.example")]),
        );
        assert_eq!(partial.problems, [LoopbackProblem::ProxyWithoutLoopbackExemption]);
    }

    #[test]
    fn this_computer_can_bind_its_ipv4_loopback() {
        let report = loopback_self_test();
        assert_eq!(report.ipv4, LoopbackBind::Bound, "{report:?}");
    }
}
