//! Results → Discord text and embeds. Pure: no I/O, unit-tested.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
};

use crate::domain::bank::Question;
use crate::domain::scoring::{Assessment, Coverage};

pub const COLOR: u32 = crate::app::outbound::COLOR;

pub use crate::app::text::{
    MAX_CONTENT, MAX_EMBED_DESCRIPTION, MAX_EMBED_TITLE, MAX_EMBEDS_TOTAL, MAX_FIELD_VALUE,
    description_room, escape, fit_lines, truncate,
};

/// No pings, ever: user text is echoed, and a bot that pings @everyone loses its server.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

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

pub fn question_embed(q: &Question, title: &str) -> CreateEmbed {
    super::outbound::to_embed(&crate::app::rounds::question_embed(q, title))
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
pub use crate::domain::hints::HINT_PENALTY_PERCENT;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_show_names_verbatim_and_cannot_be_closed_early() {
        assert_eq!(code("my_bank.toml"), "`my_bank.toml`");
        assert_eq!(code("a`b``c"), "`aˋbˋˋc`");
        assert_eq!(code(""), "` `");
        assert_eq!(code("x\ny"), "`xy`");
    }
}
