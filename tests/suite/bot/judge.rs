//! The optional AI judge in Discord (#29): an admin turns it on with one command; the answer
//! form says the answer goes to an outside model; the built-in score is the reply at once and
//! the model's verdict follows privately; and with no judge configured nothing can be turned on.

use std::sync::Arc;
use std::time::Duration;

use interview_bot::app::SystemClock;
use interview_bot::app::judge::JudgeLimits;
use interview_bot::config::JudgeConfig;
use serde_json::{Value, json};

use super::{
    ADMIN, CHANNEL, GOOD_CLUSTER_ANSWER, M0, WAIT, World, custom_ids, question_message,
    test_timings, text_of,
};
use crate::support::model_server::{ModelServer, Reply};

fn judge_mode(mode: u64) -> Value {
    json!([{ "name": "judge", "type": 1, "options": [{ "name": "mode", "type": 4, "value": mode }] }])
}

/// The form M0 gets from the Answer button of a posted question.
async fn answer_form(w: &World) -> Value {
    let message = question_message(w, M0, "node-cluster-module-scaling").await;
    let button = custom_ids(&message)
        .into_iter()
        .find(|c| c.starts_with("q:answer:"))
        .expect("an Answer button");
    w.fake
        .click(M0, &message, &button)
        .await
        .modal(&w.fake, WAIT)
        .await
        .expect("a form")
}

#[tokio::test]
async fn an_admin_turns_on_a_second_opinion_and_members_get_the_models_verdict_after_their_score() {
    let model = ModelServer::start(Reply::Content(
        json!({ "score": 20, "covered": ["C1"], "missed": [], "contradicted": [],
                "misconceptions": [], "advice": "Mention the shared port @everyone" })
        .to_string(),
    ))
    .await;
    let w = World::new(1).await;
    let judge = JudgeConfig {
        url: model.base_url(),
        model: "test-model".into(),
        api_key: None,
        limits: JudgeLimits {
            timeout: Duration::from_secs(10),
            ..JudgeLimits::default()
        },
    };
    let bot = w
        .start_bot_judged(test_timings(), Arc::new(SystemClock), Some(judge))
        .await;
    let status = w
        .command(
            ADMIN,
            "server",
            json!([{ "name": "judge", "type": 1, "options": [] }]),
        )
        .await;
    assert!(
        text_of(&status).contains("The AI judge is off here"),
        "{status}"
    );
    let on = w.command(ADMIN, "server", judge_mode(1)).await;
    assert!(
        text_of(&on).contains("Second opinion") && text_of(&on).contains("test-model"),
        "{on}"
    );

    let form = answer_form(&w).await;
    let shown = form["components"][0]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(shown.contains("outside AI model (test-model)"), "{form}");
    let id = form["custom_id"].as_str().unwrap().to_string();
    let submitted = w
        .fake
        .submit_modal(M0, CHANNEL, &id, &[("answer", GOOD_CLUSTER_ANSWER)])
        .await;
    let reply = submitted
        .reply(&w.fake, WAIT)
        .await
        .expect("the built-in reply");
    let title = reply["data"]["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default();
    assert!(title.starts_with("Score: "), "{reply}");
    let followup = submitted
        .wait_followup(&w.fake, WAIT)
        .await
        .expect("the model's verdict as a follow-up");
    assert_eq!(followup["flags"], 64, "private: {followup}");
    let embed = &followup["embeds"][0];
    assert_eq!(
        embed["title"], "AI judge (test-model): 20/100",
        "{followup}"
    );
    let text = embed["description"].as_str().unwrap_or_default();
    assert!(
        text.contains("**Covered:**") && text.contains("Advice"),
        "{text}"
    );
    assert!(
        !text.contains("@everyone") && followup["allowed_mentions"]["parse"] == json!([]),
        "{followup}"
    );
    assert!(
        embed["footer"]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("built-in score of"),
        "{followup}"
    );
    // Moderators see both scores, and an answer the two judges disagree on is listed.
    let review = w
        .command(
            ADMIN,
            "score",
            json!([{ "name": "review", "type": 1, "options": [] }]),
        )
        .await;
    let listed = text_of(&review);
    assert!(
        listed.contains("the two judges disagree") && listed.contains("AI test-model 20"),
        "{review}"
    );
    assert!(listed.contains("counts (built-in) · built-in "), "{review}");
    let sent = model.requests();
    assert_eq!(sent.len(), 1);
    let prompt = sent[0]["messages"][1]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(prompt.contains(GOOD_CLUSTER_ANSWER), "{prompt}");
    w.assert_clean();
    bot.stop().await;
}

#[tokio::test]
async fn without_a_configured_judge_it_cannot_be_turned_on_and_forms_say_nothing() {
    let w = World::new(1).await;
    let bot = w.start_bot().await;
    let refused = w.command(ADMIN, "server", judge_mode(2)).await;
    assert!(
        text_of(&refused).contains("no AI judge configured"),
        "{refused}"
    );
    let form = answer_form(&w).await;
    assert!(!form.to_string().contains("outside AI model"), "{form}");
    w.assert_clean();
    bot.stop().await;
}
