//! `/bank import|list|export|remove`: a server's own question banks, next to the built-in one.
//!
//! An imported file goes through the same loader as `interview-bot bank check`: any problem
//! refuses the whole file, with its line, and nothing changes.

use std::sync::Arc;
use std::time::Duration;

use poise::CreateReply;
use serenity::all::{Attachment, CreateAttachment, CreateEmbed, Permissions};

use super::super::library::Content;
use super::super::render::{COLOR, code, escape, no_mentions, truncate};
use super::super::{Context, Data, Error, errors::user};
use super::{member_has, say, sid};
use crate::domain::bank::{Bank, BankError};
use crate::store::{BankRemoval, StoreError};

/// Bank files above this size are refused before download (the shipped bank of 34 curated
/// questions is about 60 KiB).
pub const MAX_BANK_BYTES: u32 = 512 * 1024;
/// Questions in one bank.
pub const MAX_BANK_QUESTIONS: usize = 500;
/// Banks one server can have (a slash-command choice list shows at most 25).
pub const MAX_SERVER_BANKS: usize = 25;
/// How long a download from Discord's CDN may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(20);

fn require_manage_server(ctx: Context<'_>, what: &str) -> Result<i64, Error> {
    if !member_has(ctx, Permissions::MANAGE_GUILD) {
        return Err(user(format!("{what} needs the Manage Server permission.")));
    }
    guild_of(ctx)
}

fn guild_of(ctx: Context<'_>) -> Result<i64, Error> {
    ctx.guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("Question banks belong to a server."))
}

/// The bank a command asked for (`None` = the built-in one), or a helpful error.
pub async fn chosen_bank(
    data: &Data,
    guild: i64,
    typed: Option<&str>,
) -> Result<Arc<Content>, Error> {
    data.engine
        .library
        .for_server(&data.engine.store, guild, typed)
        .await?
        .ok_or_else(|| {
            user(format!(
                "This server has no bank {}. `/bank list` shows the banks you can use.",
                code(typed.unwrap_or_default())
            ))
        })
}

/// Banks matching what was typed (autocomplete for every `bank` option). Reads only the
/// stored names: loading every bank to answer a keystroke could miss Discord's 3 s.
pub async fn autocomplete_bank(
    ctx: Context<'_>,
    partial: &str,
) -> serenity::all::CreateAutocompleteResponse {
    let partial = partial.to_lowercase();
    let data = ctx.data();
    let mut banks: Vec<(String, String)> = data
        .engine
        .library
        .builtins()
        .iter()
        .map(|c| (c.bank.meta.id.clone(), c.bank.meta.name.clone()))
        .collect();
    if let Ok(guild) = guild_of(ctx) {
        match data.engine.store.server_banks(guild).await {
            Ok(own) => banks.extend(own.into_iter().map(|b| (b.slug, b.name))),
            Err(e) => tracing::warn!(error = %e, "cannot list banks for autocomplete"),
        }
    }
    let choices = banks
        .into_iter()
        .filter(|(id, name)| {
            id.to_lowercase().contains(&partial) || name.to_lowercase().contains(&partial)
        })
        .take(25)
        .map(|(id, name)| {
            serenity::all::AutocompleteChoice::new(truncate(&format!("{name} ({id})"), 100), id)
        })
        .collect();
    serenity::all::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Question banks: the built-in ones and this server's own.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("import", "list", "export", "remove"),
    subcommand_required
)]
pub async fn bank(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Import a bank file (TOML or JSON, the format of `interview-bot bank check`). Manage Server.
#[poise::command(slash_command, guild_only)]
async fn import(
    ctx: Context<'_>,
    #[description = "The bank file (.toml or .json)"] file: Attachment,
    #[description = "Only check the file; import nothing"] dry_run: Option<bool>,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx, "Importing a bank")?;
    if file.size > MAX_BANK_BYTES {
        return Err(user(format!(
            "{} is {} KiB; a bank file may be at most {} KiB. Split it into several banks.",
            code(&file.filename),
            file.size.div_ceil(1024),
            MAX_BANK_BYTES / 1024
        )));
    }
    ctx.defer_ephemeral().await?;
    let bytes = download(&file).await?;
    let text = String::from_utf8(bytes).map_err(|_| {
        user(format!(
            "{} is not UTF-8 text. Save it as UTF-8 and try again.",
            code(&file.filename)
        ))
    })?;
    let bank = match Bank::from_file_text(&file.filename, &text) {
        Ok(bank) => bank,
        Err(e) => return say(ctx, refusal(&file.filename, &e)).await,
    };
    let data = ctx.data();
    let meta = &bank.meta;
    if data.engine.library.builtin(&meta.id).is_some() {
        return Err(user(format!(
            "{} is a built-in bank's id. Give your bank another `bank.id`; nothing changed.",
            code(&meta.id)
        )));
    }
    if bank.questions.len() > MAX_BANK_QUESTIONS {
        return Err(user(format!(
            "The bank has {} questions; at most {MAX_BANK_QUESTIONS} per bank. Split it; nothing changed.",
            bank.questions.len()
        )));
    }
    let existing = data.engine.store.server_banks(guild).await?;
    let replaces = existing.iter().find(|b| b.slug == meta.id);
    if replaces.is_none() && existing.len() >= MAX_SERVER_BANKS {
        return Err(user(format!(
            "This server has {MAX_SERVER_BANKS} banks, the most it can have. Remove one with `/bank remove` first; nothing changed."
        )));
    }
    let summary = format!(
        "**{}** ({}, version {}): {} questions; topics: {}.",
        escape(&meta.name),
        code(&meta.id),
        escape(&meta.version),
        bank.questions.len(),
        escape(&bank.topics().join(", "))
    );
    if dry_run.unwrap_or(false) {
        return say(
            ctx,
            truncate(
                &format!(
                    "✅ {} is a valid bank. {summary}\nDry run: nothing was imported.",
                    code(&file.filename)
                ),
                2000,
            ),
        )
        .await;
    }
    data.engine
        .store
        .store_bank(
            Some(guild),
            &bank,
            &text,
            Some(sid(ctx.author().id.get())),
            data.engine.now(),
        )
        .await?;
    tracing::info!(guild, bank = %meta.id, questions = bank.questions.len(), "bank imported");
    let replaced = replaces
        .map(|old| format!(" It replaces version {}.", escape(&old.version)))
        .unwrap_or_default();
    say(
        ctx,
        truncate(
            &format!(
                "Imported {summary}{replaced}\nUse it with the `bank` option of `/question`, `/mock start` and `/daily set`."
            ),
            2000,
        ),
    )
    .await
}

/// The attachment's bytes, refusing more than the limit whatever the attachment claimed.
async fn download(file: &Attachment) -> Result<Vec<u8>, Error> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::warn!(url = %file.url, error = %e, "cannot download an attachment");
        user("Could not download the file from Discord. Please try again in a moment.")
    };
    let client = reqwest::Client::builder()
        .timeout(DOWNLOAD_TIMEOUT)
        .build()
        .map_err(|e| failed(&e))?;
    let mut response = client
        .get(&file.url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| failed(&e))?;
    let limit = usize::try_from(MAX_BANK_BYTES).unwrap_or(usize::MAX);
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(&e))? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            return Err(user(format!(
                "{} is over {} KiB; a bank file may be at most that. Split it into several banks.",
                code(&file.filename),
                MAX_BANK_BYTES / 1024
            )));
        }
    }
    Ok(bytes)
}

/// Why a file was refused, every problem with its line, fitting one message.
fn refusal(filename: &str, e: &BankError) -> String {
    let problems = e.problems();
    let head = format!(
        "❌ {} was refused ({} problem{}); nothing changed. Fix the file and import it again:\n",
        code(filename),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    // A code block shows the messages verbatim; only a backtick could end it early.
    let mut listed = String::new();
    let mut shown = 0;
    for p in problems {
        let line = format!("{}\n", p.to_string().replace('`', "'"));
        if head.len() + listed.len() + line.len() + 100 > 2000 {
            break;
        }
        listed.push_str(&line);
        shown += 1;
    }
    let more = problems.len() - shown;
    let tail = if more > 0 {
        format!("… and {more} more. `interview-bot bank check FILE` lists them all.")
    } else {
        String::new()
    };
    format!("{head}```\n{listed}```{tail}")
}

/// The banks this server can use.
#[poise::command(slash_command, guild_only)]
async fn list(ctx: Context<'_>) -> Result<(), Error> {
    let guild = guild_of(ctx)?;
    let data = ctx.data();
    let mut body = String::from("**Built in**\n");
    for builtin in data.engine.library.builtins() {
        let bank = &builtin.bank;
        body.push_str(&format!(
            "{} — {} · level {} · {} questions{}\n",
            code(&bank.meta.id),
            escape(&bank.meta.name),
            escape(&bank.meta.level),
            bank.questions.len(),
            if Arc::ptr_eq(builtin, data.engine.library.shipped()) {
                " · the default"
            } else {
                ""
            }
        ));
    }
    let own = data.engine.store.server_banks(guild).await?;
    body.push_str("\n**This server's**\n");
    if own.is_empty() {
        body.push_str("None yet. Anyone with Manage Server can add one with `/bank import`.");
    }
    for b in &own {
        body.push_str(&format!(
            "{} — {} · version {} · {} questions · imported <t:{}:R>{}\n",
            code(&b.slug),
            escape(&b.name),
            escape(&b.version),
            b.questions,
            b.imported_at.timestamp(),
            b.imported_by
                .map(|u| format!(" by <@{u}>"))
                .unwrap_or_default()
        ));
    }
    ctx.send(
        CreateReply::default()
            .embed(
                CreateEmbed::new()
                    .title("Question banks")
                    .description(truncate(&body, 4096))
                    .color(COLOR),
            )
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// Download a bank as a file (it contains the reference answers). Manage Server.
#[poise::command(slash_command, guild_only)]
async fn export(
    ctx: Context<'_>,
    #[description = "Which bank"]
    #[autocomplete = "autocomplete_bank"]
    #[max_length = 100]
    bank: String,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx, "Exporting a bank")?;
    let data = ctx.data();
    let content = chosen_bank(data, guild, Some(&bank)).await?;
    let source = match data.engine.store.bank_version(content.stored.id).await? {
        Some(v) => v.source,
        None => return Err(StoreError::NotFound(format!("bank {bank}")).into()),
    };
    let ext = if source.trim_start().starts_with('{') {
        "json"
    } else {
        "toml"
    };
    let name = format!("{}.{ext}", content.bank.meta.id);
    ctx.send(
        CreateReply::default()
            .content(format!(
                "{}, version {}: edit it and `/bank import` it again to update.",
                code(&content.bank.meta.id),
                escape(&content.bank.meta.version)
            ))
            .attachment(CreateAttachment::bytes(source.into_bytes(), name))
            .ephemeral(true)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// Remove one of this server's banks (refused while a daily drop or a round uses it).
#[poise::command(slash_command, guild_only)]
async fn remove(
    ctx: Context<'_>,
    #[description = "Which bank"]
    #[autocomplete = "autocomplete_bank"]
    #[max_length = 100]
    bank: String,
) -> Result<(), Error> {
    let guild = require_manage_server(ctx, "Removing a bank")?;
    let data = ctx.data();
    let slug = bank.trim();
    if data.engine.library.builtin(slug).is_some() {
        return Err(user("Built-in banks cannot be removed."));
    }
    match data.engine.store.remove_bank(guild, slug).await? {
        BankRemoval::Removed => {
            tracing::info!(guild, bank = %slug, "bank removed");
            say(
                ctx,
                format!(
                    "Removed {}. Past answers keep their scores; import the file again to bring it back.",
                    code(slug)
                ),
            )
            .await
        }
        BankRemoval::NotFound => Err(user(format!(
            "This server has no bank {}. `/bank list` shows its banks.",
            code(slug)
        ))),
        BankRemoval::InUse { schedules, rounds } => {
            let mut users = Vec::new();
            if !schedules.is_empty() {
                let ids: Vec<String> = schedules.iter().map(|s| format!("#{s}")).collect();
                users.push(format!("daily drop {}", ids.join(", ")));
            }
            if !rounds.is_empty() {
                users.push(format!(
                    "{} open mock round{}",
                    rounds.len(),
                    if rounds.len() == 1 { "" } else { "s" }
                ));
            }
            Err(user(format!(
                "{} is still used by {}. Remove those drops with `/daily remove` and let the rounds finish, then try again; nothing changed.",
                code(slug),
                users.join(" and ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_refusal_fits_one_message_and_says_how_many_were_left_out() {
        let mut source =
            String::from("[bank]\nid = \"x\"\nname = \"X\"\nversion = \"1\"\nlevel = \"senior\"\n");
        for i in 0..200 {
            source.push_str(&format!(
                "\n[[question]]\nid = \"q-{i:03}\"\ntopic = \"T\"\ndifficulty = \"easy\"\nprompt = \" \"\nreference = \"`r`\"\n"
            ));
        }
        let e = Bank::from_toml_str("big.toml", &source).unwrap_err();
        let text = refusal("big.toml", &e);
        assert!(text.chars().count() <= 2000, "{}", text.len());
        assert!(text.contains("(200 problems)"));
        assert!(text.contains("line 11: question[1] (q-000).prompt: must not be empty"));
        assert!(text.contains("more. `interview-bot bank check FILE`"));
        assert_eq!(text.matches("```").count(), 2);
    }
}
