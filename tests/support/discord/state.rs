//! Everything the fake remembers, behind one mutex. Handlers lock, do their (synchronous) work
//! and unlock; nothing awaits while holding the lock, so a std mutex is the right tool.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::time::Instant;

use serde_json::Value;

use super::gateway::GatewayState;
use super::payloads;
use super::spec::{GuildSpec, perms};
use super::{Call, Limits};

/// Where a stored message came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `POST /channels/{id}/messages`.
    Channel,
    /// An interaction's response or follow-up (by interaction id).
    Interaction(u64),
}

#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub id: u64,
    pub channel_id: u64,
    pub origin: Origin,
    /// The current Message object, edits applied.
    pub json: Value,
    pub deleted: bool,
}

/// One interaction the fake dispatched, and what the bot did with it.
#[derive(Clone, Debug)]
pub struct InteractionRecord {
    pub id: u64,
    /// 2 command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u8,
    pub token: String,
    pub channel_id: u64,
    pub dispatched_at: Instant,
    /// The initial callback body `{"type":N,"data":{..}}` once accepted.
    pub response: Option<Value>,
    /// A callback came, but after the deadline (already recorded as a violation).
    pub late: bool,
    /// The message `@original` refers to, once there is one.
    pub original: Option<u64>,
    /// For a component click: the message whose button was clicked.
    pub source_message: Option<u64>,
    /// Follow-up request bodies, in order.
    pub followups: Vec<Value>,
}

/// A rate limit the fake enforces, like an empty Discord bucket: the next `count` times a
/// matching call finds the bucket open, it gets a 429 with `retry_after` and the bucket closes
/// for that long; every matching call while it is closed also gets a 429 (with what is left of
/// the wait). A call repeating one that got a 429 before its wait passed counts as early: a
/// client that does not wait `retry_after` (Discord counts these as invalid requests).
#[derive(Clone, Debug)]
pub struct RateLimit {
    /// Matched against "METHOD /path"; empty for the global limit.
    pub pattern: String,
    pub count: usize,
    pub retry_after: std::time::Duration,
    pub global: bool,
    /// While the bucket is closed: until when.
    pub closed_until: Option<Instant>,
    /// Calls that got a 429 from this limit ("METHOD /path body"), and until when they had
    /// to wait.
    pub told: Vec<(String, Instant)>,
    /// Repeats of a told call that came before its wait passed.
    pub early: usize,
}

pub struct State {
    /// The first guild: the one every single-guild test talks about.
    pub spec: GuildSpec,
    /// More guilds (sharded tests): each in the shard `(guild_id >> 22) % shards`.
    pub other_guilds: Vec<GuildSpec>,
    /// The shard count `GET /gateway/bot` recommends.
    pub shards: u64,
    pub limits: Limits,
    pub port: u16,
    pub calls: Vec<Call>,
    pub violations: Vec<String>,
    pub unknown_routes: Vec<String>,
    pub denied: HashSet<u64>,
    /// When set, only this bot token is accepted (REST: 401, gateway IDENTIFY: close 4004).
    pub valid_token: Option<String>,
    /// Thread channels the bot created (also valid channels for messages).
    pub threads: Vec<Value>,
    /// Files users attached to commands, by attachment id: (filename, bytes).
    pub uploads: std::collections::HashMap<u64, (String, Vec<u8>)>,
    pub messages: Vec<StoredMessage>,
    pub interactions: Vec<InteractionRecord>,
    pub global_commands: Vec<Value>,
    pub guild_commands: Vec<Value>,
    pub gateway: GatewayState,
    /// (channel, nonce) → message, for `enforce_nonce` posts: a second post with the same
    /// nonce returns the first message, as Discord does within a few minutes.
    pub nonces: std::collections::HashMap<(u64, String), u64>,
    /// Delay before answering calls whose "METHOD /path" contains the pattern.
    pub latency: Vec<(String, std::time::Duration)>,
    /// 429 answers still to give: calls matching the pattern ("" = global: every route).
    pub rate_limits: Vec<RateLimit>,
    /// Answer modals holding Label or Text Display components with 400 Invalid Form Body, as a
    /// Discord that does not know them would (not a violation: the bot cannot know beforehand).
    pub refuse_new_modal_components: bool,

    last_id: u64,
    random: RandomState,
}

/// Discord's epoch (2015-01-01) in Unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

impl State {
    /// The newest modal (callback type 9 `data`) the bot sent with `custom_id`.
    pub fn modal_sent(&self, custom_id: &str) -> Option<Value> {
        self.interactions
            .iter()
            .rev()
            .filter_map(|r| r.response.as_ref())
            .find(|r| r["type"] == 9 && r["data"]["custom_id"] == custom_id)
            .map(|r| r["data"].clone())
    }

    pub fn new(spec: GuildSpec, limits: Limits, port: u16) -> State {
        State {
            spec,
            other_guilds: Vec::new(),
            shards: 1,
            limits,
            port,
            calls: Vec::new(),
            violations: Vec::new(),
            unknown_routes: Vec::new(),
            denied: HashSet::new(),
            threads: Vec::new(),
            valid_token: None,
            uploads: std::collections::HashMap::new(),
            messages: Vec::new(),
            interactions: Vec::new(),
            global_commands: Vec::new(),
            guild_commands: Vec::new(),
            gateway: GatewayState::default(),
            nonces: std::collections::HashMap::new(),
            latency: Vec::new(),
            rate_limits: Vec::new(),
            refuse_new_modal_components: false,
            last_id: 0,
            random: RandomState::new(),
        }
    }

    pub fn gateway_url(&self) -> String {
        format!("ws://127.0.0.1:{}/gw", self.port)
    }

    /// A fresh snowflake: time-based like Discord's, strictly increasing.
    pub fn next_id(&mut self) -> u64 {
        let ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
        let candidate = ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
        self.last_id = candidate.max(self.last_id + 1);
        self.last_id
    }

    /// An unguessable string (interaction tokens, session ids).
    pub fn random_string(&mut self, prefix: &str) -> String {
        let n = self.next_id();
        format!("{prefix}{n:x}{:016x}", self.random.hash_one(n))
    }

    pub fn violation(&mut self, what: String) {
        self.violations.push(what);
    }

    /// Every guild the fake serves, the first one first.
    pub fn guilds(&self) -> impl Iterator<Item = &GuildSpec> {
        std::iter::once(&self.spec).chain(self.other_guilds.iter())
    }

    pub fn guild(&self, guild_id: u64) -> Option<&GuildSpec> {
        self.guilds().find(|g| g.guild_id == guild_id)
    }

    /// The guild a text channel or thread belongs to.
    pub fn guild_of_channel(&self, channel_id: u64) -> Option<&GuildSpec> {
        if let Some(g) = self.guilds().find(|g| g.has_channel(channel_id)) {
            return Some(g);
        }
        let id_str = serde_json::json!(channel_id.to_string());
        let thread = self.threads.iter().find(|t| t["id"] == id_str)?;
        let guild_id: u64 = thread["guild_id"].as_str()?.parse().ok()?;
        self.guild(guild_id)
    }

    /// A text channel of a guild or a thread the bot created.
    pub fn channel(&self, id: u64) -> Option<Value> {
        for g in self.guilds() {
            if let Some(pos) = g.channels.iter().position(|(c, _)| *c == id) {
                let name = &g.channels[pos].1;
                return Some(payloads::text_channel(g.guild_id, id, name, pos));
            }
        }
        let id_str = serde_json::json!(id.to_string());
        self.threads.iter().find(|t| t["id"] == id_str).cloned()
    }

    /// The bot's permissions in a channel (what `app_permissions` reports).
    pub fn app_permissions(&self, channel_id: u64) -> u64 {
        let mut bits = perms::BOT_DEFAULT;
        if self.is_denied(channel_id) {
            bits &= !(perms::SEND_MESSAGES | perms::SEND_MESSAGES_IN_THREADS);
        }
        bits
    }

    /// Denial of a channel also covers the threads under it.
    pub fn is_denied(&self, channel_id: u64) -> bool {
        if self.denied.contains(&channel_id) {
            return true;
        }
        self.channel(channel_id)
            .and_then(|c| c["parent_id"].as_str()?.parse::<u64>().ok())
            .is_some_and(|parent| self.denied.contains(&parent))
    }

    pub fn message(&self, id: u64) -> Option<&StoredMessage> {
        self.messages.iter().find(|m| m.id == id && !m.deleted)
    }

    pub fn message_mut(&mut self, id: u64) -> Option<&mut StoredMessage> {
        self.messages.iter_mut().find(|m| m.id == id && !m.deleted)
    }

    /// Store a new message built from a create body; returns its JSON.
    pub fn create_message(
        &mut self,
        channel_id: u64,
        body: &Value,
        kind: payloads::MessageKind,
        origin: Origin,
    ) -> Value {
        let id = self.next_id();
        let json = payloads::message(id, channel_id, body, kind, &mut || self.next_id());
        self.messages.push(StoredMessage {
            id,
            channel_id,
            origin,
            json: json.clone(),
            deleted: false,
        });
        json
    }

    /// Apply an edit body to a stored message; returns the edited JSON.
    pub fn edit_message(&mut self, id: u64, body: &Value) -> Option<Value> {
        let mut json = self.message(id)?.json.clone();
        payloads::apply_edit(&mut json, body, &mut || self.next_id());
        let stored = self.message_mut(id)?;
        stored.json = json.clone();
        Some(json)
    }

    pub fn interaction(&self, id: u64) -> Option<&InteractionRecord> {
        self.interactions.iter().find(|i| i.id == id)
    }

    pub fn interaction_mut(&mut self, id: u64) -> Option<&mut InteractionRecord> {
        self.interactions.iter_mut().find(|i| i.id == id)
    }

    pub fn interaction_by_token(&self, token: &str) -> Option<&InteractionRecord> {
        self.interactions.iter().find(|i| i.token == token)
    }
}
