//! Which of a question's entities each clause of an answer is about.
//!
//! "exec buffers the output, while spawn streams it": the first clause is about exec, the second
//! about spawn. A clause that names no entity is about the last one named before it ("exec runs
//! a shell. It buffers the output."). A name in a contrast ("unlike spawn", "rather than spawn",
//! "not spawn") says what the clause is *not* about, so it is not counted.

use super::corpus::PreparedQuestion;
use super::matching::{AnswerIndex, Window};
use super::text::Analyzed;

/// Entities (bits of `PreparedQuestion::entities`) each clause of an answer is about.
pub(super) struct Roles {
    by_clause: Vec<u32>,
    /// The entities each clause names itself (not carried over from an earlier clause).
    named: Vec<u32>,
}

/// Words that put a name that follows them in the same clause in contrast.
fn is_contrast(surface: &str) -> bool {
    matches!(
        surface,
        "unlike" | "than" | "versus" | "vs" | "compared" | "opposed" | "instead" | "except"
    )
}

impl Roles {
    pub(super) fn new(q: &PreparedQuestion, index: &AnswerIndex, a: &Analyzed) -> Roles {
        let clauses = a.clauses as usize;
        if q.entities.is_empty() {
            return Roles {
                by_clause: Vec::new(),
                named: Vec::new(),
            };
        }
        let mut named = vec![0u32; clauses];
        for (e, entity) in q.entities.iter().enumerate() {
            for alias in &entity.aliases {
                for w in index.windows(alias) {
                    if w.negated || in_contrast(index, a, &w) {
                        continue;
                    }
                    let (from, to) = clause_span(index, &w);
                    for c in &mut named[from..=to] {
                        *c |= 1 << e;
                    }
                }
            }
        }
        // A clause naming nothing is about what was named last.
        let mut by_clause = named.clone();
        let mut carried = 0;
        for c in &mut by_clause {
            if *c == 0 {
                *c = carried;
            } else {
                carried = *c;
            }
        }
        Roles { by_clause, named }
    }

    /// The entities the clauses of a window are about, and those they name themselves.
    pub(super) fn of(&self, index: &AnswerIndex, w: &Window) -> (u32, u32) {
        if self.by_clause.is_empty() {
            return (0, 0);
        }
        let (from, to) = clause_span(index, w);
        let about = self.by_clause[from..=to].iter().fold(0, |m, c| m | c);
        let named = self.named[from..=to].iter().fold(0, |m, c| m | c);
        (about, named)
    }
}

fn clause_span(index: &AnswerIndex, w: &Window) -> (usize, usize) {
    (
        index.content[w.first].clause as usize,
        index.content[w.last].clause as usize,
    )
}

/// A contrast word stands before the window's first word in its clause.
fn in_contrast(index: &AnswerIndex, a: &Analyzed, w: &Window) -> bool {
    let start = index.content[w.first].word;
    let clause = a.words[start].clause;
    a.words[..start]
        .iter()
        .rev()
        .take_while(|x| x.clause == clause)
        .any(|x| is_contrast(a.surface(x)))
}
