//! Text within Discord's limits, and user text made inert. Pure; used by the use cases that
//! build messages (`app::drops`, `app::rounds`) and by `bot::render`.

/// Discord's limits on what a message carries.
pub const MAX_CONTENT: usize = 2000;
pub const MAX_EMBED_TITLE: usize = 256;
pub const MAX_EMBED_DESCRIPTION: usize = 4096;
pub const MAX_FIELD_VALUE: usize = 1024;
/// Titles, descriptions, field names and values and footers of all a message's embeds.
pub const MAX_EMBEDS_TOTAL: usize = 6000;

/// Room left for an embed's description when its other parts (title, field names and values,
/// footer) take `others`: at most 4,096, and within the 6,000 total.
pub fn description_room(others: &[&str]) -> usize {
    let used: usize = others.iter().map(|t| t.chars().count()).sum();
    MAX_EMBEDS_TOTAL
        .saturating_sub(used)
        .min(MAX_EMBED_DESCRIPTION)
}

/// Lines joined with newlines, as many as fit in `max` characters; when some are left out,
/// the last line says how many ("… and 12 more").
pub fn fit_lines(lines: &[String], max: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for (i, line) in lines.iter().enumerate() {
        let len = line.chars().count() + usize::from(i > 0);
        let rest = lines.len() - i - 1;
        // Room for this line, and for the "more" note if further lines would not fit.
        let note = if rest > 0 {
            format!("\n… and {rest} more").chars().count()
        } else {
            0
        };
        if used + len + note > max {
            let more = format!("… and {} more", lines.len() - i);
            if out.is_empty() {
                return truncate(&more, max);
            }
            out.push('\n');
            out.push_str(&more);
            return out;
        }
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
        used += len;
    }
    out
}

/// Make user-written text inert: markdown shown literally, mentions broken, no spoiler escape.
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn lines_that_do_not_fit_are_counted_not_cut() {
        let lines: Vec<String> = (0..71)
            .map(|i| format!("**team {i:02} with a long long name** — 1 member(s)"))
            .collect();
        let text = fit_lines(&lines, MAX_CONTENT);
        assert!(
            text.chars().count() <= MAX_CONTENT,
            "{}",
            text.chars().count()
        );
        assert!(text.starts_with("**team 00 "));
        let shown = text.lines().filter(|l| l.starts_with("**team")).count();
        assert!(
            text.ends_with(&format!("… and {} more", 71 - shown)),
            "{text}"
        );
        let few = fit_lines(&lines[..2], MAX_CONTENT);
        assert_eq!(few, format!("{}\n{}", lines[0], lines[1]));
        assert_eq!(fit_lines(&lines, 5), "… an…");
    }

    #[test]
    fn a_description_gets_what_the_other_parts_leave() {
        assert_eq!(description_room(&["title", "x"]), MAX_EMBED_DESCRIPTION);
        let field = "f".repeat(1024);
        assert_eq!(
            description_room(&[&field, &field, "Reveal"]),
            6000 - 2048 - 6
        );
    }

    #[test]
    fn escaping_neutralises_mentions_and_markdown() {
        let e = escape("@everyone <@123> **bold** ||spoiler|| `code`");
        assert!(!e.contains("@everyone"));
        assert!(!e.contains("<@123>"));
        assert!(e.contains("\\*\\*bold\\*\\*"));
        assert!(e.contains("\\|\\|spoiler\\|\\|"));
    }

    #[test]
    fn truncation_respects_limits() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 4).chars().count(), 4);
    }
}
