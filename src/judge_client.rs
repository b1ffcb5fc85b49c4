//! The AI judge's outbound adapter: `POST {judge_url}/v1/chat/completions` on an
//! OpenAI-compatible server (Ollama, llama.cpp, vLLM, a hosted API), over reqwest. It turns
//! HTTP outcomes into [`ModelError`]s; retries, timeouts of the whole judgement and what a reply
//! means are the app's ([`crate::app::judge`]).

use std::time::Duration;

use serde::Deserialize;

use crate::app::judge::{ChatModel, ModelError};
use crate::app::outbound::BoxFuture;
use crate::config::Secret;
use crate::domain::judging::ChatRequest;

/// The longest error body kept for the log.
const MAX_DETAIL: usize = 200;

/// An OpenAI-compatible chat completions endpoint.
pub struct OpenAiClient {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    model: String,
    api_key: Option<Secret>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JudgeUrlError {
    #[error("expected an http:// or https:// URL, like http://127.0.0.1:11434")]
    NotHttp,
    /// The HTTP client could not be set up (its TLS backend, say).
    #[error("cannot set up the AI judge's HTTP client: {0}")]
    Client(String),
}

/// The chat completions endpoint under `base`: `…/v1/chat/completions`, whether or not `base`
/// already ends in `/v1`.
pub fn endpoint(base: &str) -> Result<reqwest::Url, JudgeUrlError> {
    let base = base.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(base).map_err(|_| JudgeUrlError::NotHttp)?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(JudgeUrlError::NotHttp);
    }
    let path = if base.ends_with("/v1") {
        format!("{base}/chat/completions")
    } else {
        format!("{base}/v1/chat/completions")
    };
    let url = reqwest::Url::parse(&path).map_err(|_| JudgeUrlError::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(JudgeUrlError::NotHttp);
    }
    Ok(url)
}

impl OpenAiClient {
    /// A client of `model` at `base`; each request gives up after `timeout`.
    pub fn new(
        base: &str,
        model: &str,
        api_key: Option<Secret>,
        timeout: Duration,
    ) -> Result<OpenAiClient, JudgeUrlError> {
        let endpoint = endpoint(base)?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| JudgeUrlError::Client(e.to_string()))?;
        Ok(OpenAiClient {
            http,
            endpoint,
            model: model.to_string(),
            api_key,
        })
    }

    async fn send(&self, request: &ChatRequest) -> Result<String, ModelError> {
        let body = serde_json::to_vec(request).map_err(|e| ModelError::Transport(e.to_string()))?;
        let mut call = self
            .http
            .post(self.endpoint.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(key) = &self.api_key {
            call = call.bearer_auth(key.expose());
        }
        let response = call.send().await.map_err(transport)?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let bytes = response.bytes().await.map_err(transport)?;
        if status.as_u16() == 429 {
            return Err(ModelError::RateLimited { retry_after });
        }
        if status.is_server_error() {
            return Err(ModelError::Server(status.as_u16()));
        }
        if !status.is_success() {
            let detail: String = String::from_utf8_lossy(&bytes)
                .chars()
                .take(MAX_DETAIL)
                .collect();
            if status.as_u16() == 400 && detail.contains("response_format") {
                return Err(ModelError::FormatRefused);
            }
            return Err(ModelError::Refused {
                status: status.as_u16(),
                detail,
            });
        }
        content(&bytes)
    }
}

impl ChatModel for OpenAiClient {
    fn model(&self) -> &str {
        &self.model
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<String, ModelError>> {
        Box::pin(self.send(request))
    }
}

fn transport(e: reqwest::Error) -> ModelError {
    if e.is_timeout() {
        ModelError::Timeout
    } else {
        // The URL is left out: an operator may have put credentials in it.
        ModelError::Transport(e.without_url().to_string())
    }
}

/// `retry-after-ms` (OpenAI's) or `retry-after` in seconds.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    number("retry-after-ms")
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .or_else(|| number("retry-after").map(Duration::from_secs_f64))
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: ReplyMessage,
}

#[derive(Deserialize)]
struct ReplyMessage {
    content: Option<String>,
    refusal: Option<String>,
}

/// The first choice's message content.
fn content(body: &[u8]) -> Result<String, ModelError> {
    let completion: Completion = serde_json::from_slice(body).map_err(|e| ModelError::Refused {
        status: 200,
        detail: format!("not a chat completion: {e}"),
    })?;
    let Some(choice) = completion.choices.into_iter().next() else {
        return Err(ModelError::NoContent);
    };
    if let Some(refusal) = choice.message.refusal.filter(|r| !r.trim().is_empty()) {
        return Err(ModelError::Refused {
            status: 200,
            detail: refusal.chars().take(MAX_DETAIL).collect(),
        });
    }
    choice
        .message
        .content
        .filter(|c| !c.trim().is_empty())
        .ok_or(ModelError::NoContent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_found_under_a_base_with_or_without_v1() {
        for base in [
            "http://127.0.0.1:11434",
            "http://127.0.0.1:11434/",
            "http://127.0.0.1:11434/v1/",
        ] {
            assert_eq!(
                endpoint(base).map(|u| u.to_string()),
                Ok("http://127.0.0.1:11434/v1/chat/completions".to_string()),
                "{base}"
            );
        }
        for bad in ["127.0.0.1:11434", "ftp://host", "", "http://"] {
            assert_eq!(endpoint(bad), Err(JudgeUrlError::NotHttp), "{bad}");
        }
    }

    #[test]
    fn a_completion_gives_its_first_message_and_a_refusal_is_no_content() {
        let ok = br#"{"choices":[{"message":{"role":"assistant","content":"{\"score\":1}"}}]}"#;
        assert_eq!(content(ok), Ok("{\"score\":1}".to_string()));
        assert_eq!(content(br#"{"choices":[]}"#), Err(ModelError::NoContent));
        let refused = br#"{"choices":[{"message":{"content":null,"refusal":"I can't"}}]}"#;
        assert!(matches!(content(refused), Err(ModelError::Refused { .. })));
        assert!(matches!(
            content(b"<html>"),
            Err(ModelError::Refused { .. })
        ));
    }

    #[test]
    fn retry_after_reads_milliseconds_first_then_seconds() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", "150".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
    }
}
