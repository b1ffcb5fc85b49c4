//! Renewing the lease of a claimed step (a round's step, a drop's post or reveal, a digest's
//! post) while its claimer is still working on it, so that a step slower than one lease is not
//! taken for dead and done a second time.

use chrono::{DateTime, Utc};

use super::on_pool;
use super::{Result, Store, ms};

/// The row whose step lease is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leased {
    Round(i64),
    Drop(i64),
    Digest(i64),
}

impl Store {
    /// Move a lease the caller holds (`held`, the value it claimed or last renewed to) to
    /// `until`. Conditional, as the claims are: nothing changes, and the answer is false, when
    /// the lease is no longer `held` (the step finished and cleared it, or another claimer took
    /// it over after it passed).
    pub async fn renew_lease(
        &self,
        of: Leased,
        held: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let (sql, id) = match of {
            Leased::Round(id) => (
                "UPDATE rounds SET lease_until_ms = $1 WHERE id = $2 AND lease_until_ms = $3",
                id,
            ),
            Leased::Drop(id) => (
                "UPDATE drops SET lease_until_ms = $1 WHERE id = $2 AND lease_until_ms = $3",
                id,
            ),
            Leased::Digest(id) => (
                "UPDATE digests SET lease_until_ms = $1 WHERE id = $2 AND lease_until_ms = $3",
                id,
            ),
        };
        on_pool!(self, pool => {
            let done = sqlx::query(sql)
                .bind(ms(until))
                .bind(id)
                .bind(ms(held))
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
