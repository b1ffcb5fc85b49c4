//! The gateway: a websocket at `/gw` speaking Discord's JSON text frames.
//!
//! A *connection* is one websocket; a *session* is what IDENTIFY creates and RESUME re-attaches
//! to a new connection (with its sequence number). Each connection task owns its socket and
//! receives outgoing frames over a channel, so the rest of the fake can send dispatches while
//! holding the state lock, without awaiting.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State as AxumState;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::FakeDiscord;
use super::payloads;
use super::spec::GuildSpec;
use super::state::State;

/// Discord's usual interval; long enough that heartbeats never matter in a test.
const HEARTBEAT_INTERVAL_MS: u64 = 41_250;

/// Close codes the fake uses.
pub const CLOSE_UNKNOWN_ERROR: u16 = 4000;
/// Serenity treats 4004 (authentication failed) as fatal: the shard stops for good.
pub const CLOSE_AUTHENTICATION_FAILED: u16 = 4004;
/// Discord's "invalid shard": IDENTIFY's `shard` is not `[id, total]` with `id < total`.
pub const CLOSE_INVALID_SHARD: u16 = 4010;

pub enum Outgoing {
    Frame(String),
    Close(u16),
}

struct Connection {
    tx: mpsc::UnboundedSender<Outgoing>,
    session: Option<String>,
    /// Set once READY (+ GUILD_CREATE) or RESUMED was sent: the bot can take dispatches.
    live: bool,
    /// When it went live (a counter), to find the newest connection.
    live_order: u64,
}

#[derive(Default)]
struct Session {
    seq: u64,
    /// `[id, total]` from IDENTIFY; None (no `shard` sent) is shard 0 of 1.
    shard: Option<(u64, u64)>,
}

/// The shard a guild's events go to, Discord's rule.
pub fn shard_of(guild_id: u64, total: u64) -> u64 {
    (guild_id >> 22) % total.max(1)
}

/// One IDENTIFY as the fake saw it: the shard it asked for and the guilds READY listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identified {
    /// `[id, total]`, or None when IDENTIFY carried no `shard`.
    pub shard: Option<(u64, u64)>,
    pub guilds: Vec<u64>,
}

#[derive(Default)]
pub struct GatewayState {
    connections: HashMap<u64, Connection>,
    sessions: HashMap<String, Session>,
    next_connection: u64,
    order: u64,
    pub identifies: usize,
    /// Every accepted IDENTIFY, in order.
    pub identified: Vec<Identified>,
    pub resumes: usize,
    /// Ops received, e.g. "IDENTIFY", "RESUME", "RESUME(unknown session)", for debugging.
    pub log: Vec<String>,
}

impl GatewayState {
    /// The connection dispatches go to: the one that most recently identified or resumed.
    pub fn newest_live(&self) -> Option<u64> {
        self.connections
            .iter()
            .filter(|(_, c)| c.live)
            .max_by_key(|(_, c)| c.live_order)
            .map(|(id, _)| *id)
    }

    /// The newest live connection whose shard receives this guild's events.
    pub fn newest_live_for(&self, guild_id: u64) -> Option<u64> {
        self.connections
            .iter()
            .filter(|(_, c)| c.live && self.receives(c, guild_id))
            .max_by_key(|(_, c)| c.live_order)
            .map(|(id, _)| *id)
    }

    /// The shard `[id, total]` of a connection's session (None: unsharded, or no session).
    pub fn shard_of_connection(&self, conn: u64) -> Option<(u64, u64)> {
        let session = self.connections.get(&conn)?.session.as_ref()?;
        self.sessions.get(session)?.shard
    }

    /// Live connections per shard id (unsharded sessions count as shard 0).
    pub fn live_shards(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .connections
            .iter()
            .filter(|(_, c)| c.live)
            .map(|(id, _)| self.shard_of_connection(*id).map_or(0, |(s, _)| s))
            .collect();
        ids.sort_unstable();
        ids
    }

    fn receives(&self, c: &Connection, guild_id: u64) -> bool {
        let shard = c
            .session
            .as_ref()
            .and_then(|s| self.sessions.get(s))
            .and_then(|s| s.shard);
        match shard {
            None => true,
            Some((id, total)) => shard_of(guild_id, total) == id,
        }
    }

    pub fn live_count(&self) -> usize {
        self.connections.values().filter(|c| c.live).count()
    }

    /// Whether any of these connections is still open.
    pub fn any_open(&self, ids: &[u64]) -> bool {
        ids.iter().any(|id| self.connections.contains_key(id))
    }

    fn send(&self, conn: u64, payload: &Value) {
        if let Some(c) = self.connections.get(&conn) {
            // A closed receiver only means the socket is going away; nothing to do.
            let _ = c.tx.send(Outgoing::Frame(payload.to_string()));
        }
    }

    /// Send a dispatch (op 0) with the session's next sequence number.
    pub fn dispatch(&mut self, conn: u64, t: &str, d: Value) -> bool {
        let Some(session_id) = self.connections.get(&conn).and_then(|c| c.session.clone()) else {
            return false;
        };
        let Some(session) = self.sessions.get_mut(&session_id) else {
            return false;
        };
        session.seq += 1;
        let frame = json!({ "op": 0, "t": t, "s": session.seq, "d": d });
        self.send(conn, &frame);
        true
    }

    /// Close every live connection with `code`; they stop receiving dispatches at once.
    pub fn close_all(&mut self, code: u16) -> Vec<u64> {
        for c in self.connections.values_mut() {
            c.live = false;
            let _ = c.tx.send(Outgoing::Close(code));
        }
        self.connections.keys().copied().collect()
    }

    /// Forget all sessions: a later RESUME is answered "invalid session", forcing IDENTIFY.
    pub fn forget_sessions(&mut self) {
        self.sessions.clear();
    }

    fn go_live(&mut self, conn: u64) {
        self.order += 1;
        let order = self.order;
        if let Some(c) = self.connections.get_mut(&conn) {
            c.live = true;
            c.live_order = order;
        }
    }
}

pub async fn upgrade(AxumState(fake): AxumState<FakeDiscord>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| run_connection(fake, socket))
}

async fn run_connection(fake: FakeDiscord, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = {
        let mut st = fake.lock();
        let gw = &mut st.gateway;
        gw.next_connection += 1;
        let id = gw.next_connection;
        let hello = json!({ "op": 10, "d": { "heartbeat_interval": HEARTBEAT_INTERVAL_MS } });
        let _ = tx.send(Outgoing::Frame(hello.to_string()));
        gw.connections.insert(
            id,
            Connection {
                tx,
                session: None,
                live: false,
                live_order: 0,
            },
        );
        id
    };
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => handle_op(&mut fake.lock(), conn, text.as_str()),
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Frame(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code)) => {
                    let frame = CloseFrame { code, reason: "closed by the fake".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    // Give the client a moment to read the close frame before the TCP close.
                    let _ = tokio::time::timeout(Duration::from_millis(200), socket.recv()).await;
                    break;
                }
                None => break,
            },
        }
    }
    fake.lock().gateway.connections.remove(&conn);
}

/// One client frame. Runs under the state lock; replies go out through the connection channel.
fn handle_op(st: &mut State, conn: u64, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        st.violation(format!(
            "gateway: client sent a frame that is not JSON: {text:.200}"
        ));
        return;
    };
    match frame["op"].as_u64() {
        // Heartbeat → heartbeat ACK.
        Some(1) => st.gateway.send(conn, &json!({ "op": 11 })),
        Some(2) => identify(st, conn, &frame["d"]),
        Some(6) => resume(st, conn, &frame["d"]),
        // Presence updates, voice state, member requests: accepted and ignored.
        Some(_) => {}
        None => st.violation(format!("gateway: frame without op: {text:.200}")),
    }
}

fn identify(st: &mut State, conn: u64, d: &Value) {
    let token = d["token"].as_str().unwrap_or("");
    if let Some(valid) = &st.valid_token
        && token.trim_start_matches("Bot ") != valid
    {
        st.gateway.log.push("IDENTIFY(bad token)".to_string());
        if let Some(c) = st.gateway.connections.get(&conn) {
            let _ = c.tx.send(Outgoing::Close(CLOSE_AUTHENTICATION_FAILED));
        }
        return;
    }
    let shard = match &d["shard"] {
        Value::Null => None,
        value => match value
            .as_array()
            .map(|a| a.iter().map(Value::as_u64).collect::<Vec<_>>())
            .as_deref()
        {
            Some([Some(id), Some(total)]) if id < total => Some((*id, *total)),
            _ => {
                st.violation(format!(
                    "gateway: IDENTIFY with shard {value}: it must be [id, total] with id < total"
                ));
                st.gateway
                    .log
                    .push(format!("IDENTIFY(invalid shard {value})"));
                if let Some(c) = st.gateway.connections.get(&conn) {
                    let _ = c.tx.send(Outgoing::Close(CLOSE_INVALID_SHARD));
                }
                return;
            }
        },
    };
    st.gateway.log.push(match shard {
        Some((id, total)) => format!("IDENTIFY shard {id}/{total}"),
        None => "IDENTIFY".to_string(),
    });
    st.gateway.identifies += 1;
    let session_id = st.random_string("session-");
    st.gateway
        .sessions
        .insert(session_id.clone(), Session { seq: 0, shard });
    if let Some(c) = st.gateway.connections.get_mut(&conn) {
        c.session = Some(session_id.clone());
    }
    // Each shard gets only its own guilds, as Discord sends them.
    let guilds: Vec<&GuildSpec> = st
        .guilds()
        .filter(|g| shard.is_none_or(|(id, total)| shard_of(g.guild_id, total) == id))
        .collect();
    let guild_ids: Vec<u64> = guilds.iter().map(|g| g.guild_id).collect();
    let ready = payloads::ready(&session_id, &st.gateway_url(), &guild_ids, &d["shard"]);
    let creates: Vec<Value> = guilds
        .iter()
        .map(|g| {
            let id = json!(g.guild_id.to_string());
            let threads: Vec<Value> = st
                .threads
                .iter()
                .filter(|t| t["guild_id"] == id)
                .cloned()
                .collect();
            payloads::guild_create(g, &threads)
        })
        .collect();
    st.gateway.identified.push(Identified {
        shard,
        guilds: guild_ids,
    });
    st.gateway.dispatch(conn, "READY", ready);
    for guild in creates {
        st.gateway.dispatch(conn, "GUILD_CREATE", guild);
    }
    st.gateway.go_live(conn);
}

fn resume(st: &mut State, conn: u64, d: &Value) {
    let session_id = d["session_id"].as_str().unwrap_or("").to_string();
    if !st.gateway.sessions.contains_key(&session_id) {
        // Unknown (forgotten) session: "invalid session, not resumable" makes serenity IDENTIFY.
        st.gateway.log.push("RESUME(unknown session)".to_string());
        st.gateway.send(conn, &json!({ "op": 9, "d": false }));
        return;
    }
    st.gateway.log.push("RESUME".to_string());
    st.gateway.resumes += 1;
    // The session moves to this connection; an older socket still holding it gets nothing more.
    for c in st.gateway.connections.values_mut() {
        if c.session.as_deref() == Some(session_id.as_str()) {
            c.live = false;
            c.session = None;
        }
    }
    if let Some(c) = st.gateway.connections.get_mut(&conn) {
        c.session = Some(session_id);
    }
    // Nothing was missed worth replaying: dispatches only go to live connections.
    st.gateway.dispatch(conn, "RESUMED", json!({}));
    st.gateway.go_live(conn);
}
