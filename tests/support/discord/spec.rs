//! What the fake server pretends exists: one guild, its channels, roles and members, plus the
//! bot's own identity. Tests describe the guild with a [`GuildSpec`]; everything the server sends
//! about it (GUILD_CREATE, interaction members, GET member) is derived from that one value.

/// The application id the fake reports (READY `application.id`, `/oauth2/applications/@me`).
/// Deliberately different from [`BOT_USER_ID`], so a bot that mixes them up gets 404s.
pub const APP_ID: u64 = 9_000;
/// The bot's own user id (READY `user.id`, author of every message the bot sends).
pub const BOT_USER_ID: u64 = 9_001;
/// The bot's managed role in the guild (gives it the permissions it needs to work).
pub const BOT_ROLE_ID: u64 = 9_002;
/// The application owner (poise reads owners from `/oauth2/applications/@me`). Not a guild
/// member, so owner-only shortcuts never apply to the test members by accident.
pub const OWNER_USER_ID: u64 = 3_000;
/// Where synthetic per-member permission roles start (see [`MemberSpec::permissions`]).
pub const PERMISSION_ROLE_BASE: u64 = 10_000_000;

/// Discord permission bits the fake itself needs to know about.
pub mod perms {
    pub const ADD_REACTIONS: u64 = 1 << 6;
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;

    /// What `@everyone` can do in a fresh server (enough to use slash commands).
    pub const EVERYONE_DEFAULT: u64 = VIEW_CHANNEL
        | SEND_MESSAGES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | EMBED_LINKS
        | ATTACH_FILES
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS;

    /// What the bot's own role grants: what an invite link for this bot would ask for.
    pub const BOT_DEFAULT: u64 = EVERYONE_DEFAULT | MANAGE_THREADS | MANAGE_MESSAGES;

    /// Every permission bit serenity knows; what ADMINISTRATOR implies.
    pub fn all() -> u64 {
        serenity::model::Permissions::all().bits()
    }
}

/// A guild the fake serves (one, or several with `FakeDiscord::start_sharded`).
#[derive(Clone, Debug)]
pub struct GuildSpec {
    pub guild_id: u64,
    /// Text channels: (id, name).
    pub channels: Vec<(u64, String)>,
    /// Roles: (id, name, permission bits). `@everyone` (id = guild id) is added with Discord's
    /// defaults unless listed here.
    pub roles: Vec<(u64, String, u64)>,
    pub members: Vec<MemberSpec>,
}

/// A human member of the guild.
#[derive(Clone, Debug)]
pub struct MemberSpec {
    pub user_id: u64,
    pub name: String,
    /// Ids of roles from [`GuildSpec::roles`].
    pub roles: Vec<u64>,
    /// Extra permission bits (e.g. 0, MANAGE_MESSAGES 1<<13, MANAGE_GUILD 1<<5,
    /// ADMINISTRATOR 1<<3). Discord has no per-member permissions, so when non-zero the fake
    /// gives the member a synthetic role `PERMISSION_ROLE_BASE + user_id` carrying these bits;
    /// that keeps serenity's cache and the interaction's `member.permissions` consistent.
    pub permissions: u64,
}

impl GuildSpec {
    /// Guild 1000 with channels 2000 "general" and 2001 "practice", `n` plain members
    /// 5000.. named "member-N" (N from 0), and an admin member 4000 "admin" with ADMINISTRATOR.
    pub fn default_with_members(n: usize) -> GuildSpec {
        let mut members = vec![MemberSpec {
            user_id: 4000,
            name: "admin".to_string(),
            roles: vec![],
            permissions: perms::ADMINISTRATOR,
        }];
        members.extend((0..n).map(|i| MemberSpec {
            user_id: 5000 + i as u64,
            name: format!("member-{i}"),
            roles: vec![],
            permissions: 0,
        }));
        GuildSpec {
            guild_id: 1000,
            channels: vec![
                (2000, "general".to_string()),
                (2001, "practice".to_string()),
            ],
            roles: vec![],
            members,
        }
    }

    /// Like [`GuildSpec::default_with_members`] for another guild: id `guild_id`, channels
    /// `first_channel` "general" and `first_channel + 1` "practice", the same users as members.
    /// For sharded tests: the guild's shard is `(guild_id >> 22) % total`.
    pub fn numbered(guild_id: u64, first_channel: u64, n: usize) -> GuildSpec {
        GuildSpec {
            guild_id,
            channels: vec![
                (first_channel, "general".to_string()),
                (first_channel + 1, "practice".to_string()),
            ],
            ..GuildSpec::default_with_members(n)
        }
    }

    pub fn member(&self, user_id: u64) -> Option<&MemberSpec> {
        self.members.iter().find(|m| m.user_id == user_id)
    }

    pub fn has_channel(&self, channel_id: u64) -> bool {
        self.channels.iter().any(|(id, _)| *id == channel_id)
    }

    /// All roles as Discord would list them: `@everyone`, the spec's roles, the bot's role and
    /// the synthetic per-member permission roles. (id, name, permissions, managed)
    pub fn all_roles(&self) -> Vec<(u64, String, u64, bool)> {
        let mut roles = Vec::new();
        if !self.roles.iter().any(|(id, _, _)| *id == self.guild_id) {
            roles.push((
                self.guild_id,
                "@everyone".to_string(),
                perms::EVERYONE_DEFAULT,
                false,
            ));
        }
        roles.extend(
            self.roles
                .iter()
                .map(|(id, name, p)| (*id, name.clone(), *p, false)),
        );
        roles.push((
            BOT_ROLE_ID,
            "Interview Bot".to_string(),
            perms::BOT_DEFAULT,
            true,
        ));
        for m in self.members.iter().filter(|m| m.permissions != 0) {
            roles.push((
                PERMISSION_ROLE_BASE + m.user_id,
                format!("perms:{}", m.name),
                m.permissions,
                false,
            ));
        }
        roles
    }

    /// The role ids a member carries in payloads (spec roles plus its synthetic role).
    pub fn member_role_ids(&self, member: &MemberSpec) -> Vec<u64> {
        let mut ids = member.roles.clone();
        if member.permissions != 0 {
            ids.push(PERMISSION_ROLE_BASE + member.user_id);
        }
        ids
    }

    /// Guild-level permissions of a member: `@everyone` | its roles; ADMINISTRATOR implies all.
    pub fn member_permissions(&self, member: &MemberSpec) -> u64 {
        let ids = self.member_role_ids(member);
        let bits = self
            .all_roles()
            .iter()
            .filter(|(id, _, _, _)| *id == self.guild_id || ids.contains(id))
            .fold(0, |acc, (_, _, p, _)| acc | p);
        if bits & perms::ADMINISTRATOR != 0 {
            perms::all()
        } else {
            bits
        }
    }
}
