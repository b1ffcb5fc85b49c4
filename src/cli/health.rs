//! `interview-bot health`: ask a running bot's /healthz, for container health checks (the
//! image has no curl). Exit 0 on 200, 1 otherwise.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use super::settings::Settings;

const TIMEOUT: Duration = Duration::from_secs(5);

pub fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let addr = settings.metrics_addr.value.context(
        "no metrics address: the bot serves /healthz only with METRICS_ADDR (or --metrics-addr, or metrics_addr in the config file); give this check the same setting",
    )?;
    let (status, body) = get_healthz(reachable(addr))
        .with_context(|| format!("cannot reach the bot's health endpoint at {addr}"))?;
    say!("{}", body.trim_end());
    Ok(if status == 200 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A bot listening on 0.0.0.0 or [::] is asked on loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// One HTTP/1.1 GET with `Connection: close`: (status, body).
fn get_healthz(addr: SocketAddr) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .context("the answer is not HTTP")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("the answer has no HTTP status")?;
    Ok((status, body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_are_asked_on_loopback() {
        let at = |s: &str| reachable(s.parse().unwrap()).to_string();
        assert_eq!(at("0.0.0.0:9100"), "127.0.0.1:9100");
        assert_eq!(at("[::]:9100"), "[::1]:9100");
        assert_eq!(at("10.0.0.5:9100"), "10.0.0.5:9100");
    }
}
