//! Tests of the fake Discord server in `tests/support/discord` itself: its payloads parse into
//! serenity's types, a real serenity client runs against it, and its rules catch what they
//! should. Run with `cargo test --release --test harness`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use serenity::all::{
    ChannelId, ClientBuilder, Context, CreateActionRow, CreateAllowedMentions, CreateAttachment,
    CreateButton, CreateCommand, CreateCommandOption, CreateEmbed, CreateInputText,
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, CreateModal, CreateThread, EditInteractionResponse, EventHandler,
    GatewayIntents, Http, HttpBuilder, InputTextStyle,
};
use serenity::model::application::{
    ActionRowComponent, Command, CommandDataOptionValue, CommandOptionType, CurrentApplicationInfo,
    Interaction as SerenityInteraction,
};
use serenity::model::channel::{GuildChannel, Message};
use serenity::model::event::{Event, GatewayEvent};
use serenity::model::gateway::{BotGateway, Ready};
use serenity::model::guild::{Guild, Member};
use serenity::model::id::ApplicationId;
use serenity::model::user::CurrentUser;
use support::discord::{
    APP_ID, BOT_USER_ID, FakeDiscord, GuildSpec, Limits, MemberSpec, payloads, perms, rules,
};

const T: Duration = Duration::from_secs(5);

fn spec() -> GuildSpec {
    let mut spec = GuildSpec::default_with_members(3);
    spec.roles
        .push((3100, "mentor".to_string(), perms::MANAGE_MESSAGES));
    spec.members.push(MemberSpec {
        user_id: 4001,
        name: "mod".to_string(),
        roles: vec![3100],
        permissions: perms::MANAGE_GUILD,
    });
    spec
}

fn quiet() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

// ---------------------------------------------------------------------------------------------
// 1. Every payload the fake sends parses into serenity's own types.
// ---------------------------------------------------------------------------------------------

fn parse<T: serde::de::DeserializeOwned>(what: &str, v: &Value) -> T {
    serde_json::from_value(v.clone())
        .unwrap_or_else(|e| panic!("{what} does not parse: {e}\n{v:#}"))
}

/// A gateway frame as serenity's shard reads it.
fn parse_dispatch(t: &str, d: &Value) -> Event {
    let frame = json!({ "op": 0, "t": t, "s": 1, "d": d });
    match parse::<GatewayEvent>(t, &frame) {
        GatewayEvent::Dispatch(1, event) => event,
        other => panic!("{t}: not a dispatch: {other:?}"),
    }
}

fn interaction_payload(spec: &GuildSpec, kind: u8, data: Value, message: Option<Value>) -> Value {
    let channel = payloads::text_channel(spec.guild_id, 2000, "general", 0);
    let base = payloads::InteractionBase {
        spec,
        id: 77,
        token: "tok",
        user: spec.member(4001).unwrap(),
        channel: &channel,
        app_permissions: perms::BOT_DEFAULT,
    };
    payloads::interaction(&base, kind, data, message)
}

#[test]
fn every_payload_parses_into_serenity_types() {
    let spec = spec();

    let ready = payloads::ready("sess", "ws://127.0.0.1:1/gw", &[1000], &json!([0, 1]));
    let r: Ready = parse("READY", &ready);
    assert_eq!(r.user.id.get(), BOT_USER_ID);
    assert_eq!(r.application.id.get(), APP_ID);
    assert!(matches!(parse_dispatch("READY", &ready), Event::Ready(_)));
    let _: CurrentUser = parse("bot user", &payloads::bot_user());

    let thread = payloads::thread_channel(1000, 2100, 2000, "round 1", 11);
    let guild = payloads::guild_create(&spec, std::slice::from_ref(&thread));
    let g: Guild = parse("GUILD_CREATE", &guild);
    assert_eq!(g.channels.len(), 2);
    assert_eq!(g.threads.len(), 1);
    assert_eq!(g.members.len(), spec.members.len() + 1, "members + the bot");
    assert!(g.roles.contains_key(&1000.into()), "@everyone");
    let admin = &g.members[&4000.into()];
    assert!(g.member_permissions(admin).administrator());
    assert!(matches!(
        parse_dispatch("GUILD_CREATE", &guild),
        Event::GuildCreate(_)
    ));
    assert!(matches!(
        parse_dispatch("RESUMED", &json!({})),
        Event::Resumed(_)
    ));
    let mut thread_event = thread.clone();
    thread_event["newly_created"] = json!(true);
    assert!(matches!(
        parse_dispatch("THREAD_CREATE", &thread_event),
        Event::ThreadCreate(_)
    ));
    let _: Member = parse(
        "member",
        &payloads::member(&spec, spec.member(5000).unwrap()),
    );

    let _: GuildChannel = parse(
        "text channel",
        &payloads::text_channel(1000, 2000, "general", 0),
    );
    let t: GuildChannel = parse("thread channel", &thread);
    assert!(t.thread_metadata.is_some());

    let info: CurrentApplicationInfo = parse("app info", &payloads::application_info());
    assert!(info.owner.is_some());
    let _: BotGateway = parse(
        "gateway/bot",
        &payloads::gateway_bot("ws://127.0.0.1:1/gw", 2),
    );

    // A message echoing what serenity's builders produce.
    let body = serde_json::to_value(
        CreateMessage::new()
            .content("hello")
            .embed(
                CreateEmbed::new()
                    .title("t")
                    .description("d")
                    .field("f", "v", true),
            )
            .button(CreateButton::new("go").label("Go"))
            .allowed_mentions(quiet()),
    )
    .unwrap();
    let mut n = 500;
    let mut next = || {
        n += 1;
        n
    };
    let kind = payloads::MessageKind::Channel;
    let msg = payloads::message(123, 2000, &body, kind, &mut next);
    let m: Message = parse("message", &msg);
    assert_eq!(m.content, "hello");
    assert_eq!(m.embeds[0].fields.len(), 1);
    assert_eq!(m.components[0].components.len(), 1);
    let with_file = json!({ "content": "f", "attachments": [{ "id": 0, "filename": "a.txt" }] });
    let reply = payloads::message(
        124,
        2000,
        &with_file,
        payloads::MessageKind::Interaction { slash: true },
        &mut next,
    );
    let m: Message = parse("interaction reply with attachment", &reply);
    assert_eq!(m.attachments[0].filename, "a.txt");
    assert_eq!(m.webhook_id.map(|w| w.get()), Some(APP_ID));

    // Commands echoing what serenity's CreateCommand produces.
    let cmd = serde_json::to_value(
        CreateCommand::new("mock")
            .description("Timed mock rounds")
            .default_member_permissions(serenity::all::Permissions::MANAGE_GUILD)
            .add_option(
                CreateCommandOption::new(CommandOptionType::SubCommand, "start", "Start a round")
                    .add_sub_option(CreateCommandOption::new(
                        CommandOptionType::Integer,
                        "seconds",
                        "Length",
                    )),
            ),
    )
    .unwrap();
    assert!(
        rules::command_limits(&cmd).is_empty(),
        "{:?}",
        rules::command_limits(&cmd)
    );
    let commands = json!([payloads::command(&cmd, 900, None, 901)]);
    let parsed: Vec<Command> = parse("command list", &commands);
    assert_eq!(parsed[0].name, "mock");
    assert_eq!(parsed[0].options[0].options[0].name, "seconds");

    // Slash command with a user option resolved.
    let options = json!([{ "name": "start", "type": 1, "options": [
        { "name": "seconds", "type": 4, "value": 30 },
        { "name": "partner", "type": 6, "value": "5001" },
        { "name": "file", "type": 11, "value": "777" },
    ]}]);
    let files = std::collections::HashMap::from([(777, ("bank.toml".to_string(), b"x".to_vec()))]);
    let uploads = payloads::Uploads {
        files: &files,
        port: 1,
    };
    let data = payloads::command_data(&spec, 900, "mock", &options, Some(1000), &[], &uploads);
    let d = interaction_payload(&spec, 2, data.clone(), None);
    let SerenityInteraction::Command(c) = parse("slash command", &d) else {
        panic!("not a command interaction")
    };
    assert_eq!(c.data.name, "mock");
    assert_eq!(c.user.id.get(), 4001);
    let member = c.member.as_ref().unwrap();
    assert!(member.permissions.unwrap().manage_guild());
    assert!(
        member.permissions.unwrap().manage_messages(),
        "from the mentor role"
    );
    assert!(c.app_permissions.unwrap().send_messages());
    let CommandDataOptionValue::SubCommand(sub) = &c.data.options[0].value else {
        panic!("not a subcommand")
    };
    assert_eq!(sub[0].value.as_i64(), Some(30));
    assert!(c.data.resolved.users.contains_key(&5001.into()));
    let file = &c.data.resolved.attachments[&777.into()];
    assert_eq!((file.filename.as_str(), file.size), ("bank.toml", 1));
    assert!(matches!(
        parse_dispatch("INTERACTION_CREATE", &d),
        Event::InteractionCreate(_)
    ));

    let d = interaction_payload(&spec, 4, data, None);
    assert!(matches!(
        parse("autocomplete", &d),
        SerenityInteraction::Autocomplete(_)
    ));

    let d = interaction_payload(&spec, 3, payloads::component_data("go"), Some(msg.clone()));
    let SerenityInteraction::Component(c) = parse("component", &d) else {
        panic!("not a component interaction")
    };
    assert_eq!(c.data.custom_id, "go");
    assert_eq!(c.message.id.get(), 123);

    let d = interaction_payload(
        &spec,
        5,
        payloads::modal_data("answer", &[("text", "hi")]),
        None,
    );
    let SerenityInteraction::Modal(m) = parse("modal submit", &d) else {
        panic!("not a modal submit")
    };
    let ActionRowComponent::InputText(input) = &m.data.components[0].components[0] else {
        panic!("not a text input")
    };
    assert_eq!(input.value.as_deref(), Some("hi"));
}

// ---------------------------------------------------------------------------------------------
// A minimal real serenity bot, used by the end-to-end tests below.
// ---------------------------------------------------------------------------------------------

fn reply(content: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(content)
            .allowed_mentions(quiet()),
    )
}

fn answer_modal() -> CreateInteractionResponse {
    CreateInteractionResponse::Modal(CreateModal::new("answer", "Your answer").components(vec![
        CreateActionRow::InputText(CreateInputText::new(
            InputTextStyle::Paragraph,
            "Answer",
            "text",
        )),
    ]))
}

struct Bot;

#[serenity::async_trait]
impl EventHandler for Bot {
    async fn interaction_create(&self, ctx: Context, interaction: SerenityInteraction) {
        let http = &ctx.http;
        // Errors are Discord's answers: the tests read them from the fake's record.
        let _ = match interaction {
            SerenityInteraction::Command(cmd) => match cmd.data.name.as_str() {
                "ping" => cmd.create_response(http, reply("pong")).await,
                "twice" => {
                    let _ = cmd.create_response(http, reply("one")).await;
                    cmd.create_response(http, reply("two")).await
                }
                "slow" => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    cmd.create_response(http, reply("late")).await
                }
                // Raw bodies: serenity's builders would refuse these before sending.
                "loud" => {
                    let body = json!({ "type": 4, "data": { "content": "hi @everyone" } });
                    http.create_interaction_response(cmd.id, &cmd.token, &body, vec![])
                        .await
                }
                "long" => {
                    let body = json!({ "type": 4, "data": {
                        "content": "x".repeat(2001), "allowed_mentions": { "parse": [] } } });
                    http.create_interaction_response(cmd.id, &cmd.token, &body, vec![])
                        .await
                }
                "defer" => {
                    let _ = cmd.defer(http).await;
                    let edit = EditInteractionResponse::new()
                        .content("done")
                        .allowed_mentions(quiet());
                    cmd.edit_response(http, edit).await.map(|_| ())
                }
                "defer-followup" => {
                    let _ = cmd.defer_ephemeral(http).await;
                    let f = CreateInteractionResponseFollowup::new()
                        .content("followed")
                        .allowed_mentions(quiet());
                    cmd.create_followup(http, f).await.map(|_| ())
                }
                "followup-first" => {
                    let f = CreateInteractionResponseFollowup::new()
                        .content("x")
                        .allowed_mentions(quiet());
                    cmd.create_followup(http, f).await.map(|_| ())
                }
                "modal" => cmd.create_response(http, answer_modal()).await,
                "post" => {
                    let _ = post_round(http, cmd.channel_id).await;
                    cmd.create_response(http, reply("posted")).await
                }
                _ => Ok(()),
            },
            SerenityInteraction::Component(c) if c.data.custom_id == "go" => {
                let update = CreateInteractionResponseMessage::new()
                    .content("went")
                    .components(vec![])
                    .allowed_mentions(quiet());
                c.create_response(http, CreateInteractionResponse::UpdateMessage(update))
                    .await
            }
            SerenityInteraction::Modal(m) => {
                let value = match &m.data.components[0].components[0] {
                    ActionRowComponent::InputText(t) => t.value.clone().unwrap_or_default(),
                    _ => String::new(),
                };
                if value == "again" {
                    m.create_response(http, answer_modal()).await
                } else {
                    m.create_response(http, reply(&format!("got: {value}")))
                        .await
                }
            }
            _ => Ok(()),
        };
    }
}

/// A channel message with a button, a thread from it, and a message in the thread.
async fn post_round(http: &Http, channel: ChannelId) -> serenity::Result<()> {
    let msg = channel
        .send_message(
            http,
            CreateMessage::new()
                .content("Round 1")
                .button(CreateButton::new("go").label("Go"))
                .allowed_mentions(quiet()),
        )
        .await?;
    let thread = channel
        .create_thread_from_message(http, msg.id, CreateThread::new("round-1"))
        .await?;
    thread
        .send_message(
            http,
            CreateMessage::new()
                .content("in thread")
                .allowed_mentions(quiet()),
        )
        .await?;
    Ok(())
}

fn http_for(fake: &FakeDiscord) -> Arc<Http> {
    let http = HttpBuilder::new("fake-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    http.set_application_id(ApplicationId::new(APP_ID));
    Arc::new(http)
}

/// Start the bot against the fake and wait until it is connected.
async fn start_bot(fake: &FakeDiscord) {
    let http = HttpBuilder::new("fake-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::non_privileged())
        .event_handler(Bot)
        .await
        .expect("client builds");
    tokio::spawn(async move {
        let _ = client.start().await;
    });
    assert!(
        fake.wait_ready(T).await,
        "bot did not get READY: {:?}",
        fake.calls()
    );
}

// ---------------------------------------------------------------------------------------------
// 2. A real serenity client against the fake.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_client_connects_answers_and_survives_a_reconnect() {
    let fake = FakeDiscord::start(spec()).await;
    start_bot(&fake).await;
    assert!(fake.calls().iter().any(|c| c.path == "/api/v10/gateway"));

    let ping = fake.slash_command(5000, 2000, "ping", json!([])).await;
    let r = ping.response(&fake, T).await.expect("a response");
    assert_eq!(r["type"], 4);
    assert_eq!(r["data"]["content"], "pong");
    let original = ping.original(&fake).expect("the reply message");
    assert_eq!(original["content"], "pong");
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());

    // A second initial response is refused (40060) and recorded.
    let twice = fake.slash_command(5000, 2000, "twice", json!([])).await;
    let refused = fake
        .wait_for_call(T, |c| {
            c.status == 400 && c.path.contains(&twice.id.to_string())
        })
        .await
        .expect("the second callback");
    assert_eq!(refused.response["code"], 40060);
    assert_eq!(
        twice.response(&fake, T).await.unwrap()["data"]["content"],
        "one"
    );
    let v = fake.violations();
    assert!(
        v.len() == 1 && v[0].contains("second initial response"),
        "{v:?}"
    );

    // The gateway drops; serenity comes back (RESUME) and still handles interactions.
    let (identifies, resumes) = (fake.identify_count(), fake.resume_count());
    fake.force_reconnect().await;
    assert!(
        fake.wait_ready(T).await,
        "bot did not come back: {:?}",
        fake.gateway_log()
    );
    // Serenity RESUMEs after a 4000 close (it keeps its session id).
    assert_eq!(fake.resume_count(), resumes + 1, "{:?}", fake.gateway_log());
    assert_eq!(fake.identify_count(), identifies);
    let again = fake.slash_command(5001, 2001, "ping", json!([])).await;
    assert_eq!(
        again
            .response(&fake, T)
            .await
            .expect("response after reconnect")["type"],
        4
    );
    assert_eq!(fake.violations().len(), 1);
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );

    // After disconnect_all the bot is gone for good.
    fake.disconnect_all().await;
    assert!(!fake.wait_ready(Duration::from_millis(300)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_replies_modals_components_and_threads() {
    let fake = FakeDiscord::start(spec()).await;
    start_bot(&fake).await;

    // Defer, then edit @original: the original shows the edit.
    let i = fake.slash_command(5000, 2000, "defer", json!([])).await;
    assert_eq!(i.response(&fake, T).await.unwrap()["type"], 5);
    let done = i.wait_original(&fake, T, |m| m["content"] == "done").await;
    assert!(done.is_some(), "{:?}", i.original(&fake));

    // Defer (ephemeral), then a follow-up: it replaces the "thinking" message.
    let i = fake
        .slash_command(5000, 2000, "defer-followup", json!([]))
        .await;
    let f = i.wait_followup(&fake, T).await.expect("a follow-up");
    assert_eq!(f["content"], "followed");
    let original = i.original(&fake).unwrap();
    assert_eq!(original["content"], "followed");
    assert_eq!(original["flags"], 64, "still ephemeral, no longer loading");

    // Modal: shown as the first response, submitted, answered.
    let i = fake.slash_command(5000, 2000, "modal", json!([])).await;
    let modal = i.modal(&fake, T).await.expect("a modal");
    assert_eq!(modal["custom_id"], "answer");
    let s = fake
        .submit_modal(5000, 2000, "answer", &[("text", "my answer")])
        .await;
    assert_eq!(
        s.response(&fake, T).await.unwrap()["data"]["content"],
        "got: my answer"
    );
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());

    // Channel message with a button, a thread from it, a message in the thread; click → update.
    let i = fake.slash_command(5002, 2001, "post", json!([])).await;
    let thread_post = fake
        .wait_for_call(T, |c| {
            c.method == "POST" && c.path.ends_with("/messages") && c.body["content"] == "in thread"
        })
        .await
        .expect("a message in the thread");
    assert_eq!(thread_post.status, 200, "{:?}", thread_post.response);
    let round = fake.channel_messages(2001);
    assert_eq!(round.len(), 1);
    let thread_id: u64 = round[0]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(fake.threads().len(), 1);
    assert_eq!(fake.channel_messages(thread_id)[0]["content"], "in thread");
    assert_eq!(
        i.response(&fake, T).await.unwrap()["data"]["content"],
        "posted"
    );
    let click = fake.click(5001, &round[0], "go").await;
    assert_eq!(click.response(&fake, T).await.unwrap()["type"], 7);
    let updated = &fake.channel_messages(2001)[0];
    assert_eq!(updated["content"], "went");
    assert_eq!(updated["components"], json!([]));
    assert_eq!(click.original(&fake).unwrap()["content"], "went");

    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );
}

/// Records which shard saw which guild's GUILD_CREATE; answers like [`Bot`].
struct ShardBot {
    seen: Arc<std::sync::Mutex<Vec<(u32, u64)>>>,
}

#[serenity::async_trait]
impl EventHandler for ShardBot {
    async fn guild_create(&self, ctx: Context, guild: Guild, _is_new: Option<bool>) {
        self.seen
            .lock()
            .unwrap()
            .push((ctx.shard_id.0, guild.id.get()));
    }

    async fn interaction_create(&self, ctx: Context, interaction: SerenityInteraction) {
        Bot.interaction_create(ctx, interaction).await;
    }
}

/// A serenity client running shard `shard` of `total` against the fake.
async fn start_shard(fake: &FakeDiscord, shard: u32, total: u32, seen: &ShardBot) {
    let http = HttpBuilder::new("fake-token")
        .proxy(fake.base_url())
        .ratelimiter_disabled(true)
        .build();
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::non_privileged())
        .event_handler(ShardBot {
            seen: seen.seen.clone(),
        })
        .await
        .expect("client builds");
    tokio::spawn(async move {
        let _ = client.start_shard(shard, total).await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_shards_each_get_only_their_guilds_and_their_interactions() {
    // Guild 1000 is in shard 0 of 2; this one in shard 1: (id >> 22) % 2.
    const SECOND: u64 = (1 << 22) | 1000;
    let fake =
        FakeDiscord::start_sharded(vec![spec(), GuildSpec::numbered(SECOND, 2100, 3)], 2).await;
    let gateway = http_for(&fake).get_bot_gateway().await.unwrap();
    assert_eq!(gateway.shards, 2, "GET /gateway/bot recommends two shards");

    let recorder = ShardBot {
        seen: Arc::default(),
    };
    for shard in [0, 1] {
        start_shard(&fake, shard, 2, &recorder).await;
    }
    for shard in [0, 1] {
        assert!(
            fake.wait_shard_ready(shard, T).await,
            "shard {shard} not ready: {:?}",
            fake.gateway_log()
        );
    }
    let mut identified = fake.identified();
    identified.sort_by_key(|i| i.shard);
    assert_eq!(
        identified,
        vec![
            support::discord::gateway::Identified {
                shard: Some((0, 2)),
                guilds: vec![1000],
            },
            support::discord::gateway::Identified {
                shard: Some((1, 2)),
                guilds: vec![SECOND],
            },
        ],
        "each IDENTIFY carried its shard and READY listed only its guilds"
    );
    let deadline = std::time::Instant::now() + T;
    loop {
        let mut seen = recorder.seen.lock().unwrap().clone();
        seen.sort_unstable();
        if seen.len() >= 2 || std::time::Instant::now() > deadline {
            assert_eq!(
                seen,
                vec![(0, 1000), (1, SECOND)],
                "GUILD_CREATEs per shard"
            );
            break;
        }
        drop(seen);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // An interaction goes to the session of its guild's shard, which answers it.
    let first = fake.slash_command(5000, 2000, "ping", json!([])).await;
    let second = fake.slash_command(5000, 2101, "ping", json!([])).await;
    assert_eq!((first.shard, second.shard), (Some((0, 2)), Some((1, 2))));
    assert_eq!(second.payload["guild_id"], SECOND.to_string());
    assert_eq!(second.payload["channel_id"], "2101");
    for i in [&first, &second] {
        let r = i.response(&fake, T).await.expect("a response");
        assert_eq!(r["data"]["content"], "pong");
    }
    // REST knows both guilds' members.
    let member = http_for(&fake)
        .get_member(SECOND.into(), 5001.into())
        .await
        .expect("a member of the second guild");
    assert_eq!(member.guild_id.get(), SECOND);

    // A shard the total does not have is refused (4010) and recorded.
    start_shard(&fake, 2, 2, &recorder).await;
    let deadline = std::time::Instant::now() + T;
    while fake.violations().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let v = fake.violations();
    assert!(
        v.len() == 1 && v[0].contains("IDENTIFY with shard [2,2]"),
        "{v:?}"
    );
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );
    fake.disconnect_all().await;
}

// ---------------------------------------------------------------------------------------------
// 3. The rules.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interaction_rules_are_enforced() {
    let limits = Limits {
        initial_response: Duration::from_millis(300),
        ..Limits::default()
    };
    let fake = FakeDiscord::start_with(spec(), limits).await;
    start_bot(&fake).await;

    // Late: the bot answers after 500 ms, the (test) deadline is 300 ms.
    let slow = fake.slash_command(5000, 2000, "slow", json!([])).await;
    let late = fake
        .wait_for_call(T, |c| {
            c.path.contains(&format!("/interactions/{}/", slow.id))
        })
        .await
        .unwrap();
    assert_eq!(
        (late.status, late.response["code"].clone()),
        (404, json!(10062))
    );
    assert!(slow.response(&fake, Duration::ZERO).await.is_none());

    // Content over 2000 characters: 400 Invalid Form Body.
    let long = fake.slash_command(5000, 2000, "long", json!([])).await;
    let call = fake
        .wait_for_call(T, |c| {
            c.path.contains(&format!("/interactions/{}/", long.id))
        })
        .await
        .unwrap();
    assert_eq!(
        (call.status, call.response["code"].clone()),
        (400, json!(50035))
    );

    // No allowed_mentions: accepted (as Discord would) but a violation.
    let loud = fake.slash_command(5000, 2000, "loud", json!([])).await;
    assert!(loud.response(&fake, T).await.is_some());

    // A modal cannot answer a modal submit.
    let again = fake
        .submit_modal(5000, 2000, "answer", &[("text", "again")])
        .await;
    fake.wait_for_call(T, |c| {
        c.path.contains(&format!("/interactions/{}/", again.id))
    })
    .await
    .unwrap();

    // A follow-up before any initial response.
    let first = fake
        .slash_command(5000, 2000, "followup-first", json!([]))
        .await;
    let call = fake
        .wait_for_call(T, |c| {
            c.path
                .contains(&format!("/webhooks/{APP_ID}/{}", first.token))
        })
        .await
        .unwrap();
    assert_eq!(call.status, 404);

    // Refused responses leave their interactions unanswered: the user sees "This interaction
    // failed", which is a violation of its own once the deadline has passed.
    tokio::time::sleep(limits.initial_response).await;
    let v = fake.violations();
    let unanswered = v
        .iter()
        .filter(|x| x.contains("no initial response"))
        .count();
    assert_eq!(unanswered, 3, "long, again, followup-first: {v:#?}");
    let expect = [
        "initial response after",
        "content is 2001 characters",
        "no allowed_mentions",
        "a modal cannot answer a modal submit",
        "used before its initial response",
    ];
    for e in expect {
        assert!(
            v.iter().any(|x| x.contains(e)),
            "no violation {e:?} in {v:#?}"
        );
    }
    assert_eq!(v.len(), expect.len() + unanswered, "{v:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_rules_errors_and_multipart() {
    let fake = FakeDiscord::start(spec()).await;
    let http = http_for(&fake);
    let general = ChannelId::new(2000);

    // Over-long content through the raw route (serenity's builder would refuse it).
    let body = json!({ "content": "y".repeat(2001), "allowed_mentions": { "parse": [] } });
    let err = http.send_message(general, vec![], &body).await.unwrap_err();
    assert!(err.to_string().contains("Invalid Form Body"), "{err}");

    // Missing allowed_mentions: sent, but recorded.
    let sent = http
        .send_message(general, vec![], &json!({ "content": "hi" }))
        .await
        .unwrap();
    assert_eq!(sent.author.id.get(), BOT_USER_ID);

    // Unknown channel; denied channel (403 50013) and allowed again.
    let err = ChannelId::new(9999).say(&http, "x").await.unwrap_err();
    assert!(err.to_string().contains("Unknown Channel"), "{err}");
    fake.deny_channel(2001);
    let quiet_msg = || CreateMessage::new().content("ok").allowed_mentions(quiet());
    let err = ChannelId::new(2001)
        .send_message(&http, quiet_msg())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Missing Permissions"), "{err}");
    fake.allow_channel(2001);
    ChannelId::new(2001)
        .send_message(&http, quiet_msg())
        .await
        .unwrap();

    // Multipart (an attachment): the payload_json part is what gets recorded and checked.
    let file = CreateAttachment::bytes(b"print(1)".to_vec(), "answer.py");
    let m = general
        .send_message(&http, quiet_msg().add_file(file))
        .await
        .unwrap();
    assert_eq!(m.attachments[0].filename, "answer.py");
    let call = fake.calls().into_iter().last().unwrap();
    assert_eq!(call.body["content"], "ok");

    // Edit, then the channel record shows the edit; delete removes it.
    let edited = http
        .edit_message(
            general,
            m.id,
            &json!({ "content": "edited", "allowed_mentions": {} }),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(edited.content, "edited");
    let contents: Vec<Value> = fake
        .channel_messages(2000)
        .iter()
        .map(|m| m["content"].clone())
        .collect();
    assert_eq!(contents, vec![json!("hi"), json!("edited")]);
    http.delete_message(general, m.id, None).await.unwrap();
    assert_eq!(fake.channel_messages(2000).len(), 1);

    // Command registration: valid commands get ids (stable across re-registration), invalid
    // ones are refused.
    let good = json!([{ "name": "mock", "description": "Mock rounds", "type": 1 }]);
    let cmds = http.create_global_commands(&good).await.unwrap();
    let again = http.create_global_commands(&good).await.unwrap();
    assert_eq!(cmds[0].id, again[0].id);
    let bad = json!([{ "name": "Mock Round", "description": "", "type": 1 }]);
    assert!(http.create_global_commands(&bad).await.is_err());
    let member = http.get_member(1000.into(), 5000.into()).await.unwrap();
    assert_eq!(member.user.name, "member-0");

    // A route the fake does not implement.
    assert!(http.get_guild_roles(1000.into()).await.is_err());
    assert_eq!(
        fake.unknown_routes(),
        vec!["GET /api/v10/guilds/1000/roles".to_string()]
    );

    let v = fake.violations();
    for e in [
        "content is 2001 characters",
        "no allowed_mentions",
        "name must be 1-32 lowercase",
        "description is 0 characters",
        "unknown route",
    ] {
        assert!(
            v.iter().any(|x| x.contains(e)),
            "no violation {e:?} in {v:#?}"
        );
    }
    assert_eq!(v.len(), 5, "{v:#?}");
}

#[test]
fn limit_checks() {
    let embed = |title: usize, fields: usize| json!({ "title": "t".repeat(title), "fields": (0..fields).map(|i| json!({"name": format!("f{i}"), "value": "v"})).collect::<Vec<_>>() });
    assert!(rules::message_limits(&json!({ "content": "a".repeat(2000) })).is_empty());
    assert_eq!(
        rules::message_limits(&json!({ "embeds": [embed(257, 0)] })).len(),
        1
    );
    assert_eq!(
        rules::message_limits(&json!({ "embeds": [embed(1, 26)] })).len(),
        1
    );
    let eleven: Vec<Value> = (0..11).map(|_| embed(1, 0)).collect();
    assert_eq!(rules::message_limits(&json!({ "embeds": eleven })).len(), 1);
    let big = json!({ "description": "d".repeat(4000) });
    assert!(
        rules::message_limits(&json!({ "embeds": [big, big] }))
            .iter()
            .any(|p| p.contains("total"))
    );

    let button = |id: &str| json!({ "type": 2, "style": 1, "custom_id": id, "label": "b" });
    let six: Vec<Value> = (0..6).map(|i| button(&format!("b{i}"))).collect();
    let rows = json!([{ "type": 1, "components": six }]);
    assert_eq!(rules::component_limits(&rows).len(), 1);
    let dup = json!([{ "type": 1, "components": [button("x"), button("x")] }]);
    assert_eq!(rules::component_limits(&dup).len(), 1);
    let long_id = json!([{ "type": 1, "components": [button(&"i".repeat(101))] }]);
    assert_eq!(rules::component_limits(&long_id).len(), 1);

    let modal = |title: &str, label: &str, max: u64| {
        json!({ "custom_id": "m", "title": title, "components": [{ "type": 1, "components": [
            { "type": 4, "custom_id": "a", "label": label, "style": 2, "max_length": max } ] }] })
    };
    assert!(rules::modal_limits(&modal("Answer", "Your answer", 4000)).is_empty());
    assert_eq!(
        rules::modal_limits(&modal(&"t".repeat(46), "ok", 4000)).len(),
        1
    );
    assert_eq!(
        rules::modal_limits(&modal("ok", &"l".repeat(46), 4000)).len(),
        1
    );
    assert_eq!(rules::modal_limits(&modal("ok", "ok", 4001)).len(), 1);
}

/// Modals with Text Display (10) and Label (18) components, as Discord validates them (#30).
#[test]
fn modal_labels_and_text_displays_are_checked_like_discord() {
    let input = json!({ "type": 4, "custom_id": "answer", "style": 2, "max_length": 4000 });
    let label = |child: Value| json!({ "type": 18, "label": "Your answer", "component": child });
    let text = |n: usize| json!({ "type": 10, "content": "q".repeat(n) });
    let modal = |components: Vec<Value>| json!({ "custom_id": "m", "title": "Daily question", "components": components });
    assert!(rules::modal_limits(&modal(vec![text(4000), label(input.clone())])).is_empty());
    assert!(rules::modal_has_new_components(&modal(vec![label(
        input.clone()
    )])));
    let problems = |components: Vec<Value>| rules::modal_limits(&modal(components));
    // Too long a Text Display; a Label whose input has its own label; a Label with two
    // children; a modal of six components; a modal with nothing to type into.
    assert_eq!(problems(vec![text(4001), label(input.clone())]).len(), 1);
    let mut labelled = input.clone();
    labelled["label"] = json!("twice");
    assert_eq!(problems(vec![label(labelled)]).len(), 1);
    let two = json!({ "type": 18, "label": "x", "components": [input.clone(), input.clone()] });
    assert_eq!(problems(vec![two, label(input.clone())]).len(), 1);
    let six: Vec<Value> = (0..5)
        .map(|_| text(10))
        .chain([label(input.clone())])
        .collect();
    assert_eq!(problems(six).len(), 1);
    assert_eq!(problems(vec![text(10)]).len(), 1);
    let long_description = json!({ "type": 18, "label": "x", "description": "d".repeat(101),
                                   "component": input });
    assert_eq!(problems(vec![long_description]).len(), 1);

    let opt = |name: &str, required: bool| json!({ "type": 3, "name": name, "description": "d", "required": required });
    let cmd =
        |options: Vec<Value>| json!({ "name": "mock", "description": "d", "options": options });
    assert!(rules::command_limits(&cmd(vec![opt("a", true), opt("b", false)])).is_empty());
    assert_eq!(
        rules::command_limits(&cmd(vec![opt("a", false), opt("b", true)])).len(),
        1
    );
    assert_eq!(rules::command_limits(&cmd(vec![opt("Bad", true)])).len(), 1);
    let many: Vec<Value> = (0..26).map(|i| opt(&format!("o{i}"), false)).collect();
    assert_eq!(rules::command_limits(&cmd(many)).len(), 1);

    assert!(rules::lacks_allowed_mentions(&json!({ "content": "x" })));
    assert!(!rules::lacks_allowed_mentions(&json!({ "components": [] })));
    assert!(rules::is_empty_message(&json!({ "content": " " })));
}
