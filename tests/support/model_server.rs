//! A loopback OpenAI-compatible server for the AI judge's tests: `POST /v1/chat/completions`
//! answered from a script (a reply per request, then a default), every request body kept.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// How one request is answered.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with a chat completion whose message content is this text.
    Content(String),
    /// This reply, after a pause.
    After(Duration, Box<Reply>),
    /// A status with these headers and body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// Never answers (the request is held until the client gives up).
    Hang,
}

impl Reply {
    /// A valid verdict with this score.
    pub fn score(score: u8) -> Reply {
        Reply::Content(
            json!({ "score": score, "covered": [], "missed": [], "contradicted": [],
                    "misconceptions": [], "advice": "Name the phase where callbacks run." })
            .to_string(),
        )
    }
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    default: Option<Reply>,
    requests: Vec<Value>,
    authorization: Vec<Option<String>>,
}

/// The running server; stops when dropped.
pub struct ModelServer {
    addr: SocketAddr,
    script: Arc<Mutex<Script>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ModelServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ModelServer {
    /// A server answering `default` to every request not scripted with [`ModelServer::then`].
    pub async fn start(default: Reply) -> ModelServer {
        let script = Arc::new(Mutex::new(Script {
            default: Some(default),
            ..Script::default()
        }));
        let app = axum::Router::new()
            .route("/v1/chat/completions", axum::routing::post(complete))
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ModelServer { addr, script, task }
    }

    /// The base URL the bot's `judge_url` takes.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answer the next unscripted request with `reply`.
    pub fn then(&self, reply: Reply) -> &Self {
        self.script.lock().unwrap().replies.push_back(reply);
        self
    }

    pub fn set_default(&self, reply: Reply) {
        self.script.lock().unwrap().default = Some(reply);
    }

    /// The request bodies received so far.
    pub fn requests(&self) -> Vec<Value> {
        self.script.lock().unwrap().requests.clone()
    }

    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.script.lock().unwrap().authorization.clone()
    }

    /// Wait until `n` requests arrived (up to 10 s).
    pub async fn wait_requests(&self, n: usize) -> bool {
        for _ in 0..1000 {
            if self.requests().len() >= n {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

async fn complete(
    State(script): State<Arc<Mutex<Script>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let reply = {
        let mut s = script.lock().unwrap();
        s.requests
            .push(serde_json::from_str(&body).unwrap_or(Value::String(body.clone())));
        s.authorization.push(
            headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        );
        s.replies
            .pop_front()
            .or_else(|| s.default.clone())
            .unwrap_or(Reply::Hang)
    };
    answer(reply).await
}

async fn answer(mut reply: Reply) -> Response {
    loop {
        match reply {
            Reply::After(pause, then) => {
                tokio::time::sleep(pause).await;
                reply = *then;
            }
            Reply::Hang => {
                std::future::pending::<()>().await;
            }
            Reply::Content(content) => {
                return axum::Json(json!({
                    "id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
                    "choices": [{ "index": 0, "finish_reason": "stop",
                                  "message": { "role": "assistant", "content": content } }],
                }))
                .into_response();
            }
            Reply::Status(code, headers, body) => {
                let mut response = (StatusCode::from_u16(code).unwrap(), body).into_response();
                for (name, value) in headers {
                    response.headers_mut().insert(name, value.parse().unwrap());
                }
                return response;
            }
        }
    }
}
