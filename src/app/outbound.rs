//! The outbound Discord port: what the timed steps (rounds, drops) send to channels, as plain
//! data. `bot::outbound::SerenityOutbound` sends it through serenity (with a nonce and
//! `enforce_nonce`, retried); [`RecordingOutbound`] keeps it for tests.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

/// A boxed future, so the port can be used as `dyn Outbound`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The colour of every embed.
pub const COLOR: u32 = 0x5865F2;

/// One embed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Embed {
    pub title: String,
    pub description: String,
    /// (name, value, inline)
    pub fields: Vec<(String, String, bool)>,
    pub footer: Option<String>,
}

impl Embed {
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> Embed {
        Embed {
            title: title.into(),
            description: description.into(),
            ..Embed::default()
        }
    }

    pub fn field(mut self, name: &str, value: impl Into<String>, inline: bool) -> Embed {
        self.fields.push((name.to_string(), value.into(), inline));
        self
    }

    pub fn footer(mut self, text: impl Into<String>) -> Embed {
        self.footer = Some(text.into());
        self
    }

    /// The value of the field named `name`, if any.
    pub fn field_value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.as_str())
    }
}

/// A button on a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub custom_id: String,
    pub label: String,
    /// Primary (blue) or secondary (grey).
    pub primary: bool,
}

/// A message to post or an edit. Mentions are always disabled, except the one role a drop may
/// ping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    pub content: Option<String>,
    pub embed: Option<Embed>,
    pub buttons: Vec<Button>,
    pub ping_role: Option<u64>,
}

impl Outgoing {
    pub fn text(content: impl Into<String>) -> Outgoing {
        Outgoing {
            content: Some(content.into()),
            ..Outgoing::default()
        }
    }

    pub fn embed(embed: Embed) -> Outgoing {
        Outgoing {
            embed: Some(embed),
            ..Outgoing::default()
        }
    }

    pub fn button(mut self, custom_id: String, label: &str) -> Outgoing {
        self.buttons.push(Button {
            custom_id,
            label: label.to_string(),
            primary: true,
        });
        self
    }
}

/// Why a call to Discord failed (after its retries).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutboundError {
    #[error(
        "missing permission to post in the channel (needs View Channel, Send Messages, Embed Links)"
    )]
    MissingPermission,
    #[error("the channel no longer exists")]
    UnknownChannel,
    #[error("the channel or message id is not a Discord id")]
    BadId,
    #[error("posting failed: {0}")]
    Failed(String),
}

/// Posting to Discord channels.
pub trait Outbound: Send + Sync {
    /// Post `message` to `channel` once, whatever retries happen: `nonce` names the step, and
    /// a second post with the same nonce returns the first message's id. Returns the message id.
    fn post<'a>(
        &'a self,
        channel: i64,
        message: Outgoing,
        nonce: &'a str,
    ) -> BoxFuture<'a, Result<i64, OutboundError>>;

    /// Replace a posted message's content, embed and buttons.
    fn edit<'a>(
        &'a self,
        channel: i64,
        message_id: i64,
        message: Outgoing,
    ) -> BoxFuture<'a, Result<(), OutboundError>>;

    /// Open a thread on a posted message.
    fn create_thread<'a>(
        &'a self,
        channel: i64,
        message_id: i64,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), OutboundError>>;
}

/// What a [`RecordingOutbound`] was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Post {
        channel: i64,
        message_id: i64,
        nonce: String,
        message: Outgoing,
    },
    Edit {
        channel: i64,
        message_id: i64,
        message: Outgoing,
    },
    Thread {
        channel: i64,
        message_id: i64,
        name: String,
    },
}

#[derive(Debug, Default)]
struct Recorded {
    sent: Vec<Sent>,
    next_id: i64,
    /// Channels whose posts fail, and how.
    refused: Vec<(i64, OutboundError)>,
    /// Channels whose posts take this long (a slow or rate-limited channel).
    slow: Vec<(i64, std::time::Duration)>,
    /// When each post was recorded: (channel, nonce, at).
    times: Vec<(i64, String, std::time::Instant)>,
}

/// A port that records instead of sending (tests). Like Discord with `enforce_nonce`, a post
/// whose nonce was seen in the same channel returns the first message and records nothing.
/// A channel can be slowed ([`RecordingOutbound::slow`]) or held until released
/// ([`RecordingOutbound::hold`]), to see what a slow step does to the others.
#[derive(Debug)]
pub struct RecordingOutbound {
    inner: Mutex<Recorded>,
    /// Channels whose posts wait until released.
    held: tokio::sync::watch::Sender<Vec<i64>>,
    /// Posts waiting in a held channel now.
    waiting: std::sync::atomic::AtomicUsize,
}

impl Default for RecordingOutbound {
    fn default() -> RecordingOutbound {
        RecordingOutbound {
            inner: Mutex::default(),
            held: tokio::sync::watch::Sender::new(Vec::new()),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

impl RecordingOutbound {
    pub fn new() -> RecordingOutbound {
        RecordingOutbound::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Everything sent so far, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    /// The posts so far: (channel, nonce, message).
    pub fn posts(&self) -> Vec<(i64, String, Outgoing)> {
        self.lock()
            .sent
            .iter()
            .filter_map(|s| match s {
                Sent::Post {
                    channel,
                    nonce,
                    message,
                    ..
                } => Some((*channel, nonce.clone(), message.clone())),
                _ => None,
            })
            .collect()
    }

    /// Posts to `channel` fail with `why` until [`RecordingOutbound::allow`].
    pub fn refuse(&self, channel: i64, why: OutboundError) {
        self.lock().refused.push((channel, why));
    }

    pub fn allow(&self, channel: i64) {
        self.lock().refused.retain(|(c, _)| *c != channel);
    }

    /// Every post to `channel` takes `delay` (real time) before it is recorded.
    pub fn slow(&self, channel: i64, delay: std::time::Duration) {
        self.lock().slow.push((channel, delay));
    }

    /// Posts to `channel` wait until [`RecordingOutbound::release`].
    pub fn hold(&self, channel: i64) {
        self.held.send_modify(|h| h.push(channel));
    }

    pub fn release(&self, channel: i64) {
        self.held.send_modify(|h| h.retain(|c| *c != channel));
    }

    /// How many posts are waiting in a held channel now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// When each post was recorded: (channel, nonce, at).
    pub fn post_times(&self) -> Vec<(i64, String, std::time::Instant)> {
        self.lock().times.clone()
    }

    fn record_post(
        &self,
        channel: i64,
        message: Outgoing,
        nonce: &str,
    ) -> Result<i64, OutboundError> {
        let mut r = self.lock();
        if let Some((_, why)) = r.refused.iter().find(|(c, _)| *c == channel) {
            return Err(why.clone());
        }
        let first = r.sent.iter().find_map(|s| match s {
            Sent::Post {
                channel: c,
                nonce: n,
                message_id,
                ..
            } if *c == channel && n == nonce => Some(*message_id),
            _ => None,
        });
        if let Some(id) = first {
            return Ok(id);
        }
        r.next_id += 1;
        let message_id = 1_000_000 + r.next_id;
        r.sent.push(Sent::Post {
            channel,
            message_id,
            nonce: nonce.to_string(),
            message,
        });
        r.times
            .push((channel, nonce.to_string(), std::time::Instant::now()));
        Ok(message_id)
    }
}

impl Outbound for RecordingOutbound {
    fn post<'a>(
        &'a self,
        channel: i64,
        message: Outgoing,
        nonce: &'a str,
    ) -> BoxFuture<'a, Result<i64, OutboundError>> {
        let slow = self
            .lock()
            .slow
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, d)| *d);
        let mut held = self.held.subscribe();
        Box::pin(async move {
            if held.borrow().contains(&channel) {
                self.waiting
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = held.wait_for(|h| !h.contains(&channel)).await;
                self.waiting
                    .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
            if let Some(delay) = slow {
                tokio::time::sleep(delay).await;
            }
            self.record_post(channel, message, nonce)
        })
    }

    fn edit<'a>(
        &'a self,
        channel: i64,
        message_id: i64,
        message: Outgoing,
    ) -> BoxFuture<'a, Result<(), OutboundError>> {
        self.lock().sent.push(Sent::Edit {
            channel,
            message_id,
            message,
        });
        Box::pin(async { Ok(()) })
    }

    fn create_thread<'a>(
        &'a self,
        channel: i64,
        message_id: i64,
        name: &'a str,
    ) -> BoxFuture<'a, Result<(), OutboundError>> {
        self.lock().sent.push(Sent::Thread {
            channel,
            message_id,
            name: name.to_string(),
        });
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_repeated_nonce_returns_the_first_message() {
        let out = RecordingOutbound::new();
        let a = out.post(1, Outgoing::text("hi"), "d1").await;
        let b = out.post(1, Outgoing::text("hi"), "d1").await;
        let c = out.post(1, Outgoing::text("hi"), "d2").await;
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(out.posts().len(), 2);
        out.refuse(1, OutboundError::MissingPermission);
        assert_eq!(
            out.post(1, Outgoing::text("x"), "d3").await,
            Err(OutboundError::MissingPermission)
        );
    }
}
