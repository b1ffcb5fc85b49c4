//! Results → Discord text and embeds. Pure: no I/O, unit-tested.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
};

use crate::domain::bank::Question;
use crate::domain::scoring::{Assessment, Coverage};

pub const COLOR: u32 = 0x5865F2;

/// No pings, ever: user text is echoed, and a bot that pings @everyone loses its server.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// Make user-written text inert: markdown shown literally, mentions broken, no spoiler escape.
/// User text as inline code: shown verbatim (markdown escapes would show their backslashes
/// there), with backticks swapped for a look-alike so it cannot close the code span.
pub fn code(text: &str) -> String {
    let inner: String = text
        .chars()
        .map(|c| if c == '`' { 'ˋ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    if inner.is_empty() {
        "` `".to_string()
    } else {
        format!("`{inner}`")
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200B}"),
            '<' => out.push_str("<\u{200B}"),
            c => out.push(c),
        }
    }
    out
}

/// Cut text to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

pub fn question_embed(q: &Question, title: &str) -> CreateEmbed {
    CreateEmbed::new()
        .title(truncate(title, 256))
        .description(truncate(&q.prompt, 4096))
        .field("Topic", &q.topic, true)
        .field("Difficulty", q.difficulty.label(), true)
        .color(COLOR)
}

pub fn question_buttons(question_row: i64) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(vec![
        CreateButton::new(format!("q:answer:{question_row}"))
            .label("Answer")
            .style(ButtonStyle::Primary),
        CreateButton::new(format!("q:hint:{question_row}"))
            .label("Hint")
            .style(ButtonStyle::Secondary),
        CreateButton::new(format!("q:skip:{question_row}"))
            .label("Skip")
            .style(ButtonStyle::Secondary),
    ])]
}

/// The ephemeral feedback after an answer.
pub fn assessment_embed(q: &Question, a: &Assessment, total: u8, hints: u32) -> CreateEmbed {
    let list = |c: Coverage| {
        let names: Vec<String> = a
            .concepts
            .iter()
            .filter(|r| r.coverage == c)
            .map(|r| r.name.clone())
            .collect();
        if names.is_empty() {
            "—".to_string()
        } else {
            truncate(&names.join(", "), 1024)
        }
    };
    let mut e = CreateEmbed::new()
        .title(format!("Score: {total}/100"))
        .description(truncate(&a.feedback, 4096))
        .color(COLOR);
    if !a.derived_concepts {
        e = e
            .field("Covered", list(Coverage::Covered), false)
            .field("Partly", list(Coverage::Partial), false)
            .field("Missed", list(Coverage::Missed), false);
    }
    if hints > 0 {
        e = e.field(
            "Hints used",
            format!("{hints} (−{}%)", hints * HINT_PENALTY_PERCENT),
            true,
        );
    }
    e.field("Reference answer", truncate(&q.reference, 1024), false)
}

/// Each hint taken costs this share of the question's score.
pub const HINT_PENALTY_PERCENT: u32 = 15;

pub fn with_hint_penalty(score: u8, hints: u32) -> u8 {
    let keep = 100u32.saturating_sub(HINT_PENALTY_PERCENT * hints.min(3));
    u8::try_from(u32::from(score) * keep / 100).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_mentions_and_markdown() {
        let e = escape("@everyone <@123> **bold** ||spoiler|| `code`");
        assert!(!e.contains("@everyone"));
        assert!(!e.contains("<@123>"));
        assert!(e.contains("\\*\\*bold\\*\\*"));
        assert!(e.contains("\\|\\|spoiler\\|\\|"));
    }

    #[test]
    fn code_spans_show_names_verbatim_and_cannot_be_closed_early() {
        assert_eq!(code("my_bank.toml"), "`my_bank.toml`");
        assert_eq!(code("a`b``c"), "`aˋbˋˋc`");
        assert_eq!(code(""), "` `");
        assert_eq!(code("x\ny"), "`xy`");
    }

    #[test]
    fn truncation_respects_limits() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 4).chars().count(), 4);
    }

    #[test]
    fn hints_cost_points() {
        assert_eq!(with_hint_penalty(100, 0), 100);
        assert_eq!(with_hint_penalty(100, 1), 85);
        assert_eq!(with_hint_penalty(80, 3), 44);
    }
}
