//! JSON the fake sends, built as Discord sends it (snowflakes as strings, permissions as
//! strings, every field serenity requires present). Pure functions of their inputs, so
//! `tests/suite/harness.rs` can parse each one into serenity's own types: a payload serenity cannot
//! parse is only logged and dropped by the client, which would otherwise surface as a timeout.

use serde_json::{Map, Value, json};

use super::spec::{APP_ID, BOT_ROLE_ID, BOT_USER_ID, GuildSpec, MemberSpec, OWNER_USER_ID};

/// Discord's timestamp format.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}

pub fn now() -> String {
    timestamp(chrono::Utc::now())
}

/// When every member "joined" (fixed, so payloads are reproducible).
pub const JOINED_AT: &str = "2024-01-01T00:00:00.000000+00:00";

pub fn user(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": null,
        "bot": false,
        "public_flags": 0,
    })
}

pub fn bot_user() -> Value {
    json!({
        "id": BOT_USER_ID.to_string(),
        "username": "interview-bot",
        "global_name": null,
        "discriminator": "0000",
        "avatar": null,
        "bot": true,
        "verified": true,
        "mfa_enabled": false,
        "flags": 0,
        "public_flags": 0,
    })
}

fn owner_user() -> Value {
    user(OWNER_USER_ID, "app-owner")
}

/// A guild member as in GUILD_CREATE and `GET /guilds/{g}/members/{u}`.
pub fn member(spec: &GuildSpec, m: &MemberSpec) -> Value {
    member_json(user(m.user_id, &m.name), spec.member_role_ids(m))
}

fn member_json(user: Value, roles: Vec<u64>) -> Value {
    let roles: Vec<String> = roles.iter().map(u64::to_string).collect();
    json!({
        "user": user,
        "nick": null,
        "avatar": null,
        "roles": roles,
        "joined_at": JOINED_AT,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
    })
}

/// The member object inside an interaction: a guild member plus its computed `permissions`.
pub fn interaction_member(spec: &GuildSpec, m: &MemberSpec) -> Value {
    let mut v = member(spec, m);
    v["permissions"] = json!(spec.member_permissions(m).to_string());
    v
}

pub fn role(id: u64, name: &str, permissions: u64, managed: bool, position: usize) -> Value {
    let mut tags = json!({});
    if managed {
        tags["bot_id"] = json!(BOT_USER_ID.to_string());
    }
    json!({
        "id": id.to_string(),
        "name": name,
        "color": 0,
        // serenity 0.12.5 requires `colors` (Discord's enhanced role colours).
        "colors": { "primary_color": 0, "secondary_color": null, "tertiary_color": null },
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": permissions.to_string(),
        "managed": managed,
        "mentionable": false,
        "flags": 0,
        "tags": tags,
    })
}

pub fn text_channel(guild_id: u64, id: u64, name: &str, position: usize) -> Value {
    json!({
        "id": id.to_string(),
        "type": 0,
        "guild_id": guild_id.to_string(),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "topic": null,
        "nsfw": false,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "parent_id": null,
        "flags": 0,
    })
}

/// A thread channel (type 11 public, 12 private), as `POST .../threads` returns it.
pub fn thread_channel(guild_id: u64, id: u64, parent_id: u64, name: &str, kind: u64) -> Value {
    json!({
        "id": id.to_string(),
        "type": kind,
        "guild_id": guild_id.to_string(),
        "parent_id": parent_id.to_string(),
        "owner_id": BOT_USER_ID.to_string(),
        "name": name,
        "last_message_id": null,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": 1440,
            "archive_timestamp": now(),
            "locked": false,
            "create_timestamp": now(),
        },
        "member": { "join_timestamp": now(), "flags": 0 },
    })
}

/// The `channel` of an interaction (a partial channel).
pub fn partial_channel(channel: &Value) -> Value {
    let mut v = json!({ "id": channel["id"], "type": channel["type"], "name": channel["name"] });
    if let Some(parent) = channel.get("parent_id").filter(|p| !p.is_null()) {
        v["parent_id"] = parent.clone();
    }
    v
}

/// READY: the guild is announced as unavailable, GUILD_CREATE follows with the full guild.
/// READY for a session that receives these guilds (their GUILD_CREATEs follow).
pub fn ready(
    session_id: &str,
    resume_gateway_url: &str,
    guild_ids: &[u64],
    shard: &Value,
) -> Value {
    let guilds: Vec<Value> = guild_ids
        .iter()
        .map(|g| json!({ "id": g.to_string(), "unavailable": true }))
        .collect();
    let mut v = json!({
        "v": 10,
        "user": bot_user(),
        "guilds": guilds,
        "session_id": session_id,
        "resume_gateway_url": resume_gateway_url,
        "application": { "id": APP_ID.to_string(), "flags": 0 },
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": [],
        "user_settings": {},
    });
    if shard.is_array() {
        v["shard"] = shard.clone();
    }
    v
}

/// The full guild of GUILD_CREATE (serenity's `Guild` needs ~30 fields).
pub fn guild_create(spec: &GuildSpec, threads: &[Value]) -> Value {
    let roles: Vec<Value> = spec
        .all_roles()
        .iter()
        .enumerate()
        .map(|(pos, (id, name, p, managed))| role(*id, name, *p, *managed, pos))
        .collect();
    let channels: Vec<Value> = spec
        .channels
        .iter()
        .enumerate()
        .map(|(pos, (id, name))| text_channel(spec.guild_id, *id, name, pos))
        .collect();
    let mut members: Vec<Value> = spec.members.iter().map(|m| member(spec, m)).collect();
    // The bot is a member too: serenity's cache computes its permissions from this.
    members.push(member_json(bot_user(), vec![BOT_ROLE_ID]));
    let mut guild = json!({
        "id": spec.guild_id.to_string(),
        "name": "Interview Practice",
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": OWNER_USER_ID.to_string(),
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "incidents_data": null,
    });
    // Two halves: one `json!` this big exceeds the macro recursion limit.
    let create_extras = json!({
        "joined_at": JOINED_AT,
        "large": false,
        "unavailable": false,
        "member_count": members.len(),
        "voice_states": [],
        "members": members,
        "channels": channels,
        "threads": threads,
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    });
    if let (Some(g), Some(extras)) = (guild.as_object_mut(), create_extras.as_object()) {
        g.extend(extras.clone());
    }
    guild
}

/// `GET /oauth2/applications/@me` (poise reads `owner`/`team` for owner-only commands).
pub fn application_info() -> Value {
    json!({
        "id": APP_ID.to_string(),
        "name": "Interview Bot",
        "icon": null,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": true,
        "bot_require_code_grant": false,
        "owner": owner_user(),
        "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
        "team": null,
        "flags": 0,
        "bot": bot_user(),
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "integration_types_config": { "0": {} },
    })
}

pub fn gateway(url: &str) -> Value {
    json!({ "url": url })
}

pub fn gateway_bot(url: &str, shards: u64) -> Value {
    json!({
        "url": url,
        "shards": shards,
        "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1 },
    })
}

/// Where a message came from decides a few fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `POST /channels/{id}/messages`.
    Channel,
    /// An interaction response or follow-up; `slash` makes it a CHAT_INPUT_COMMAND message.
    Interaction { slash: bool },
}

/// The Message Discord returns for a create body (content/embeds/components/flags echoed).
/// `new_id` supplies snowflakes for the message and its attachments.
pub fn message(
    id: u64,
    channel_id: u64,
    body: &Value,
    kind: MessageKind,
    new_id: &mut dyn FnMut() -> u64,
) -> Value {
    let mut m = json!({
        "id": id.to_string(),
        "channel_id": channel_id.to_string(),
        "author": bot_user(),
        "content": "",
        "timestamp": now(),
        "edited_timestamp": null,
        "tts": body.get("tts").and_then(Value::as_bool).unwrap_or(false),
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": [],
        "reactions": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
        "components": [],
    });
    if let MessageKind::Interaction { slash } = kind {
        m["type"] = json!(if slash { 20 } else { 0 });
        m["webhook_id"] = json!(APP_ID.to_string());
        m["application_id"] = json!(APP_ID.to_string());
    }
    apply_edit(&mut m, body, new_id);
    m["edited_timestamp"] = Value::Null;
    m
}

/// Apply a create/edit body to a stored message: present keys replace, absent keys stay.
pub fn apply_edit(m: &mut Value, body: &Value, new_id: &mut dyn FnMut() -> u64) {
    let Some(body) = body.as_object() else { return };
    if let Some(content) = body.get("content") {
        m["content"] = json!(content.as_str().unwrap_or(""));
    }
    if let Some(embeds) = body.get("embeds") {
        let embeds: Vec<Value> = embeds.as_array().cloned().unwrap_or_default();
        m["embeds"] = Value::Array(embeds.into_iter().map(rich_embed).collect());
    }
    if let Some(components) = body.get("components") {
        m["components"] = if components.is_null() {
            json!([])
        } else {
            components.clone()
        };
    }
    if let Some(flags) = body.get("flags").and_then(Value::as_u64) {
        m["flags"] = json!(flags);
    }
    if let Some(attachments) = body.get("attachments").and_then(Value::as_array) {
        let list: Vec<Value> = attachments
            .iter()
            .map(|a| attachment(a, &mut *new_id))
            .collect();
        m["attachments"] = Value::Array(list);
    }
    m["edited_timestamp"] = json!(now());
}

fn rich_embed(mut e: Value) -> Value {
    if let Some(obj) = e.as_object_mut() {
        obj.entry("type").or_insert(json!("rich"));
    }
    e
}

fn attachment(a: &Value, new_id: &mut dyn FnMut() -> u64) -> Value {
    // New uploads are numbered 0.. in the body; anything bigger is an existing attachment kept.
    let id = match a
        .get("id")
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
    {
        Some(id) if id > 1_000 => id,
        _ => new_id(),
    };
    let filename = a.get("filename").and_then(Value::as_str).unwrap_or("file");
    let url = format!("http://127.0.0.1/attachments/{id}/{filename}");
    json!({
        "id": id.to_string(),
        "filename": filename,
        "description": a.get("description").cloned().unwrap_or(Value::Null),
        "size": 0,
        "url": url,
        "proxy_url": url,
        "height": null,
        "width": null,
    })
}

/// A registered application command, as `PUT .../commands` returns it.
pub fn command(body: &Value, id: u64, guild_id: Option<u64>, version: u64) -> Value {
    let mut c: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    c.insert("id".into(), json!(id.to_string()));
    c.insert("application_id".into(), json!(APP_ID.to_string()));
    c.insert("version".into(), json!(version.to_string()));
    c.entry("type").or_insert(json!(1));
    c.entry("description").or_insert(json!(""));
    c.entry("options").or_insert(json!([]));
    c.entry("default_member_permissions").or_insert(Value::Null);
    c.entry("nsfw").or_insert(json!(false));
    if let Some(g) = guild_id {
        c.insert("guild_id".into(), json!(g.to_string()));
    }
    Value::Object(c)
}

/// What every interaction carries, whatever its type.
pub struct InteractionBase<'a> {
    pub spec: &'a GuildSpec,
    pub id: u64,
    pub token: &'a str,
    pub user: &'a MemberSpec,
    /// The channel object (text channel or thread) the user acted in.
    pub channel: &'a Value,
    /// The bot's permissions in that channel.
    pub app_permissions: u64,
}

/// INTERACTION_CREATE `d` for interaction type `kind` (2 command, 3 component, 4 autocomplete,
/// 5 modal submit) with its `data` and, for components, the message clicked.
pub fn interaction(
    base: &InteractionBase<'_>,
    kind: u8,
    data: Value,
    message: Option<Value>,
) -> Value {
    let guild_id = base.spec.guild_id.to_string();
    let mut v = json!({
        "id": base.id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "token": base.token,
        "version": 1,
        "guild_id": guild_id,
        "guild": { "id": guild_id, "locale": "en-US", "features": [] },
        "channel_id": base.channel["id"],
        "channel": partial_channel(base.channel),
        "member": interaction_member(base.spec, base.user),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 10_485_760,
        "authorizing_integration_owners": { "0": guild_id },
        "context": 0,
        "app_permissions": base.app_permissions.to_string(),
        "data": data,
    });
    if let Some(m) = message {
        v["message"] = m;
    }
    v
}

/// `data` of a slash command or autocomplete interaction, with `resolved` filled for user,
/// channel, role and mentionable options (poise looks options up there).
pub fn command_data(
    spec: &GuildSpec,
    command_id: u64,
    name: &str,
    options: &Value,
    command_guild_id: Option<u64>,
    channels: &[Value],
    uploads: &Uploads<'_>,
) -> Value {
    let mut data = json!({
        "id": command_id.to_string(),
        "name": name,
        "type": 1,
        "options": if options.is_null() { json!([]) } else { options.clone() },
    });
    if let Some(g) = command_guild_id {
        data["guild_id"] = json!(g.to_string());
    }
    let resolved = resolved(spec, options, channels, uploads);
    if resolved.as_object().is_some_and(|o| !o.is_empty()) {
        data["resolved"] = resolved;
    }
    data
}

/// Files users attached, and where the fake serves them.
pub struct Uploads<'a> {
    pub files: &'a std::collections::HashMap<u64, (String, Vec<u8>)>,
    pub port: u16,
}

fn resolved(spec: &GuildSpec, options: &Value, channels: &[Value], uploads: &Uploads<'_>) -> Value {
    let mut out = json!({});
    let mut stack: Vec<&Value> = options
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    while let Some(opt) = stack.pop() {
        if let Some(nested) = opt.get("options").and_then(Value::as_array) {
            stack.extend(nested.iter());
        }
        let id_str = match opt.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        let Ok(id) = id_str.parse::<u64>() else {
            continue;
        };
        let kind = opt.get("type").and_then(Value::as_u64).unwrap_or(0);
        if matches!(kind, 6 | 9)
            && let Some(m) = spec.member(id)
        {
            out["users"][&id_str] = user(m.user_id, &m.name);
            let mut pm = interaction_member(spec, m);
            if let Some(o) = pm.as_object_mut() {
                o.remove("user");
            }
            out["members"][&id_str] = pm;
        }
        if kind == 7
            && let Some(c) = channels.iter().find(|c| c["id"] == json!(id_str))
        {
            let mut pc = partial_channel(c);
            pc["permissions"] = json!(super::spec::perms::EVERYONE_DEFAULT.to_string());
            out["channels"][&id_str] = pc;
        }
        if kind == 11
            && let Some((filename, bytes)) = uploads.files.get(&id)
        {
            let url = format!(
                "http://127.0.0.1:{}/attachments/{id}/{filename}",
                uploads.port
            );
            out["attachments"][&id_str] = json!({
                "id": id_str,
                "filename": filename,
                "size": bytes.len(),
                "url": url,
                "proxy_url": url,
                "content_type": "text/plain; charset=utf-8",
            });
        }
        if matches!(kind, 8 | 9)
            && let Some((rid, name, p, managed)) =
                spec.all_roles().into_iter().find(|(rid, ..)| *rid == id)
        {
            out["roles"][&id_str] = role(rid, &name, p, managed, 0);
        }
    }
    out
}

/// `data` of a button click.
pub fn component_data(custom_id: &str) -> Value {
    json!({ "custom_id": custom_id, "component_type": 2 })
}

/// `data` of a modal submit: one text input per action row.
pub fn modal_data(custom_id: &str, fields: &[(&str, &str)]) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| {
            json!({ "type": 1, "components": [{ "type": 4, "custom_id": id, "value": value }] })
        })
        .collect();
    json!({ "custom_id": custom_id, "components": rows })
}

/// `data` of a submit of `sent`, a modal with Label and Text Display components, as Discord
/// sends it: each top-level component in order with an `id`, a Text Display as just its type
/// and id, a Label with its text input child in `component` carrying the value typed.
pub fn labelled_modal_data(sent: &Value, fields: &[(&str, &str)]) -> Value {
    let mut next_id = 0u64;
    let mut id = || {
        next_id += 1;
        next_id
    };
    let typed = |input: &Value| {
        let cid = input["custom_id"].as_str().unwrap_or_default().to_string();
        let value = fields
            .iter()
            .find(|(f, _)| *f == cid)
            .map_or("", |(_, v)| *v);
        (cid, value)
    };
    let components: Vec<Value> = sent["components"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| match c["type"].as_u64() {
            Some(18) => {
                let label_id = id();
                let (cid, value) = typed(&c["component"]);
                json!({ "type": 18, "id": label_id, "component": {
                    "type": 4, "id": id(), "custom_id": cid, "value": value } })
            }
            Some(1) => {
                let (cid, value) = typed(&c["components"][0]);
                json!({ "type": 1, "id": id(), "components": [{
                    "type": 4, "id": id(), "custom_id": cid, "value": value }] })
            }
            other => json!({ "type": other, "id": id() }),
        })
        .collect();
    json!({ "custom_id": sent["custom_id"], "components": components })
}
