//! Assessments as terminal text.

use crate::domain::scoring::{Assessment, Coverage};

pub fn assessment(a: &Assessment) -> String {
    let mut out = format!("Score: {}/100\n", a.total);
    for c in &a.concepts {
        if a.derived_concepts && c.coverage == Coverage::Missed {
            continue;
        }
        let mark = match c.coverage {
            Coverage::Covered => "✔",
            Coverage::Partial => "~",
            Coverage::Missed => "✘",
            Coverage::Contradicted => "✘✘ contradicted:",
        };
        match &c.matched {
            Some(m) => out.push_str(&format!("  {mark} {} — “{m}”\n", c.name)),
            None => out.push_str(&format!("  {mark} {}\n", c.name)),
        }
    }
    for m in &a.misconceptions {
        out.push_str(&format!("  ! “{}”: {}\n", m.matched, m.why));
    }
    out.push_str(&a.feedback);
    out.push('\n');
    out
}
