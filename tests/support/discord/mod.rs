//! A Discord-compatible server on 127.0.0.1 for end-to-end tests of the bot.
//!
//! The real serenity/poise client talks to it: REST at `base_url()` (give it to
//! `HttpBuilder::proxy` with the ratelimiter disabled) and the gateway at `ws://…/gw` (serenity
//! learns it from `GET /gateway`). Tests play the users (`slash_command`, `click`,
//! `submit_modal`, …) and inspect what the bot did (`calls`, `channel_messages`,
//! `Interaction::response`, …). Discord's rules are enforced as Discord would (error codes), and
//! every break is recorded in `violations()`, which a test should assert empty at the end.
//!
//! Files: `spec` (the guild), `payloads` (JSON sent), `rules` (limits checked), `state`
//! (what is remembered), `rest` and `gateway` (the two protocols).

pub mod gateway;
pub mod payloads;
pub mod rest;
pub mod rules;
pub mod spec;
pub mod state;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

// Re-exported for the bot's tests; not every test file uses every name.
#[allow(unused_imports)]
pub use spec::{
    APP_ID, BOT_ROLE_ID, BOT_USER_ID, GuildSpec, MemberSpec, OWNER_USER_ID, PERMISSION_ROLE_BASE,
    perms,
};
use state::{InteractionRecord, Origin, State};

/// How long the bot has, configurable so rule tests need no real 3 s / 15 min waits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The initial response must arrive within this of the dispatch (Discord: 3 s).
    pub initial_response: Duration,
    /// Follow-ups and `@original` edits work this long after the dispatch (Discord: 15 min).
    pub token_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            initial_response: Duration::from_secs(3),
            token_lifetime: Duration::from_secs(15 * 60),
        }
    }
}

/// One REST call the bot made.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    /// Without the query, e.g. "/api/v10/channels/2000/messages".
    pub path: String,
    /// The JSON body (`Null` if none; for multipart, the `payload_json` part).
    pub body: Value,
    /// The files of a multipart body: (filename, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// When the request arrived.
    pub at: Instant,
    pub status: u16,
    /// What the fake answered (`Null` for 204).
    pub response: Value,
}

/// An interaction the fake dispatched on behalf of a user.
#[derive(Clone, Debug)]
pub struct Interaction {
    pub id: u64,
    pub token: String,
    /// 2 command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u8,
    pub channel_id: u64,
    /// The INTERACTION_CREATE `d` that was sent.
    pub payload: Value,
    /// The shard `[id, total]` of the session it went to (None: an unsharded session).
    pub shard: Option<(u64, u64)>,
}

/// How often waits re-check the record.
const POLL: Duration = Duration::from_millis(10);
/// How long user actions wait for a bot to be connected (e.g. while it RESUMEs).
const SESSION_WAIT: Duration = Duration::from_secs(10);

/// Poll `check` until it yields something or `timeout` passes (checks at least once).
async fn poll<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Cheap to clone; every clone is the same server.
#[derive(Clone)]
pub struct FakeDiscord {
    inner: Arc<Mutex<State>>,
    port: u16,
}

impl FakeDiscord {
    pub async fn start(guild: GuildSpec) -> FakeDiscord {
        FakeDiscord::start_with(guild, Limits::default()).await
    }

    /// Several guilds, and `shards` as the shard count `GET /gateway/bot` recommends. A session
    /// that IDENTIFYs with `shard: [id, total]` gets only the guilds with
    /// `(guild_id >> 22) % total == id` (READY and GUILD_CREATE), and only their interactions
    /// and events; one without `shard` gets them all. The first guild is the one `spec` means.
    pub async fn start_sharded(guilds: Vec<GuildSpec>, shards: u64) -> FakeDiscord {
        let mut guilds = guilds.into_iter();
        let first = guilds.next().expect("start_sharded: at least one guild");
        let fake = FakeDiscord::start(first).await;
        {
            let mut st = fake.lock();
            st.other_guilds = guilds.collect();
            st.shards = shards;
        }
        fake
    }

    /// Binds 127.0.0.1:0 and serves REST and the gateway on that port until the runtime ends.
    pub async fn start_with(guild: GuildSpec, limits: Limits) -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let fake = FakeDiscord {
            inner: Arc::new(Mutex::new(State::new(guild, limits, port))),
            port,
        };
        let app = axum::Router::new()
            .route("/gw", axum::routing::get(gateway::upgrade))
            .fallback(rest::handle)
            .with_state(fake.clone());
        // Like Discord, answer small frames at once: without TCP_NODELAY, Nagle's algorithm and
        // delayed ACKs add ~40 ms to every gateway frame and skew latency figures.
        use axum::serve::ListenerExt as _;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move {
            // Ends with the test's runtime; an error here would show up as failed requests.
            let _ = axum::serve(listener, app).await;
        });
        fake
    }

    /// A poisoned lock only means another test thread panicked; the data is still usable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn gateway_url(&self) -> String {
        format!("ws://127.0.0.1:{}/gw", self.port)
    }

    /// True once a bot connection IDENTIFYed and got READY + GUILD_CREATE (or RESUMEd) and is
    /// still connected.
    pub async fn wait_ready(&self, timeout: Duration) -> bool {
        poll(timeout, || self.lock().gateway.newest_live())
            .await
            .is_some()
    }

    /// True once a session of shard `shard` is connected and live.
    pub async fn wait_shard_ready(&self, shard: u64, timeout: Duration) -> bool {
        poll(timeout, || {
            self.lock()
                .gateway
                .live_shards()
                .contains(&shard)
                .then_some(())
        })
        .await
        .is_some()
    }

    /// True while a session of shard `shard` is connected and live.
    pub fn shard_live(&self, shard: u64) -> bool {
        self.lock().gateway.live_shards().contains(&shard)
    }

    /// Every accepted IDENTIFY: the shard it asked for and the guilds READY gave it.
    pub fn identified(&self) -> Vec<gateway::Identified> {
        self.lock().gateway.identified.clone()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Dispatch → initial callback, for every interaction answered so far (for latency figures).
    pub fn response_latencies(&self) -> Vec<Duration> {
        let st = self.lock();
        st.interactions
            .iter()
            .filter_map(|i| callback_latency(&st, i))
            .collect()
    }

    /// Dispatch → initial callback of interaction `id`, once it was answered.
    pub fn response_latency(&self, id: u64) -> Option<Duration> {
        let st = self.lock();
        callback_latency(&st, st.interaction(id)?)
    }

    /// Interactions dispatched so far that never got an accepted initial response.
    pub fn unanswered_interactions(&self) -> usize {
        self.lock()
            .interactions
            .iter()
            .filter(|i| i.response.is_none())
            .count()
    }

    /// The first recorded call (already recorded ones included) matching `pred`.
    pub async fn wait_for_call(
        &self,
        timeout: Duration,
        pred: impl Fn(&Call) -> bool,
    ) -> Option<Call> {
        self.wait_for_new_call(0, timeout, pred).await
    }

    /// The first call at index >= `after` (take `calls().len()` before acting) matching `pred`.
    pub async fn wait_for_new_call(
        &self,
        after: usize,
        timeout: Duration,
        pred: impl Fn(&Call) -> bool,
    ) -> Option<Call> {
        poll(timeout, || {
            let st = self.lock();
            st.calls.iter().skip(after).find(|c| pred(c)).cloned()
        })
        .await
    }

    /// Every rule break so far (Discord limits, interaction protocol, project conventions,
    /// unknown routes), plus interactions whose deadline passed with no initial response at all
    /// (the user sees "This interaction failed"). Tests assert this is empty.
    /// [`violations`](Self::violations) but for interactions that got no initial response:
    /// those dispatched while a bot process was being killed cannot be answered.
    pub fn violations_but_unanswered(&self) -> Vec<String> {
        self.violations()
            .into_iter()
            .filter(|v| !v.contains("no initial response within"))
            .collect()
    }

    pub fn violations(&self) -> Vec<String> {
        let st = self.lock();
        let mut out = st.violations.clone();
        let deadline = st.limits.initial_response;
        for r in &st.interactions {
            if r.response.is_none() && !r.late && r.dispatched_at.elapsed() > deadline {
                out.push(format!(
                    "interaction {} (type {}): no initial response within {} ms \
                     (the user sees \"This interaction failed\")",
                    r.id,
                    r.kind,
                    deadline.as_millis()
                ));
            }
        }
        out
    }

    /// "METHOD /path" of calls to routes the fake does not implement.
    pub fn unknown_routes(&self) -> Vec<String> {
        self.lock().unknown_routes.clone()
    }

    /// From now on, creating messages, threads or typing in this channel (and its threads)
    /// answers 403 Missing Permissions (50013), and `app_permissions` lacks SEND_MESSAGES.
    pub fn deny_channel(&self, channel_id: u64) {
        self.lock().denied.insert(channel_id);
    }

    pub fn allow_channel(&self, channel_id: u64) {
        self.lock().denied.remove(&channel_id);
    }

    /// From now on, answer calls whose "METHOD /path" contains `pattern` only after `delay`
    /// (e.g. `("POST /api/v10/channels/", 300 ms)` for slow message posts).
    pub fn add_latency(&self, pattern: &str, delay: Duration) {
        self.lock().latency.push((pattern.to_string(), delay));
    }

    /// Answer the next `count` calls matching `pattern` with 429 and `retry_after`, like a
    /// per-route bucket that is empty (interaction callbacks are exempt). After each 429 the
    /// route stays closed for `retry_after`: calls meanwhile get 429 too (a repeat of a call
    /// that was told to wait counts as early: see `early_rate_limited_calls`); `count` is of
    /// the times the bucket empties.
    pub fn rate_limit(&self, pattern: &str, count: usize, retry_after: Duration) {
        self.lock().rate_limits.push(state::RateLimit {
            pattern: pattern.to_string(),
            count,
            retry_after,
            global: false,
            closed_until: None,
            told: Vec::new(),
            early: 0,
        });
    }

    /// The same with a global 429 (`"global": true`, `X-RateLimit-Global`): every route but
    /// interaction callbacks is closed for `retry_after` after each.
    pub fn global_rate_limit(&self, count: usize, retry_after: Duration) {
        self.lock().rate_limits.push(state::RateLimit {
            pattern: String::new(),
            count,
            retry_after,
            global: true,
            closed_until: None,
            told: Vec::new(),
            early: 0,
        });
    }

    /// How many calls got a 429 (early ones included).
    pub fn rate_limited_calls(&self) -> usize {
        self.lock().calls.iter().filter(|c| c.status == 429).count()
    }

    /// How many calls repeated one that got a 429 before its `retry_after` passed: a client
    /// that waits what Discord says makes none.
    pub fn early_rate_limited_calls(&self) -> usize {
        self.lock().rate_limits.iter().map(|l| l.early).sum()
    }

    /// Rate limits whose 429s have not all been given yet (a test that set some should see
    /// them used).
    pub fn unused_rate_limits(&self) -> usize {
        self.lock()
            .rate_limits
            .iter()
            .filter(|l| l.count > 0)
            .count()
    }

    /// A message the bot posted (as `POST /channels/{id}/messages` with `body`) without the
    /// test going through the bot: e.g. a post that went out just before the bot was killed.
    /// A `nonce` in the body is remembered as for any post.
    pub fn seed_bot_message(&self, channel_id: u64, body: &Value) -> Value {
        let mut st = self.lock();
        let created = st.create_message(
            channel_id,
            body,
            payloads::MessageKind::Channel,
            Origin::Channel,
        );
        if let (Some(n), Some(id)) = (
            body["nonce"].as_str(),
            created["id"].as_str().and_then(|i| i.parse().ok()),
        ) {
            st.nonces.insert((channel_id, n.to_string()), id);
        }
        created
    }

    /// Messages the bot created with `POST /channels/{id}/messages` in this channel (not
    /// interaction replies: see `Interaction::original`), edits applied, deleted ones left out,
    /// in creation order.
    pub fn channel_messages(&self, channel_id: u64) -> Vec<Value> {
        let st = self.lock();
        st.messages
            .iter()
            .filter(|m| m.channel_id == channel_id && m.origin == Origin::Channel && !m.deleted)
            .map(|m| m.json.clone())
            .collect()
    }

    /// Any message the bot sent (channel message, reply or follow-up) by id, edits applied.
    pub fn message(&self, message_id: u64) -> Option<Value> {
        self.lock().message(message_id).map(|m| m.json.clone())
    }

    /// Registered global commands (as the fake answered them, with ids).
    pub fn global_commands(&self) -> Vec<Value> {
        self.lock().global_commands.clone()
    }

    /// Registered commands of the guild.
    pub fn guild_commands(&self) -> Vec<Value> {
        self.lock().guild_commands.clone()
    }

    /// Thread channels the bot created.
    pub fn threads(&self) -> Vec<Value> {
        self.lock().threads.clone()
    }

    /// How many IDENTIFYs / successful RESUMEs the gateway has seen.
    pub fn identify_count(&self) -> usize {
        self.lock().gateway.identifies
    }

    pub fn resume_count(&self) -> usize {
        self.lock().gateway.resumes
    }

    /// Gateway ops received, in order ("IDENTIFY", "RESUME", "RESUME(unknown session)").
    pub fn gateway_log(&self) -> Vec<String> {
        self.lock().gateway.log.clone()
    }

    /// Send any dispatch (e.g. "GUILD_MEMBER_ADD") to the newest connected bot session.
    /// False if no bot is connected.
    pub fn dispatch_event(&self, event: &str, d: Value) -> bool {
        let mut st = self.lock();
        match st.gateway.newest_live() {
            Some(conn) => st.gateway.dispatch(conn, event, d),
            None => false,
        }
    }

    /// Close every gateway socket with 4000 ("unknown error"): serenity RESUMEs the session.
    /// Returns once the old sockets are gone (not once the bot is back: use `wait_ready`).
    pub async fn force_reconnect(&self) {
        let closed = self.lock().gateway.close_all(gateway::CLOSE_UNKNOWN_ERROR);
        self.wait_closed(&closed).await;
    }

    /// Drop every session for good (used when a test stops a bot): sockets are closed with 4004,
    /// which serenity treats as fatal, so a bot left running cannot come back and steal
    /// interactions from the next one; sessions are forgotten, so a RESUME would fail too.
    pub async fn disconnect_all(&self) {
        let closed = {
            let mut st = self.lock();
            st.gateway.forget_sessions();
            st.gateway.close_all(gateway::CLOSE_AUTHENTICATION_FAILED)
        };
        self.wait_closed(&closed).await;
    }

    /// Wait for these sockets to be gone (the bot may already be opening new ones).
    async fn wait_closed(&self, connections: &[u64]) {
        let gone = poll(Duration::from_secs(2), || {
            (!self.lock().gateway.any_open(connections)).then_some(())
        })
        .await;
        // A socket that lingers is harmless: it no longer receives dispatches.
        let _ = gone;
    }

    /// Accept only this bot token from now on, like Discord after a token reset: other
    /// tokens get 401 on REST and a 4004 close on IDENTIFY.
    pub fn only_accept_token(&self, token: &str) {
        self.lock().valid_token = Some(token.to_string());
    }

    /// A file a user attaches to a command: returns the attachment id to give as the value of
    /// an attachment option (type 11). The bot downloads it from this server.
    pub fn upload(&self, filename: &str, bytes: impl Into<Vec<u8>>) -> u64 {
        let mut st = self.lock();
        let id = st.next_id();
        st.uploads.insert(id, (filename.to_string(), bytes.into()));
        id
    }

    /// A user runs a slash command. `options` is Discord's `data.options` array, e.g.
    /// `json!([{"name":"start","type":1,"options":[{"name":"seconds","type":4,"value":30}]}])`.
    /// `data.id` is the registered command's id when the bot registered one by that name.
    pub async fn slash_command(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> Interaction {
        self.command_interaction(2, user_id, channel_id, name, options)
            .await
    }

    /// Autocomplete (type 4) while typing a command; mark the option being typed with
    /// `"focused": true` (and give its partial text as a string `value`).
    pub async fn autocomplete(
        &self,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> Interaction {
        self.command_interaction(4, user_id, channel_id, name, options)
            .await
    }

    async fn command_interaction(
        &self,
        kind: u8,
        user_id: u64,
        channel_id: u64,
        name: &str,
        options: Value,
    ) -> Interaction {
        self.dispatch_interaction(kind, user_id, channel_id, None, |st| {
            // Guild commands shadow global ones, as in the Discord client.
            let spec = st
                .guild_of_channel(channel_id)
                .cloned()
                .unwrap_or_else(|| panic!("channel {channel_id} is in no guild of the fake"));
            let registered = st
                .guild_commands
                .iter()
                .map(|c| (c, Some(spec.guild_id)))
                .chain(st.global_commands.iter().map(|c| (c, None)))
                .find(|(c, _)| c["name"] == name && c["type"].as_u64().unwrap_or(1) == 1)
                .and_then(|(c, g)| Some((c["id"].as_str()?.parse::<u64>().ok()?, g)));
            let (command_id, guild) = match registered {
                Some(found) => found,
                None => (st.next_id(), None),
            };
            let mut channels: Vec<Value> = spec
                .channels
                .iter()
                .filter_map(|(id, _)| st.channel(*id))
                .collect();
            let guild_id = json!(spec.guild_id.to_string());
            channels.extend(
                st.threads
                    .iter()
                    .filter(|t| t["guild_id"] == guild_id)
                    .cloned(),
            );
            let uploads = payloads::Uploads {
                files: &st.uploads,
                port: st.port,
            };
            payloads::command_data(
                &spec, command_id, name, &options, guild, &channels, &uploads,
            )
        })
        .await
    }

    /// A user clicks the button `custom_id` on a message the bot sent (as recorded, e.g. from
    /// `channel_messages` or `Interaction::original`). The interaction carries the message as
    /// it is now. Panics if the message has no such enabled button: a user could not click it.
    pub async fn click(&self, user_id: u64, message: &Value, custom_id: &str) -> Interaction {
        let message_id: u64 = message["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("click: the message has no id; pass a message as recorded by the fake");
        let current = self.message(message_id).unwrap_or_else(|| message.clone());
        let button = current["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().into_iter().flatten())
            .find(|c| c["custom_id"] == custom_id)
            .cloned();
        match button {
            None => panic!(
                "click: message {message_id} has no component {custom_id:?}; it has {}",
                current["components"]
            ),
            Some(b) if b["disabled"] == true => {
                panic!("click: button {custom_id:?} on message {message_id} is disabled")
            }
            Some(_) => {}
        }
        let channel_id: u64 = current["channel_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("click: message without channel_id");
        let data = payloads::component_data(custom_id);
        self.dispatch_interaction(3, user_id, channel_id, Some((message_id, current)), |_| {
            data
        })
        .await
    }

    /// A click with a `custom_id` that is not on `message` (as a modified client could send):
    /// for tests that the bot checks what a custom id names.
    pub async fn forged_click(
        &self,
        user_id: u64,
        message: &Value,
        custom_id: &str,
    ) -> Interaction {
        let message_id: u64 = message["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("forged_click: the message has no id");
        let channel_id: u64 = message["channel_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("forged_click: message without channel_id");
        let data = payloads::component_data(custom_id);
        self.dispatch_interaction(
            3,
            user_id,
            channel_id,
            Some((message_id, message.clone())),
            |_| data,
        )
        .await
    }

    /// A user submits the modal `custom_id` with `(text input custom_id, value)` pairs, in the
    /// shape Discord gives the form the bot sent: Label-shaped (each top-level component with
    /// its child) for a form with Labels and Text Displays, else one action row per input (also
    /// for a form the bot never sent).
    pub async fn submit_modal(
        &self,
        user_id: u64,
        channel_id: u64,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> Interaction {
        let (custom_id, fields) = (custom_id.to_string(), fields.to_vec());
        self.dispatch_interaction(5, user_id, channel_id, None, move |st| {
            match st.modal_sent(&custom_id) {
                Some(sent) if rules::modal_has_new_components(&sent) => {
                    payloads::labelled_modal_data(&sent, &fields)
                }
                _ => payloads::modal_data(&custom_id, &fields),
            }
        })
        .await
    }

    /// Refuse modals with Label or Text Display components (400 Invalid Form Body), as a
    /// Discord that does not know them would.
    pub fn refuse_new_modal_components(&self) {
        self.lock().refuse_new_modal_components = true;
    }

    /// Build and send INTERACTION_CREATE to the newest connected bot session of the channel's
    /// guild's shard (only one, so two bots alive at once cannot both answer), waiting for a
    /// session if the bot is reconnecting.
    async fn dispatch_interaction(
        &self,
        kind: u8,
        user_id: u64,
        channel_id: u64,
        clicked: Option<(u64, Value)>,
        data: impl FnOnce(&mut State) -> Value,
    ) -> Interaction {
        let spec = self
            .lock()
            .guild_of_channel(channel_id)
            .cloned()
            .unwrap_or_else(|| panic!("channel {channel_id} is in no guild of the fake"));
        let guild_id = spec.guild_id;
        let connected = poll(SESSION_WAIT, || {
            self.lock().gateway.newest_live_for(guild_id)
        })
        .await;
        assert!(
            connected.is_some(),
            "no bot session for guild {guild_id} connected to the fake gateway within {SESSION_WAIT:?} (log: {:?})",
            self.gateway_log()
        );
        let mut st = self.lock();
        let conn = st
            .gateway
            .newest_live_for(guild_id)
            .expect("a live session (just checked)");
        let shard = st.gateway.shard_of_connection(conn);
        let user = spec
            .member(user_id)
            .cloned()
            .unwrap_or_else(|| panic!("user {user_id} is not a member of guild {guild_id}"));
        let channel = st
            .channel(channel_id)
            .unwrap_or_else(|| panic!("channel {channel_id} is not in the GuildSpec"));
        let id = st.next_id();
        let token = st.random_string("interaction-token-");
        let data = data(&mut st);
        let base = payloads::InteractionBase {
            spec: &spec,
            id,
            token: &token,
            user: &user,
            channel: &channel,
            app_permissions: st.app_permissions(channel_id),
        };
        let source_message = clicked.as_ref().map(|(mid, _)| *mid);
        let payload = payloads::interaction(&base, kind, data, clicked.map(|(_, m)| m));
        st.interactions.push(InteractionRecord {
            id,
            kind,
            token: token.clone(),
            channel_id,
            dispatched_at: Instant::now(),
            response: None,
            late: false,
            original: None,
            source_message,
            followups: Vec::new(),
        });
        st.gateway
            .dispatch(conn, "INTERACTION_CREATE", payload.clone());
        Interaction {
            id,
            token,
            kind,
            channel_id,
            payload,
            shard,
        }
    }
}

/// When the bot's first accepted callback for `i` arrived, after its dispatch.
fn callback_latency(st: &State, i: &InteractionRecord) -> Option<Duration> {
    let path = format!("/api/v10/interactions/{}/{}/callback", i.id, i.token);
    let call = st
        .calls
        .iter()
        .find(|c| c.method == "POST" && c.path == path && c.status < 300)?;
    Some(call.at.saturating_duration_since(i.dispatched_at))
}

impl Interaction {
    /// The accepted initial callback body `{"type":N,"data":{..}}`.
    pub async fn response(&self, fake: &FakeDiscord, timeout: Duration) -> Option<Value> {
        poll(timeout, || {
            fake.lock().interaction(self.id)?.response.clone()
        })
        .await
    }

    /// The bot's reply, in the shape of a type 4 callback body: a deferred reply (type 5) is
    /// waited for until its edit or first follow-up gives it content or embeds, and given as
    /// `{"type":4,"data":<that message>}` (whose `flags` keep the deferral's 64). A test that
    /// needs to know whether the bot deferred reads [`Interaction::response`].
    pub async fn reply(&self, fake: &FakeDiscord, timeout: Duration) -> Option<Value> {
        let started = Instant::now();
        let first = self.response(fake, timeout).await?;
        if first["type"] != 5 {
            return Some(first);
        }
        let left = timeout.saturating_sub(started.elapsed());
        let message = self
            .wait_original(fake, left, |m| {
                m["content"].as_str().is_some_and(|c| !c.is_empty())
                    || m["embeds"].as_array().is_some_and(|e| !e.is_empty())
            })
            .await?;
        Some(json!({ "type": 4, "data": message }))
    }

    /// Bodies of `POST /webhooks/{app}/{token}` for this interaction, in order.
    pub fn followups(&self, fake: &FakeDiscord) -> Vec<Value> {
        fake.lock()
            .interaction(self.id)
            .map(|r| r.followups.clone())
            .unwrap_or_default()
    }

    /// The first follow-up body, waiting for it.
    pub async fn wait_followup(&self, fake: &FakeDiscord, timeout: Duration) -> Option<Value> {
        self.wait_followups(fake, 1, timeout)
            .await
            .and_then(|f| f.into_iter().next())
    }

    /// All follow-up bodies once there are at least `n`.
    pub async fn wait_followups(
        &self,
        fake: &FakeDiscord,
        n: usize,
        timeout: Duration,
    ) -> Option<Vec<Value>> {
        poll(timeout, || {
            let f = self.followups(fake);
            (f.len() >= n).then_some(f)
        })
        .await
    }

    /// The message `@original` refers to, as it is now: the reply (type 4), the deferred reply
    /// after its edit or first follow-up (type 5), or the clicked message (types 6/7).
    pub fn original(&self, fake: &FakeDiscord) -> Option<Value> {
        let st = fake.lock();
        let mid = st.interaction(self.id)?.original?;
        st.message(mid).map(|m| m.json.clone())
    }

    /// Wait until `original` satisfies `pred` (e.g. a deferred reply got its content).
    pub async fn wait_original(
        &self,
        fake: &FakeDiscord,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        poll(timeout, || self.original(fake).filter(|m| pred(m))).await
    }

    /// The modal the bot answered with (callback type 9), if it did.
    pub async fn modal(&self, fake: &FakeDiscord, timeout: Duration) -> Option<Value> {
        let r = self.response(fake, timeout).await?;
        (r["type"] == 9).then(|| r["data"].clone())
    }
}

/// The `custom_id`s of a message's components, row by row.
pub fn custom_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// A slash command's options naming subcommand `name` with `options`.
pub fn sub(name: &str, options: Value) -> Value {
    json!([{ "name": name, "type": 1, "options": options }])
}
