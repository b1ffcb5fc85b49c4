//! The timing and counting of every interaction: a wrapper of the poise framework that sees each
//! event from arrival to the end of its handler and reports it to the [`Metrics`]. Error paths
//! report how the interaction ended with [`note_outcome`].

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Instant;

use poise::serenity_prelude as serenity;
use serenity::all::{CommandDataOption, CommandDataOptionValue, FullEvent, Interaction};

use crate::ops::{Metrics, Outcome};

tokio::task_local! {
    /// The outcome of the interaction being handled on this task (set by [`Instrumented`]).
    static OUTCOME: Cell<Outcome>;
}

/// Report how the interaction being handled ended, from an error path (the worst report
/// wins). Outside an instrumented interaction this does nothing.
pub fn note_outcome(outcome: Outcome) {
    let _ = OUTCOME.try_with(|cell| cell.set(cell.get().max(outcome)));
}

/// Wrap a poise framework so every interaction it handles is timed and counted in `metrics`.
pub fn instrument<U, E>(metrics: &Metrics, framework: poise::Framework<U, E>) -> Instrumented<U, E>
where
    U: Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    let commands = framework
        .options()
        .commands
        .iter()
        .map(|c| {
            let subs = c.subcommands.iter().map(|s| s.name.to_string()).collect();
            (c.name.to_string(), subs)
        })
        .collect();
    Instrumented {
        inner: framework,
        metrics: metrics.clone(),
        commands,
    }
}

/// The poise framework, timed: see [`instrument`].
pub struct Instrumented<U, E> {
    inner: poise::Framework<U, E>,
    metrics: Metrics,
    /// Command names and their subcommands' names, so labels only take known values.
    commands: HashMap<String, Vec<String>>,
}

impl<U, E> Instrumented<U, E> {
    /// The metric labels (kind, command) of an event, if it is an interaction.
    fn labels(&self, event: &FullEvent) -> Option<(&'static str, String)> {
        let FullEvent::InteractionCreate { interaction } = event else {
            return None;
        };
        Some(match interaction {
            Interaction::Command(c) => {
                ("command", self.command_label(&c.data.name, &c.data.options))
            }
            Interaction::Autocomplete(c) => (
                "autocomplete",
                self.command_label(&c.data.name, &c.data.options),
            ),
            Interaction::Component(c) => ("component", custom_id_label(&c.data.custom_id)),
            Interaction::Modal(m) => ("modal", custom_id_label(&m.data.custom_id)),
            _ => return None,
        })
    }

    /// "mock start" for a subcommand, "question" for a plain command, "unknown" for a name the
    /// bot never registered.
    fn command_label(&self, name: &str, options: &[CommandDataOption]) -> String {
        let Some(subs) = self.commands.get(name) else {
            return "unknown".to_string();
        };
        let sub = options.iter().find_map(|o| match &o.value {
            CommandDataOptionValue::SubCommand(_) | CommandDataOptionValue::SubCommandGroup(_) => {
                Some(o.name.as_str())
            }
            _ => None,
        });
        match sub {
            Some(s) if subs.iter().any(|known| known == s) => format!("{name} {s}"),
            Some(_) => format!("{name} unknown"),
            None => name.to_string(),
        }
    }
}

/// The first two parts of a custom id (`q:answer:12:34` → `q:answer`): what was clicked,
/// without the ids. Parts that are not short lowercase words are left out.
fn custom_id_label(custom_id: &str) -> String {
    let word =
        |p: &&str| !p.is_empty() && p.len() <= 12 && p.bytes().all(|b| b.is_ascii_lowercase());
    let parts: Vec<&str> = custom_id.split(':').take(2).take_while(word).collect();
    if parts.is_empty() {
        "other".to_string()
    } else {
        parts.join(":")
    }
}

#[serenity::async_trait]
impl<U, E> serenity::Framework for Instrumented<U, E>
where
    U: Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    async fn init(&mut self, client: &serenity::Client) {
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: serenity::Context, event: FullEvent) {
        let Some((kind, command)) = self.labels(&event) else {
            return self.inner.dispatch(ctx, event).await;
        };
        let started = Instant::now();
        let outcome = OUTCOME
            .scope(Cell::new(Outcome::Ok), async {
                self.inner.dispatch(ctx, event).await;
                OUTCOME.with(Cell::get)
            })
            .await;
        self.metrics
            .interaction(kind, &command, outcome, started.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_lose_their_ids() {
        assert_eq!(custom_id_label("q:answer:12:34"), "q:answer");
        assert_eq!(custom_id_label("m:join:5:red"), "m:join");
        assert_eq!(custom_id_label("lb:week:0:1"), "lb:week");
        assert_eq!(custom_id_label("d:modal:7"), "d:modal");
        assert_eq!(custom_id_label("12345"), "other");
        assert_eq!(custom_id_label("x:12"), "x");
    }

    #[test]
    fn the_worst_reported_outcome_wins_inside_a_scope_only() {
        note_outcome(Outcome::InternalError); // outside a scope: ignored, no panic
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let got = rt.block_on(OUTCOME.scope(Cell::new(Outcome::Ok), async {
            note_outcome(Outcome::UserError);
            note_outcome(Outcome::Ok);
            OUTCOME.with(Cell::get)
        }));
        assert_eq!(got, Outcome::UserError);
    }
}
