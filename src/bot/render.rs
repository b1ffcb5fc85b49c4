//! Results → Discord text and embeds. Pure: no I/O, unit-tested.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
};

use crate::app::outbound::Embed;
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

/// A question chosen for a member (`/review next`, `/question adaptive:True`): the question,
/// why it was chosen, a footer; the prompt gets the room the rest leaves of an embed's 6,000
/// characters.
pub fn chosen_question(q: &Question, title: &str, why: &str, footer: &str) -> Embed {
    let mut e = crate::app::rounds::question_embed(q, title).field(
        "Why this one",
        truncate(why, MAX_FIELD_VALUE),
        false,
    );
    e.footer = Some(truncate(footer, 2048));
    let mut others: Vec<&str> = vec![&e.title];
    for (name, value, _) in &e.fields {
        others.push(name);
        others.push(value);
    }
    others.extend(e.footer.as_deref());
    e.description = truncate(&e.description, description_room(&others));
    e
}

/// The one button under a review question.
pub fn review_button(question_row: i64) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(vec![
        CreateButton::new(format!("r:answer:{question_row}"))
            .label("Answer")
            .style(ButtonStyle::Primary),
    ])]
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

/// The ephemeral feedback after an answer, with an optional footer.
pub fn assessment_embed(
    q: &Question,
    a: &Assessment,
    total: u8,
    hints: u32,
    footer: Option<&str>,
) -> CreateEmbed {
    super::outbound::to_embed(&assessment(q, a, total, hints, footer))
}

/// The feedback's parts within the 6,000 characters of an embed by construction: the concept
/// lists, the hint charge, the reference and the footer are bounded first, and the scorer's
/// feedback text gets the room that is left (a long reference must not make Discord refuse the
/// whole reply).
pub fn assessment(
    q: &Question,
    a: &Assessment,
    total: u8,
    hints: u32,
    footer: Option<&str>,
) -> Embed {
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
            truncate(&names.join(", "), MAX_FIELD_VALUE)
        }
    };
    let title = format!("Score: {total}/100");
    let mut fields: Vec<(String, String, bool)> = Vec::new();
    if !a.derived_concepts {
        for (name, coverage) in [
            ("Covered", Coverage::Covered),
            ("Partly", Coverage::Partial),
            ("Missed", Coverage::Missed),
            ("Contradicted", Coverage::Contradicted),
        ] {
            if coverage == Coverage::Contradicted
                && !a.concepts.iter().any(|c| c.coverage == coverage)
            {
                continue;
            }
            fields.push((name.to_string(), list(coverage), false));
        }
    }
    if hints > 0 {
        fields.push((
            "Hints used".to_string(),
            format!("{hints} (−{}%)", hints * HINT_PENALTY_PERCENT),
            true,
        ));
    }
    fields.push((
        "Reference answer".to_string(),
        truncate(&q.reference, MAX_FIELD_VALUE),
        false,
    ));
    let footer = footer.map(|f| truncate(f, 2048));
    let mut others: Vec<&str> = vec![&title];
    for (name, value, _) in &fields {
        others.push(name);
        others.push(value);
    }
    if let Some(f) = &footer {
        others.push(f);
    }
    let description = truncate(&a.feedback, description_room(&others));
    Embed {
        title,
        description,
        fields,
        footer,
    }
}

/// Each hint taken costs this share of the question's score.
pub use crate::domain::hints::HINT_PENALTY_PERCENT;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_fits_an_embed_whatever_the_reference_and_concepts() {
        use crate::domain::bank::{Bank, SHIPPED_BANK_TOML};
        use crate::domain::scoring::{ConceptResult, Corpus, score};
        let bank = Bank::from_toml_str("shipped", SHIPPED_BANK_TOML).unwrap();
        let mut q = bank.questions[0].clone();
        let mut a = score(&q, "an answer", &Corpus::new(&bank.questions));
        // An imported bank may carry a reference of any length and many long concepts.
        q.reference = "word ".repeat(2000);
        a.derived_concepts = false;
        a.concepts = (0..60)
            .map(|i| ConceptResult {
                name: format!("{i} a long concept name that goes on and on"),
                weight: 1.0,
                coverage: [
                    Coverage::Covered,
                    Coverage::Partial,
                    Coverage::Missed,
                    Coverage::Contradicted,
                ][i % 4],
                matched: None,
            })
            .collect();
        a.feedback = "Say more about it. ".repeat(400);
        let e = assessment(&q, &a, 50, 2, Some("Practice: not on the leaderboard."));
        let total = e.title.chars().count()
            + e.description.chars().count()
            + e.fields
                .iter()
                .map(|(n, v, _)| n.chars().count() + v.chars().count())
                .sum::<usize>()
            + e.footer.as_deref().map_or(0, |f| f.chars().count());
        assert!(total <= MAX_EMBEDS_TOTAL, "{total}");
        assert!(
            e.fields
                .iter()
                .all(|(_, v, _)| v.chars().count() <= MAX_FIELD_VALUE)
        );
        // The feedback is shortened, not dropped.
        assert!(e.description.starts_with("Say more about it."));
        assert!(e.description.ends_with('…'), "{}", e.description);
    }

    #[test]
    fn a_chosen_question_fits_an_embed_whatever_its_parts() {
        use crate::domain::bank::{Bank, SHIPPED_BANK_TOML};
        let bank = Bank::from_toml_str("shipped", SHIPPED_BANK_TOML).unwrap();
        let mut q = bank.questions[0].clone();
        q.prompt = "p".repeat(4096);
        q.topic = "t".repeat(1024);
        let e = chosen_question(&q, "Review", &"why ".repeat(500), &"f".repeat(3000));
        let total = e.title.chars().count()
            + e.description.chars().count()
            + e.fields
                .iter()
                .map(|(n, v, _)| n.chars().count() + v.chars().count())
                .sum::<usize>()
            + e.footer.as_deref().map_or(0, |f| f.chars().count());
        assert!(total <= MAX_EMBEDS_TOTAL, "{total}");
        assert!(e.description.starts_with("ppp") && e.description.ends_with('…'));
        assert!(
            e.fields
                .iter()
                .all(|(_, v, _)| v.chars().count() <= MAX_FIELD_VALUE)
        );
    }

    #[test]
    fn code_spans_show_names_verbatim_and_cannot_be_closed_early() {
        assert_eq!(code("my_bank.toml"), "`my_bank.toml`");
        assert_eq!(code("a`b``c"), "`aˋbˋˋc`");
        assert_eq!(code(""), "` `");
        assert_eq!(code("x\ny"), "`xy`");
    }
}
