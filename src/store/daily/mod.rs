//! Daily drops: schedules (`schedules.rs`), and drops keyed by (schedule, local date) so that each
//! is posted at most once, whatever restarts or second processes do (`drops.rs`).

mod drops;
mod schedules;

pub use drops::{DropAnswer, DropRow};
pub use schedules::{NewSchedule, ScheduleRow};
