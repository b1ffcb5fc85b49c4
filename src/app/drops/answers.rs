//! Whether a drop takes answers: its server's, posted, and not yet closed.

use chrono::{DateTime, Utc};

use crate::store::{DropRow, DropState};

/// Why a drop's Answer click or answer is refused.
#[derive(Debug, thiserror::Error)]
pub enum DropRefusal {
    /// The drop belongs to another server's schedule.
    #[error("That button belongs to another server or channel.")]
    NotHere,
    /// Not posted, or past its close (its reveal shows the answers).
    #[error("This daily question has closed; the reveal shows the answers.")]
    Closed,
    #[error("This daily question is not ready.")]
    NotReady,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A drop that is open for answers: the row, and its question's stored row.
#[derive(Debug, Clone)]
pub struct OpenDrop {
    pub drop: DropRow,
    pub question_row: i64,
}

/// The drop `drop_id` of server `guild`, if its schedule is the server's and it takes answers
/// at `now` (posted, before its close). Asked at the Answer click, so nobody types for nothing,
/// and again when the answer arrives.
pub async fn open_for_answers(
    store: &crate::store::Store,
    guild: i64,
    drop_id: i64,
    now: DateTime<Utc>,
) -> Result<OpenDrop, DropRefusal> {
    let drop = store.drop_by_id(drop_id).await?;
    match store.schedule_by_id(drop.schedule_id).await? {
        Some(s) if s.guild_id == guild => {}
        _ => return Err(DropRefusal::NotHere),
    }
    if drop.state != DropState::Posted
        || drop.closes_ms.is_some_and(|c| now.timestamp_millis() >= c)
    {
        return Err(DropRefusal::Closed);
    }
    let question_row = drop.question_id.ok_or(DropRefusal::NotReady)?;
    Ok(OpenDrop { drop, question_row })
}
