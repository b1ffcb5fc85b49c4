//! The invite link: the OAuth2 scopes and the exact channel permissions the bot uses, each
//! with the reason it is asked for, so an admin can see what they grant before they click.
//!
//! Kept beside the adapter because only the adapter's calls need these permissions; a test
//! below ties each one to the reason it is in the list.

use base64::Engine as _;
use poise::serenity_prelude::Permissions;

/// One permission the invite asks for, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked {
    pub permission: Permissions,
    pub name: &'static str,
    pub why: &'static str,
    /// Only needed for daily drops with `thread:True`.
    pub for_threads: bool,
}

/// Everything the bot asks for. Interaction replies (private feedback, `/stats` charts, bank
/// exports) go through the interaction's own webhook and need none of these; what does is what
/// the bot posts in channels by itself: daily drops, their reveals, round questions, reveals and
/// summaries, and the weekly digest.
pub const ASKED: &[Asked] = &[
    Asked {
        permission: Permissions::VIEW_CHANNEL,
        name: "View Channel",
        why: "to see the channels it posts daily drops, rounds and digests in",
        for_threads: false,
    },
    Asked {
        permission: Permissions::SEND_MESSAGES,
        name: "Send Messages",
        why: "to post daily drops, their reveals, round questions, reveals, summaries and the weekly digest",
        for_threads: false,
    },
    Asked {
        permission: Permissions::EMBED_LINKS,
        name: "Embed Links",
        why: "its posts are embeds (question, countdown, reference answer); without it Discord strips them",
        for_threads: false,
    },
    Asked {
        permission: Permissions::READ_MESSAGE_HISTORY,
        name: "Read Message History",
        why: "to work with its own earlier posts: editing a round question's \"answered\" line and a drop's streaks, opening a drop's thread",
        for_threads: false,
    },
    Asked {
        permission: Permissions::CREATE_PUBLIC_THREADS,
        name: "Create Public Threads",
        why: "to open a discussion thread under a daily drop (`/daily set thread:True`)",
        for_threads: true,
    },
    Asked {
        permission: Permissions::SEND_MESSAGES_IN_THREADS,
        name: "Send Messages in Threads",
        why: "to post in the drop's thread it opened",
        for_threads: true,
    },
];

/// The scopes: a bot user, and slash commands.
pub const SCOPES: &str = "bot applications.commands";

/// The permissions asked for, with or without those threads need.
pub fn permissions(threads: bool) -> Permissions {
    ASKED
        .iter()
        .filter(|a| threads || !a.for_threads)
        .fold(Permissions::empty(), |all, a| all | a.permission)
}

/// The authorisation URL for the application `application_id`.
pub fn url(application_id: u64, threads: bool) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope={}&permissions={}",
        SCOPES.replace(' ', "+"),
        permissions(threads).bits()
    )
}

/// Why a token does not name its application.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error(
        "the token does not look like a Discord bot token (three parts separated by dots); copy it again from the Bot page, or pass --application-id"
    )]
    Shape,
    #[error(
        "the token's first part is not a bot's id; pass --application-id (General Information → Application ID)"
    )]
    NotAnId,
}

/// A bot token's first part is its user id in base64, and a bot user's id is its
/// application's id, so the invite needs no call to Discord.
pub fn application_id(token: &str) -> Result<u64, TokenError> {
    let token = token.trim().trim_start_matches("Bot ");
    let mut parts = token.split('.');
    let (Some(first), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Shape);
    };
    let config = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
    let engine = base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let bytes = engine
        .decode(first)
        .or_else(|_| {
            base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, config).decode(first)
        })
        .map_err(|_| TokenError::NotAnId)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| TokenError::NotAnId)?;
    match text.parse::<u64>() {
        Ok(id) if id > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(id),
        _ => Err(TokenError::NotAnId),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invite_asks_for_exactly_the_documented_bits() {
        // View Channel, Send Messages, Embed Links, Read Message History.
        assert_eq!(permissions(false).bits(), 84_992);
        // … and Create Public Threads, Send Messages in Threads.
        assert_eq!(permissions(true).bits(), 309_237_730_304);
        assert!(!permissions(true).administrator());
    }

    #[test]
    fn the_url_names_the_application_scopes_and_permissions() {
        assert_eq!(
            url(123, false),
            "https://discord.com/oauth2/authorize?client_id=123&scope=bot+applications.commands&permissions=84992"
        );
    }

    #[test]
    fn a_tokens_first_part_is_the_application_id() {
        // base64("1234567890123456789") without padding, then a timestamp and an HMAC part.
        let first = base64::engine::general_purpose::STANDARD_NO_PAD.encode("1234567890123456789");
        let token = format!("{first}.GhAbCd.abcdefghijklmnopqrstuvwxyz0123456789ABC");
        assert_eq!(application_id(&token), Ok(1_234_567_890_123_456_789));
        assert_eq!(
            application_id(&format!("Bot {token}\n")),
            Ok(1_234_567_890_123_456_789)
        );
    }

    #[test]
    fn a_token_of_another_shape_is_refused_with_what_to_do() {
        assert_eq!(application_id("not-a-token"), Err(TokenError::Shape));
        assert_eq!(application_id("a.b.c.d"), Err(TokenError::Shape));
        let first = base64::engine::general_purpose::STANDARD_NO_PAD.encode("hello");
        assert_eq!(
            application_id(&format!("{first}.x.y")),
            Err(TokenError::NotAnId)
        );
        assert!(TokenError::NotAnId.to_string().contains("--application-id"));
    }
}
