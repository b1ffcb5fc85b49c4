//! The REST API: one fallback handler that records every call, routes it by path segments and
//! answers like Discord would (including Discord's error bodies), enforcing the rules.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::payloads::{self, MessageKind};
use super::rules;
use super::spec::{APP_ID, BOT_ROLE_ID, BOT_USER_ID};
use super::state::{Origin, State};
use super::{Call, FakeDiscord};

/// A status and a JSON body (`Null` = no body, for 204).
pub struct Reply {
    status: u16,
    body: Value,
}

fn ok(body: Value) -> Reply {
    Reply { status: 200, body }
}

fn no_content() -> Reply {
    Reply {
        status: 204,
        body: Value::Null,
    }
}

/// Discord's error shape: `{"code": N, "message": "..."}`.
fn error(status: u16, code: u64, message: &str) -> Reply {
    Reply {
        status,
        body: json!({ "code": code, "message": message }),
    }
}

fn invalid_form_body() -> Reply {
    error(400, 50035, "Invalid Form Body")
}

fn unknown_channel() -> Reply {
    error(404, 10003, "Unknown Channel")
}

fn unknown_message() -> Reply {
    error(404, 10008, "Unknown Message")
}

fn unknown_webhook() -> Reply {
    error(404, 10015, "Unknown Webhook")
}

fn missing_permissions() -> Reply {
    error(403, 50013, "Missing Permissions")
}

pub async fn handle(
    AxumState(fake): AxumState<FakeDiscord>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_string();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body = parse_body(content_type, &bytes);
    let files = if content_type.starts_with("multipart/form-data") {
        multipart_files(content_type, &bytes)
    } else {
        Vec::new()
    };
    if method == Method::GET
        && let Some(file) = serve_upload(&fake, &path)
    {
        return file;
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let rejected = fake
        .lock()
        .valid_token
        .as_ref()
        .is_some_and(|t| authorization.trim_start_matches("Bot ") != t);
    if rejected {
        let body = json!({ "message": "401: Unauthorized", "code": 0 });
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    }
    let what = format!("{method} {path}");
    let delay = fake
        .lock()
        .latency
        .iter()
        .filter(|(pattern, _)| what.contains(pattern.as_str()))
        .map(|(_, d)| *d)
        .max();
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    if let Some(limited) = rate_limited(&fake, &what, &body) {
        fake.lock().calls.push(Call {
            method: method.to_string(),
            path,
            body,
            files,
            at,
            status: 429,
            response: limited.body.clone(),
        });
        return limited.response();
    }
    let reply = {
        let mut st = fake.lock();
        let route = path.strip_prefix("/api/v10").unwrap_or(&path);
        let segments: Vec<&str> = route.trim_matches('/').split('/').collect();
        let reply = route_call(&mut st, method.as_str(), &segments, &body);
        if reply.status == 404 && reply.body["code"] == 0 {
            let what = format!("{method} {path}");
            st.unknown_routes.push(what.clone());
            st.violation(format!(
                "unknown route (the fake does not implement it): {what}"
            ));
        }
        st.calls.push(Call {
            method: method.to_string(),
            path,
            body,
            files,
            at,
            status: reply.status,
            response: reply.body.clone(),
        });
        reply
    };
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if reply.body.is_null() {
        status.into_response()
    } else {
        (status, axum::Json(reply.body)).into_response()
    }
}

/// A 429 as Discord sends it: the JSON body (`retry_after` in seconds, a float; `global`) and
/// the headers (`Retry-After` in whole seconds, `X-RateLimit-*`).
struct Limited {
    body: Value,
    bucket: String,
    retry_after: f64,
    global: bool,
}

impl Limited {
    fn response(self) -> Response {
        let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(self.body)).into_response();
        let h = response.headers_mut();
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
            + self.retry_after;
        let mut set = |name: &'static str, value: String| {
            if let Ok(v) = header::HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        };
        set("retry-after", format!("{}", self.retry_after.ceil() as u64));
        set(
            "x-ratelimit-reset-after",
            format!("{:.3}", self.retry_after),
        );
        if self.global {
            set("x-ratelimit-global", "true".into());
            set("x-ratelimit-scope", "global".into());
        } else {
            set("x-ratelimit-limit", "5".into());
            set("x-ratelimit-remaining", "0".into());
            set("x-ratelimit-reset", format!("{reset:.3}"));
            set("x-ratelimit-bucket", self.bucket);
            set("x-ratelimit-scope", "user".into());
        }
        response
    }
}

/// The 429 for this call if a rate limit applies to it: its bucket is closed (an early call:
/// told what is left of the wait), or it has 429s left to give (it closes for `retry_after`).
/// Interaction callbacks are exempt, as on Discord.
fn rate_limited(fake: &FakeDiscord, what: &str, body: &Value) -> Option<Limited> {
    if what.contains("/callback") {
        return None;
    }
    let now = Instant::now();
    let signature = format!("{what} {body}");
    let mut st = fake.lock();
    let matching = |l: &super::state::RateLimit| l.global || what.contains(l.pattern.as_str());
    let (limit, wait) = if let Some(closed) = st
        .rate_limits
        .iter_mut()
        .find(|l| matching(l) && l.closed_until.is_some_and(|t| t > now))
    {
        if closed
            .told
            .iter()
            .any(|(s, until)| *s == signature && *until > now)
        {
            closed.early += 1;
        }
        let until = closed.closed_until.unwrap_or(now);
        closed.told.push((signature, until));
        (closed, until - now)
    } else {
        let limit = st
            .rate_limits
            .iter_mut()
            .find(|l| matching(l) && l.count > 0)?;
        limit.count -= 1;
        let until = now + limit.retry_after;
        limit.closed_until = Some(until);
        limit.told.push((signature, until));
        let wait = limit.retry_after;
        (limit, wait)
    };
    let retry_after = wait.as_secs_f64();
    Some(Limited {
        body: json!({
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": limit.global,
            "code": 0,
        }),
        // Discord's bucket ids are opaque hashes; one per limit is enough here (FNV-1a).
        bucket: format!(
            "{:016x}",
            limit
                .pattern
                .bytes()
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                })
        ),
        retry_after,
        global: limit.global,
    })
}

/// `GET /attachments/{id}/{filename}`: a file a user attached to a command (Discord's CDN).
fn serve_upload(fake: &FakeDiscord, path: &str) -> Option<Response> {
    let id: u64 = path
        .strip_prefix("/attachments/")?
        .split('/')
        .next()?
        .parse()
        .ok()?;
    let st = fake.lock();
    let (_, bytes) = st.uploads.get(&id)?;
    Some((StatusCode::OK, bytes.clone()).into_response())
}

/// JSON bodies as JSON; multipart (attachments) as its `payload_json` part; nothing as Null.
fn parse_body(content_type: &str, bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if content_type.starts_with("multipart/form-data") {
        return multipart_payload_json(content_type, bytes).unwrap_or(Value::Null);
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// The `payload_json` field of a multipart/form-data body (serenity puts the message there and
/// the files in `files[N]` parts, which the fake ignores).
pub fn multipart_payload_json(content_type: &str, bytes: &[u8]) -> Option<Value> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    // Files may be binary; a lossy view keeps the ASCII delimiters and the UTF-8 JSON intact.
    let text = String::from_utf8_lossy(bytes);
    text.split(&format!("--{boundary}")).find_map(|part| {
        let (head, content) = part.split_once("\r\n\r\n")?;
        if !head.contains("name=\"payload_json\"") {
            return None;
        }
        serde_json::from_str(content.strip_suffix("\r\n").unwrap_or(content)).ok()
    })
}

/// The file parts (`files[N]`) of a multipart/form-data body, byte for byte: (filename, bytes).
pub fn multipart_files(content_type: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
    else {
        return Vec::new();
    };
    let delimiter = format!("--{boundary}").into_bytes();
    let find = |haystack: &[u8], from: usize| {
        haystack
            .get(from..)?
            .windows(delimiter.len())
            .position(|w| w == delimiter.as_slice())
            .map(|p| p + from)
    };
    let mut files = Vec::new();
    let mut at = find(bytes, 0);
    while let Some(start) = at {
        let part_start = start + delimiter.len();
        let next = find(bytes, part_start);
        let end = next.unwrap_or(bytes.len());
        let part = &bytes[part_start..end];
        // A part: CRLF, headers, a blank line, the content, CRLF before the next delimiter.
        if let Some(split) = part.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&part[..split]);
            let content = &part[split + 4..];
            let content = content.strip_suffix(b"\r\n").unwrap_or(content);
            let filename = head
                .split(';')
                .find_map(|p| p.trim().strip_prefix("filename="))
                .map(|f| f.lines().next().unwrap_or("").trim_matches('"').to_string());
            if let Some(filename) = filename
                && head.contains("name=\"files[")
            {
                files.push((filename, content.to_vec()));
            }
        }
        at = next;
    }
    files
}

fn id(s: &str) -> Option<u64> {
    s.parse().ok()
}

fn route_call(st: &mut State, method: &str, seg: &[&str], body: &Value) -> Reply {
    // Parse every numeric segment up front; a non-numeric id is simply an unknown route.
    let n = |i: usize| seg.get(i).and_then(|s| id(s)).unwrap_or(0);
    match (method, seg) {
        ("GET", ["gateway"]) => ok(payloads::gateway(&st.gateway_url())),
        ("GET", ["gateway", "bot"]) => ok(payloads::gateway_bot(&st.gateway_url(), st.shards)),
        ("GET", ["oauth2", "applications", "@me"]) => ok(payloads::application_info()),
        ("GET", ["users", "@me"]) => ok(payloads::bot_user()),

        ("PUT" | "GET" | "POST", ["applications", _, "commands"]) => {
            commands(st, method, n(1), None, body)
        }
        ("PUT" | "GET" | "POST", ["applications", _, "guilds", _, "commands"]) => {
            commands(st, method, n(1), Some(n(3)), body)
        }

        ("POST", ["interactions", _, token, "callback"]) => callback(st, n(1), token, body),
        ("GET" | "PATCH" | "DELETE", ["webhooks", _, token, "messages", "@original"]) => {
            webhook_message(st, method, n(1), token, None, body)
        }
        ("GET" | "PATCH" | "DELETE", ["webhooks", _, token, "messages", m]) if id(m).is_some() => {
            webhook_message(st, method, n(1), token, Some(n(4)), body)
        }
        ("POST", ["webhooks", _, token]) => followup(st, n(1), token, body),

        ("GET", ["channels", _]) => st.channel(n(1)).map_or_else(unknown_channel, ok),
        ("POST", ["channels", _, "messages"]) => create_channel_message(st, n(1), body),
        ("GET" | "PATCH" | "DELETE", ["channels", _, "messages", _]) => {
            channel_message(st, method, n(1), n(3), body)
        }
        ("POST", ["channels", _, "messages", _, "threads"]) => {
            create_thread(st, n(1), Some(n(3)), body)
        }
        ("POST", ["channels", _, "threads"]) => create_thread(st, n(1), None, body),
        ("POST", ["channels", _, "typing"]) => match st.channel(n(1)) {
            None => unknown_channel(),
            Some(_) if st.is_denied(n(1)) => missing_permissions(),
            Some(_) => no_content(),
        },

        ("GET", ["guilds", _, "members", _]) => get_member(st, n(1), n(3)),

        _ => error(404, 0, "unknown route"),
    }
}

fn commands(st: &mut State, method: &str, app: u64, guild: Option<u64>, body: &Value) -> Reply {
    if app != APP_ID {
        st.violation(format!(
            "{method} commands for application {app}, but the application id is {APP_ID} \
             (the bot user id is {BOT_USER_ID})"
        ));
        return error(404, 10002, "Unknown Application");
    }
    if guild.is_some_and(|g| st.guild(g).is_none()) {
        return error(404, 10004, "Unknown Guild");
    }
    let stored = match guild {
        Some(_) => st.guild_commands.clone(),
        None => st.global_commands.clone(),
    };
    let (list, status) = match method {
        "GET" => return ok(Value::Array(stored)),
        "PUT" => {
            let problems = rules::command_list_limits(body);
            if !problems.is_empty() {
                return reject(st, "command registration", problems);
            }
            let list = body.as_array().cloned().unwrap_or_default();
            let built: Vec<Value> = list
                .iter()
                .map(|c| build_command(st, &stored, c, guild))
                .collect();
            (built, 200)
        }
        _ => {
            // POST: create or overwrite one command by name.
            let problems = rules::command_limits(body);
            if !problems.is_empty() {
                return reject(st, "command registration", problems);
            }
            let cmd = build_command(st, &stored, body, guild);
            let mut list: Vec<Value> = stored.clone();
            let status = match list.iter().position(|c| same_command(c, body)) {
                Some(i) => {
                    list[i] = cmd.clone();
                    200
                }
                None => {
                    list.push(cmd.clone());
                    201
                }
            };
            store_commands(st, guild, list);
            return Reply { status, body: cmd };
        }
    };
    store_commands(st, guild, list.clone());
    Reply {
        status,
        body: Value::Array(list),
    }
}

fn same_command(a: &Value, b: &Value) -> bool {
    let kind = |c: &Value| c["type"].as_u64().unwrap_or(1);
    a["name"] == b["name"] && kind(a) == kind(b)
}

/// A registered command keeps its id across re-registration, like Discord's upsert.
fn build_command(st: &mut State, stored: &[Value], body: &Value, guild: Option<u64>) -> Value {
    let existing = stored
        .iter()
        .find(|c| same_command(c, body))
        .and_then(|c| c["id"].as_str()?.parse().ok());
    let id = existing.unwrap_or_else(|| st.next_id());
    let version = st.next_id();
    payloads::command(body, id, guild, version)
}

fn store_commands(st: &mut State, guild: Option<u64>, list: Vec<Value>) {
    match guild {
        Some(_) => st.guild_commands = list,
        None => st.global_commands = list,
    }
}

/// Discord would answer 400 Invalid Form Body; record why.
fn reject(st: &mut State, what: &str, problems: Vec<String>) -> Reply {
    for p in problems {
        st.violation(format!(
            "{what}: {p} (Discord answers 400 Invalid Form Body)"
        ));
    }
    invalid_form_body()
}

/// Project convention: text the bot sends says who it may ping.
fn check_allowed_mentions(st: &mut State, what: &str, body: &Value) {
    if rules::lacks_allowed_mentions(body) {
        st.violation(format!(
            "{what}: no allowed_mentions (user text in it could ping @everyone or roles)"
        ));
    }
}

/// `POST /interactions/{id}/{token}/callback`: the one initial response.
fn callback(st: &mut State, interaction_id: u64, token: &str, body: &Value) -> Reply {
    let Some(rec) = st
        .interaction(interaction_id)
        .filter(|r| r.token == token)
        .cloned()
    else {
        st.violation(format!("callback for unknown interaction {interaction_id}"));
        return error(404, 10062, "Unknown interaction");
    };
    let what = format!("interaction {} (type {})", rec.id, rec.kind);
    let rtype = body["type"].as_u64().unwrap_or(0);
    if let Some(first) = &rec.response {
        st.violation(format!(
            "{what}: second initial response (callback type {rtype}; the first was type {})",
            first["type"]
        ));
        return error(400, 40060, "Interaction has already been acknowledged.");
    }
    let elapsed = rec.dispatched_at.elapsed();
    if elapsed > st.limits.initial_response {
        st.violation(format!(
            "{what}: initial response after {} ms (limit {} ms)",
            elapsed.as_millis(),
            st.limits.initial_response.as_millis()
        ));
        if let Some(r) = st.interaction_mut(interaction_id) {
            r.late = true;
        }
        return error(404, 10062, "Unknown interaction");
    }
    // Which callback types Discord accepts for which interaction type.
    let allowed: &[u64] = match rec.kind {
        2 => &[4, 5, 9],
        3 => &[4, 5, 6, 7, 9],
        4 => &[8],
        5 => &[4, 5, 6, 7],
        _ => &[],
    };
    if !allowed.contains(&rtype) {
        let why = match (rtype, rec.kind) {
            (9, 5) => " (a modal cannot answer a modal submit)",
            (9, _) => " (a modal can only be the first response to a command or component)",
            (6 | 7, _) => " (only component and modal interactions have a message to update)",
            _ => "",
        };
        st.violation(format!(
            "{what}: callback type {rtype} is not allowed for this interaction{why}"
        ));
        return invalid_form_body();
    }
    let data = &body["data"];
    if rtype == 9 && st.refuse_new_modal_components && rules::modal_has_new_components(data) {
        return invalid_form_body();
    }
    let mut problems = match rtype {
        4 | 7 => rules::message_limits(data),
        8 => rules::autocomplete_limits(data),
        9 => rules::modal_limits(data),
        _ => Vec::new(),
    };
    if rtype == 4 && rules::is_empty_message(data) {
        problems.push("an empty message".to_string());
    }
    if !problems.is_empty() {
        return reject(st, &format!("{what} callback type {rtype}"), problems);
    }
    if matches!(rtype, 4 | 7) {
        check_allowed_mentions(st, &format!("{what} callback type {rtype}"), data);
    }
    let original = match rtype {
        4 => {
            let kind = MessageKind::Interaction {
                slash: rec.kind == 2,
            };
            let m = st.create_message(rec.channel_id, data, kind, Origin::Interaction(rec.id));
            m["id"].as_str().and_then(id)
        }
        5 => {
            // "Bot is thinking...": an empty message flagged LOADING (128) until edited.
            let flags = data["flags"].as_u64().unwrap_or(0) | 128;
            let kind = MessageKind::Interaction {
                slash: rec.kind == 2,
            };
            let loading = json!({ "content": "", "flags": flags });
            let m = st.create_message(rec.channel_id, &loading, kind, Origin::Interaction(rec.id));
            m["id"].as_str().and_then(id)
        }
        6 => rec.source_message,
        7 => {
            if let Some(src) = rec.source_message {
                st.edit_message(src, data);
            }
            rec.source_message
        }
        _ => None,
    };
    if let Some(r) = st.interaction_mut(interaction_id) {
        r.response = Some(body.clone());
        r.original = original;
    }
    no_content()
}

/// Find the interaction behind a webhook token, enforcing "only after the initial response"
/// and the token lifetime.
fn webhook_interaction(st: &mut State, app: u64, token: &str, what: &str) -> Result<u64, Reply> {
    if app != APP_ID {
        st.violation(format!(
            "{what}: webhook for application {app}, but the application id is {APP_ID}"
        ));
        return Err(unknown_webhook());
    }
    let Some(rec) = st.interaction_by_token(token).cloned() else {
        st.violation(format!("{what}: unknown interaction token"));
        return Err(unknown_webhook());
    };
    if rec.response.is_none() {
        st.violation(format!(
            "{what}: interaction {} used before its initial response",
            rec.id
        ));
        return Err(unknown_webhook());
    }
    if rec.dispatched_at.elapsed() > st.limits.token_lifetime {
        st.violation(format!(
            "{what}: interaction {} token used after it expired ({} s)",
            rec.id,
            st.limits.token_lifetime.as_secs_f64()
        ));
        return Err(error(401, 50027, "Invalid Webhook Token"));
    }
    Ok(rec.id)
}

/// `POST /webhooks/{app}/{token}`: a follow-up message.
fn followup(st: &mut State, app: u64, token: &str, body: &Value) -> Reply {
    let what = "follow-up";
    let iid = match webhook_interaction(st, app, token, what) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut problems = rules::message_limits(body);
    if rules::is_empty_message(body) {
        problems.push("an empty message".to_string());
    }
    if !problems.is_empty() {
        return reject(st, &format!("interaction {iid} {what}"), problems);
    }
    check_allowed_mentions(st, &format!("interaction {iid} {what}"), body);
    let Some(rec) = st.interaction(iid).cloned() else {
        return unknown_webhook();
    };
    // After a deferred reply (type 5) the first follow-up replaces the "thinking" message.
    let loading = rec
        .original
        .and_then(|m| st.message(m))
        .filter(|m| m.json["flags"].as_u64().unwrap_or(0) & 128 != 0)
        .map(|m| m.id);
    let message = match loading {
        Some(mid) if rec.followups.is_empty() => finish_loading(st, mid, body),
        _ => {
            let kind = MessageKind::Interaction {
                slash: rec.kind == 2,
            };
            Some(st.create_message(rec.channel_id, body, kind, Origin::Interaction(iid)))
        }
    };
    if let Some(r) = st.interaction_mut(iid) {
        r.followups.push(body.clone());
    }
    message.map_or_else(unknown_message, ok)
}

/// Edit a deferred "thinking" message, clearing its LOADING flag.
fn finish_loading(st: &mut State, mid: u64, body: &Value) -> Option<Value> {
    let flags = st.message(mid)?.json["flags"].as_u64().unwrap_or(0) & !128;
    let mut edit = body.clone();
    edit["flags"] = json!(flags | (body["flags"].as_u64().unwrap_or(0) & 64));
    st.edit_message(mid, &edit)
}

/// GET/PATCH/DELETE of `@original` (message = None) or of a follow-up message.
fn webhook_message(
    st: &mut State,
    method: &str,
    app: u64,
    token: &str,
    message: Option<u64>,
    body: &Value,
) -> Reply {
    let what = match (method, message) {
        ("PATCH", None) => "edit of @original",
        (_, None) => "@original",
        ("PATCH", Some(_)) => "edit of a follow-up",
        _ => "follow-up message",
    };
    let iid = match webhook_interaction(st, app, token, what) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let Some(rec) = st.interaction(iid).cloned() else {
        return unknown_webhook();
    };
    let target = match message {
        None => rec.original,
        // A follow-up id must be a message of this interaction.
        Some(m) => st
            .message(m)
            .filter(|s| s.origin == Origin::Interaction(iid) || Some(m) == rec.original)
            .map(|s| s.id),
    };
    let Some(mid) = target.filter(|m| st.message(*m).is_some()) else {
        if method == "PATCH" {
            let first = rec
                .response
                .as_ref()
                .map_or(json!(null), |r| r["type"].clone());
            st.violation(format!(
                "interaction {iid} {what}: there is no such message (initial response type {first})"
            ));
        }
        return unknown_message();
    };
    match method {
        "GET" => st
            .message(mid)
            .map_or_else(unknown_message, |m| ok(m.json.clone())),
        "DELETE" => {
            if let Some(m) = st.message_mut(mid) {
                m.deleted = true;
            }
            no_content()
        }
        _ => {
            let problems = rules::message_limits(body);
            if !problems.is_empty() {
                return reject(st, &format!("interaction {iid} {what}"), problems);
            }
            check_allowed_mentions(st, &format!("interaction {iid} {what}"), body);
            let edited = match st.message(mid) {
                Some(m) if m.json["flags"].as_u64().unwrap_or(0) & 128 != 0 => {
                    finish_loading(st, mid, body)
                }
                _ => st.edit_message(mid, body),
            };
            edited.map_or_else(unknown_message, ok)
        }
    }
}

/// `POST /channels/{id}/messages`.
fn create_channel_message(st: &mut State, channel_id: u64, body: &Value) -> Reply {
    if st.channel(channel_id).is_none() {
        return unknown_channel();
    }
    if st.is_denied(channel_id) {
        return missing_permissions();
    }
    let what = format!("message in channel {channel_id}");
    let problems = rules::message_limits(body);
    if !problems.is_empty() {
        return reject(st, &what, problems);
    }
    if rules::is_empty_message(body) {
        st.violation(format!("{what}: an empty message (Discord answers 50006)"));
        return error(400, 50006, "Cannot send an empty message");
    }
    check_allowed_mentions(st, &what, body);
    if body["flags"].as_u64().unwrap_or(0) & 64 != 0 {
        st.violation(format!(
            "{what}: ephemeral flag on a channel message (only interaction replies can be ephemeral)"
        ));
    }
    let nonce = match &body["nonce"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(n) = &nonce
        && n.chars().count() > 25
    {
        return reject(
            st,
            &what,
            vec![format!(
                "nonce is {} characters (limit 25)",
                n.chars().count()
            )],
        );
    }
    if body["enforce_nonce"] == true
        && let Some(n) = &nonce
        && let Some(existing) = st.nonces.get(&(channel_id, n.clone())).copied()
        && let Some(m) = st.message(existing)
    {
        return ok(m.json.clone());
    }
    let created = st.create_message(channel_id, body, MessageKind::Channel, Origin::Channel);
    if let (Some(n), Some(id)) = (nonce, created["id"].as_str().and_then(|i| i.parse().ok())) {
        st.nonces.insert((channel_id, n), id);
    }
    ok(created)
}

/// GET/PATCH/DELETE `/channels/{id}/messages/{mid}`.
fn channel_message(st: &mut State, method: &str, channel_id: u64, mid: u64, body: &Value) -> Reply {
    if st.channel(channel_id).is_none() {
        return unknown_channel();
    }
    // Ephemeral messages are not channel messages.
    let visible = st
        .message(mid)
        .filter(|m| m.channel_id == channel_id)
        .filter(|m| m.json["flags"].as_u64().unwrap_or(0) & 64 == 0)
        .is_some();
    if !visible {
        return unknown_message();
    }
    match method {
        "GET" => st
            .message(mid)
            .map_or_else(unknown_message, |m| ok(m.json.clone())),
        "DELETE" => {
            if let Some(m) = st.message_mut(mid) {
                m.deleted = true;
            }
            no_content()
        }
        _ => {
            let what = format!("edit of message {mid} in channel {channel_id}");
            let problems = rules::message_limits(body);
            if !problems.is_empty() {
                return reject(st, &what, problems);
            }
            check_allowed_mentions(st, &what, body);
            st.edit_message(mid, body).map_or_else(unknown_message, ok)
        }
    }
}

/// `POST /channels/{id}/messages/{mid}/threads` (thread id = message id, like Discord) and
/// `POST /channels/{id}/threads`.
fn create_thread(st: &mut State, channel_id: u64, from: Option<u64>, body: &Value) -> Reply {
    if st.channel(channel_id).is_none() {
        return unknown_channel();
    }
    if st.is_denied(channel_id) {
        return missing_permissions();
    }
    let name = body["name"].as_str().unwrap_or("");
    let n = name.chars().count();
    if !(1..=100).contains(&n) {
        return reject(
            st,
            "thread",
            vec![format!("name is {n} characters (1-100)")],
        );
    }
    let (thread_id, kind) = match from {
        Some(mid) => {
            let exists = st.message(mid).is_some_and(|m| m.channel_id == channel_id);
            if !exists {
                return unknown_message();
            }
            if st.channel(mid).is_some() {
                return error(
                    400,
                    160004,
                    "A thread has already been created for this message",
                );
            }
            (mid, 11)
        }
        // Discord's default for threads without a message is a private thread.
        None => (st.next_id(), body["type"].as_u64().unwrap_or(12)),
    };
    let guild_id = st
        .guild_of_channel(channel_id)
        .map_or(st.spec.guild_id, |g| g.guild_id);
    let thread = payloads::thread_channel(guild_id, thread_id, channel_id, name, kind);
    st.threads.push(thread.clone());
    // Tell the bot, as Discord does (serenity's cache learns the channel from this).
    if let Some(conn) = st.gateway.newest_live_for(guild_id) {
        let mut event = thread.clone();
        event["newly_created"] = json!(true);
        st.gateway.dispatch(conn, "THREAD_CREATE", event);
    }
    Reply {
        status: 201,
        body: thread,
    }
}

fn get_member(st: &State, guild_id: u64, user_id: u64) -> Reply {
    let Some(spec) = st.guild(guild_id) else {
        return error(404, 10004, "Unknown Guild");
    };
    if user_id == BOT_USER_ID {
        let mut m = payloads::member(
            spec,
            &super::MemberSpec {
                user_id,
                name: String::new(),
                roles: vec![],
                permissions: 0,
            },
        );
        m["user"] = payloads::bot_user();
        m["roles"] = json!([BOT_ROLE_ID.to_string()]);
        return ok(m);
    }
    match spec.member(user_id) {
        Some(m) => ok(payloads::member(spec, m)),
        None => error(404, 10007, "Unknown Member"),
    }
}
