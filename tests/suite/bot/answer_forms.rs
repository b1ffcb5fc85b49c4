//! The answer forms show their question (#30): every Answer button — a practice question, a
//! review, a round question, a daily drop — opens a form with the prompt in a Text Display above
//! a Label-wrapped input, and its Label-shaped submit is scored; where Discord refuses those
//! components the classic form is sent instead, and only the first click pays for the refusal.

use serde_json::{Value, json};

use super::review::{CLUSTER, remembered, review_next};
use super::{
    ADMIN, CHANNEL, GOOD_CLUSTER_ANSWER, M0, WAIT, World, custom_ids, question_message, set_daily,
    start_solo_round, text_of,
};

/// One answer path driven end to end: the message whose Answer was clicked, the form the bot
/// opened, the submit Discord sent back and the bot's reply to it.
struct Answered {
    path: &'static str,
    message: Value,
    form: Value,
    submit: Value,
    reply: Value,
}

/// Click the button of `message` whose id starts with `prefix`, submit `text` into the form.
async fn answer(w: &World, path: &'static str, message: Value, prefix: &str) -> Answered {
    let button = custom_ids(&message)
        .into_iter()
        .find(|c| c.starts_with(prefix))
        .unwrap_or_else(|| panic!("{path}: no {prefix} button in {message}"));
    let form = w
        .fake
        .click(M0, &message, &button)
        .await
        .modal(&w.fake, WAIT)
        .await
        .unwrap_or_else(|| panic!("{path}: no form"));
    let id = form["custom_id"].as_str().unwrap().to_string();
    let submitted = w
        .fake
        .submit_modal(M0, CHANNEL, &id, &[("answer", GOOD_CLUSTER_ANSWER)])
        .await;
    let reply = submitted
        .reply(&w.fake, WAIT)
        .await
        .unwrap_or_else(|| panic!("{path}: no reply"));
    Answered {
        path,
        message,
        form,
        submit: submitted.payload["data"].clone(),
        reply,
    }
}

/// Answer through all four paths, one after another, in a fresh world (a review is due for M0).
async fn answer_every_path(refuse_new_forms: bool) -> (World, Vec<Answered>) {
    let w = World::new(1).await;
    {
        let store = w.store().await;
        remembered(&store, CLUSTER, 20, 70).await;
        store.close().await;
    }
    if refuse_new_forms {
        w.fake.refuse_new_modal_components();
    }
    let bot = w.start_bot().await;
    let mut done = Vec::new();

    let (_, review) = review_next(&w).await;
    done.push(answer(&w, "review", review, "r:answer:").await);

    let question = question_message(&w, M0, "node-libuv-thread-pool").await;
    done.push(answer(&w, "question", question, "q:answer:").await);

    let round_question = start_solo_round(&w).await;
    done.push(answer(&w, "round", round_question, "m:answer:").await);
    w.wait_message("Round over").await;

    set_daily(&w, ADMIN, json!([])).await;
    let drop = w.wait_message("Daily question —").await;
    done.push(answer(&w, "drop", drop, "d:answer:").await);

    w.assert_clean();
    bot.stop().await;
    (w, done)
}

/// The start of the question's prompt, as the clicked message shows it in its embed.
fn prompt_start(a: &Answered) -> String {
    let shown = a.message["embeds"][0]["description"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no question embed in {}", a.path, a.message));
    shown.chars().take(40).collect()
}

fn assert_scored(a: &Answered) {
    let title = a.reply["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default();
    assert!(
        title.starts_with("Score: "),
        "{}: the answer was not scored: {}",
        a.path,
        a.reply
    );
}

fn form_component_types(form: &Value) -> Vec<u64> {
    form["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_u64().unwrap())
        .collect()
}

/// The answer form callbacks Discord refused with 400.
fn refused_forms(w: &World) -> usize {
    w.fake
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/callback") && c.status == 400)
        .count()
}

#[tokio::test]
async fn every_answer_form_shows_its_question_and_a_label_shaped_submit_is_scored() {
    let (w, done) = answer_every_path(false).await;
    assert_eq!(done.len(), 4);
    for a in &done {
        assert_eq!(form_component_types(&a.form), [10, 18], "{}", a.path);
        let shown = a.form["components"][0]["content"].as_str().unwrap();
        let prompt = prompt_start(a);
        assert!(
            shown.contains(&prompt),
            "{}: the form shows {shown:?}, not the question {prompt:?}",
            a.path
        );
        // Discord sends the form back in its own shape: the answer inside the Label.
        assert_eq!(a.submit["components"][1]["type"], 18, "{}", a.path);
        assert_eq!(
            a.submit["components"][1]["component"]["value"], GOOD_CLUSTER_ANSWER,
            "{}",
            a.path
        );
        assert_scored(a);
    }
    assert_eq!(refused_forms(&w), 0);
    // Each answer was stored with the text typed into the Label.
    let pool = sqlx::SqlitePool::connect(&w.db_url()).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT answer FROM attempts ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(stored.len(), 4, "{stored:?}");
    assert!(
        stored.iter().all(|a| a == GOOD_CLUSTER_ANSWER),
        "{stored:?}"
    );
}

#[tokio::test]
async fn where_discord_refuses_the_new_form_the_classic_one_is_sent_and_remembered() {
    let (w, done) = answer_every_path(true).await;
    assert_eq!(done.len(), 4);
    for a in &done {
        assert_eq!(form_component_types(&a.form), [1], "{}", a.path);
        assert_eq!(a.submit["components"][0]["type"], 1, "{}", a.path);
        assert_scored(a);
    }
    // The first click met the refusal; the bot remembered it for the other three.
    assert_eq!(refused_forms(&w), 1);
}

/// A submit holding no answer input (a forged or foreign form) gets a polite reply and stores
/// nothing; before, it was scored and stored as an empty answer.
#[tokio::test]
async fn a_form_without_an_answer_input_is_refused_and_stores_nothing() {
    let w = World::new(1).await;
    // Classic forms: the loopback Discord then sends back the inputs this test names, as a
    // forged submit would, instead of mirroring the form's own.
    w.fake.refuse_new_modal_components();
    let bot = w.start_bot().await;
    let question = question_message(&w, M0, "node-libuv-thread-pool").await;
    let button = custom_ids(&question)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .unwrap();
    let form = w
        .fake
        .click(M0, &question, &button)
        .await
        .modal(&w.fake, WAIT)
        .await
        .expect("a form");
    let reply = w
        .fake
        .submit_modal(
            M0,
            CHANNEL,
            form["custom_id"].as_str().unwrap(),
            &[("not-the-answer", GOOD_CLUSTER_ANSWER)],
        )
        .await
        .reply(&w.fake, WAIT)
        .await
        .expect("a reply");
    assert!(
        text_of(&reply).contains("came back without an answer"),
        "{reply}"
    );
    bot.stop().await;
    let pool = sqlx::SqlitePool::connect(&w.db_url()).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(stored, 0);
    w.assert_clean();
}
