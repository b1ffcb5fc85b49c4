//! The answer form every Answer button opens, and the one reader of its submits.
//!
//! On a phone a form covers the message it came from, and a form title holds 45 characters, so
//! the form shows the question itself: a Text Display (component type 10) with the prompt above
//! a Label (type 18) wrapping the paragraph input, as Discord's modals allow since 2025. serenity
//! 0.12.5 has no builders for these, so they are a small typed model here, serialised by serde
//! and sent through serenity's `Http`. Where Discord refuses them (an old API surface, a proxy
//! validating the older schema) the bot sends the classic form, one input in an action row, and
//! remembers the refusal for the process, so each later click costs one request, not two.

use std::sync::atomic::{AtomicBool, Ordering};

use poise::serenity_prelude as serenity;
use serde::{Serialize, Serializer};
use serenity::all::{
    ActionRowComponent, ComponentInteraction, Context as SerenityContext, CreateActionRow,
    CreateInputText, CreateInteractionResponse, CreateModal, InputTextStyle, ModalInteraction,
};

use super::render::truncate;

/// The custom id of the one text input of every answer form.
pub const ANSWER_INPUT: &str = "answer";
/// Discord's limits: a text input's value, a modal title, a Text Display in a modal, a Label's
/// label and description.
const MAX_ANSWER_CHARS: u16 = 4000;
const MAX_TITLE: usize = 45;
const MAX_TEXT_DISPLAY: usize = 4000;
const MAX_PLACEHOLDER: usize = 100;
const LABEL: &str = "Your answer";
const HELP: &str = "Explain in your own words: what happens, why, and how you would use it.";

/// What a form is for: its custom id (what the submit acts on), its title and the question.
#[derive(Debug, Clone)]
pub struct AnswerForm<'a> {
    pub custom_id: String,
    /// "Daily question", "Question 2", …; trimmed to Discord's 45 characters.
    pub title: &'a str,
    /// The question's prompt, shown above the input.
    pub prompt: &'a str,
    /// Said on the form when the answer will also go to an outside AI model.
    pub notice: Option<String>,
}

impl AnswerForm<'_> {
    /// The callback body of the form that shows the question (interaction response type 9).
    fn with_question(&self) -> ModalCallback {
        let notice = self
            .notice
            .as_deref()
            .map_or(String::new(), |n| format!("\n\n-# {n}"));
        // The notice is kept whole: a long prompt is cut, not the notice.
        let room = MAX_TEXT_DISPLAY.saturating_sub(notice.chars().count());
        let content = format!(
            "{}{notice}",
            truncate(&format!("**Question**\n{}", self.prompt), room)
        );
        ModalCallback {
            kind: Kind,
            data: ModalData {
                custom_id: self.custom_id.clone(),
                title: truncate(self.title, MAX_TITLE),
                components: vec![
                    TopLevel::TextDisplay(TextDisplay {
                        kind: Kind,
                        content,
                    }),
                    TopLevel::Label(Label {
                        kind: Kind,
                        label: LABEL,
                        description: HELP,
                        component: ParagraphInput {
                            kind: Kind,
                            custom_id: ANSWER_INPUT,
                            style: PARAGRAPH,
                            min_length: 1,
                            max_length: MAX_ANSWER_CHARS,
                            required: true,
                        },
                    }),
                ],
            },
        }
    }

    /// Today's classic form: one paragraph input in an action row, nothing else.
    fn classic(&self) -> CreateInteractionResponse {
        // The classic form has no room for the question, but its placeholder says where the
        // answer goes (a placeholder takes 100 characters).
        let placeholder = self
            .notice
            .as_deref()
            .map_or_else(|| HELP.to_string(), |n| truncate(n, MAX_PLACEHOLDER));
        let input = CreateInputText::new(InputTextStyle::Paragraph, LABEL, ANSWER_INPUT)
            .placeholder(placeholder)
            .min_length(1)
            .max_length(MAX_ANSWER_CHARS);
        CreateInteractionResponse::Modal(
            CreateModal::new(self.custom_id.clone(), truncate(self.title, MAX_TITLE))
                .components(vec![CreateActionRow::InputText(input)]),
        )
    }
}

/// Opens answer forms, remembering whether Discord refused the form that shows the question.
#[derive(Debug, Default)]
pub struct AnswerForms {
    refused: AtomicBool,
}

impl AnswerForms {
    /// Answer click `c` with `form`: the form showing the question unless Discord refused one
    /// before, and the classic form when Discord refuses it now.
    pub async fn open(
        &self,
        ctx: &SerenityContext,
        c: &ComponentInteraction,
        form: &AnswerForm<'_>,
    ) -> Result<(), serenity::Error> {
        if !self.refused.load(Ordering::Relaxed) {
            let sent = ctx
                .http
                .create_interaction_response(c.id, &c.token, &form.with_question(), Vec::new())
                .await;
            match sent {
                Ok(()) => return Ok(()),
                Err(e) if is_form_refusal(&e) => {
                    // Not an error for the member: they get the classic form at once.
                    tracing::warn!(
                        error = %e,
                        "Discord refused an answer form with Text Display and Label components; sending classic forms from now on"
                    );
                    self.refused.store(true, Ordering::Relaxed);
                }
                Err(e) => return Err(e),
            }
        }
        c.create_response(&ctx.http, form.classic()).await
    }
}

/// Discord's "Invalid Form Body" (400, code 50035): it does not accept the components. Any other
/// failure (the interaction already answered, a network error) is not a verdict on the form.
fn is_form_refusal(e: &serenity::Error) -> bool {
    const INVALID_FORM_BODY: isize = 50035;
    matches!(
        e,
        serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r))
            if r.status_code.as_u16() == 400 && r.error.code == INVALID_FORM_BODY
    )
}

/// The answer typed into a submitted form, whichever shape it had: the text input in an action
/// row (the classic form) or the child of a Label (the form showing the question). `None` when
/// the submit holds no answer input (a forged or foreign form).
pub fn submitted_answer(m: &ModalInteraction) -> Option<String> {
    m.data
        .components
        .iter()
        .flat_map(|top| top.components.iter().chain(top.component.iter()))
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == ANSWER_INPUT => t.value.clone(),
            _ => None,
        })
}

/// A component's `type`, fixed by the Rust type that carries it.
#[derive(Debug, Clone, Copy)]
struct Kind<const N: u8>;

impl<const N: u8> Serialize for Kind<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(N)
    }
}

/// Text input style 2: several lines.
const PARAGRAPH: u8 = 2;

#[derive(Debug, Serialize)]
struct ModalCallback {
    /// Interaction response type 9: a modal.
    #[serde(rename = "type")]
    kind: Kind<9>,
    data: ModalData,
}

#[derive(Debug, Serialize)]
struct ModalData {
    custom_id: String,
    title: String,
    components: Vec<TopLevel>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum TopLevel {
    TextDisplay(TextDisplay),
    Label(Label),
}

#[derive(Debug, Serialize)]
struct TextDisplay {
    #[serde(rename = "type")]
    kind: Kind<10>,
    content: String,
}

#[derive(Debug, Serialize)]
struct Label {
    #[serde(rename = "type")]
    kind: Kind<18>,
    label: &'static str,
    description: &'static str,
    component: ParagraphInput,
}

/// A text input inside a Label: no `label` of its own (the Label holds it).
#[derive(Debug, Serialize)]
struct ParagraphInput {
    #[serde(rename = "type")]
    kind: Kind<4>,
    custom_id: &'static str,
    style: u8,
    min_length: u16,
    max_length: u16,
    required: bool,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::{Value, json};

    fn form(prompt: &str, title: &str) -> Value {
        let f = AnswerForm {
            custom_id: "d:modal:7".into(),
            title,
            prompt,
            notice: None,
        };
        serde_json::to_value(f.with_question()).unwrap()
    }

    #[test]
    fn a_form_whose_answer_goes_to_an_outside_model_says_so_whole_even_under_a_long_prompt() {
        let notice = crate::bot::judging::notice("llama3.1:8b");
        let f = AnswerForm {
            custom_id: "d:modal:7".into(),
            title: "Daily question",
            prompt: &"é".repeat(5000),
            notice: Some(notice.clone()),
        };
        let v = serde_json::to_value(f.with_question()).unwrap();
        let content = v["data"]["components"][0]["content"].as_str().unwrap();
        assert!(content.ends_with(&notice), "{content}");
        assert!(content.contains("llama3.1:8b"));
        assert!(content.chars().count() <= MAX_TEXT_DISPLAY);
        let classic = serde_json::to_value(f.classic()).unwrap();
        let placeholder = classic["data"]["components"][0]["components"][0]["placeholder"]
            .as_str()
            .unwrap();
        assert!(placeholder.contains("outside AI model"), "{placeholder}");
        assert!(placeholder.chars().count() <= 100);
    }

    #[test]
    fn the_form_shows_the_question_above_a_labelled_paragraph_input() {
        let v = form("Why does `fs.readFile` not block?", "Daily question");
        assert_eq!(v["type"], 9);
        assert_eq!(v["data"]["custom_id"], "d:modal:7");
        assert_eq!(v["data"]["title"], "Daily question");
        let top = v["data"]["components"].as_array().unwrap();
        assert_eq!(top.len(), 2);
        assert_eq!(top[0]["type"], 10);
        assert!(
            top[0]["content"]
                .as_str()
                .unwrap()
                .ends_with("Why does `fs.readFile` not block?")
        );
        assert_eq!(top[1]["type"], 18);
        assert_eq!(top[1]["label"], LABEL);
        let input = &top[1]["component"];
        assert_eq!(
            input,
            &json!({ "type": 4, "custom_id": "answer", "style": 2, "min_length": 1,
                     "max_length": 4000, "required": true })
        );
    }

    #[test]
    fn a_long_prompt_and_title_are_trimmed_to_discords_limits() {
        let v = form(&"é".repeat(5000), &"t".repeat(80));
        assert_eq!(v["data"]["title"].as_str().unwrap().chars().count(), 45);
        let content = v["data"]["components"][0]["content"].as_str().unwrap();
        assert_eq!(content.chars().count(), MAX_TEXT_DISPLAY);
        assert!(HELP.chars().count() <= 100 && LABEL.chars().count() <= 45);
    }

    /// A modal submit as Discord sends it, with `components` as given.
    fn submit(components: Value) -> ModalInteraction {
        serde_json::from_value(json!({
            "id": "1", "application_id": "2", "type": 5, "token": "t", "version": 1,
            "channel_id": "3", "guild_id": "4", "locale": "en-US", "entitlements": [],
            "attachment_size_limit": 8388608,
            "member": { "user": { "id": "5", "username": "m", "discriminator": "0",
                                  "global_name": null, "avatar": null },
                        "roles": [], "joined_at": "2026-01-01T00:00:00Z", "deaf": false,
                        "mute": false, "flags": 0 },
            "data": { "custom_id": "d:modal:7", "components": components }
        }))
        .unwrap()
    }

    /// Needs the vendored patch: serenity 0.12.5 as published has no field for the Label's
    /// child and dropped it while parsing.
    #[test]
    fn a_label_shaped_submit_gives_the_answer() {
        let m = submit(json!([
            { "type": 10, "id": 1 },
            { "type": 18, "id": 2,
              "component": { "type": 4, "id": 3, "custom_id": "answer", "value": "libuv" } }
        ]));
        assert_eq!(submitted_answer(&m).as_deref(), Some("libuv"));
    }

    #[test]
    fn a_classic_submit_gives_the_answer_and_a_foreign_one_none() {
        let m = submit(json!([
            { "type": 1, "components": [{ "type": 4, "custom_id": "answer", "value": "pool" }] }
        ]));
        assert_eq!(submitted_answer(&m).as_deref(), Some("pool"));
        let m = submit(json!([
            { "type": 1, "components": [{ "type": 4, "custom_id": "other", "value": "x" }] }
        ]));
        assert_eq!(submitted_answer(&m), None);
    }
}
