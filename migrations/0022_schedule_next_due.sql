-- A timer wake reads only what is due: each schedule keeps when it next needs the timer (its
-- next posting instant, or a failed drop's retry if sooner), maintained by the store when the
-- schedule is created or resumed and when its due drop was handled; NULL: never (unreadable).
-- Existing schedules are due at once, and the first wake computes their next time.
ALTER TABLE schedules ADD COLUMN next_due_ms INTEGER DEFAULT 0;
CREATE INDEX schedules_due ON schedules (next_due_ms) WHERE paused = 0;
-- The wake's other reads, indexed so their cost follows the steps in flight, not the history:
-- leased drop steps (claimed posts and reveals), failed drops waiting for a retry, and rounds
-- between a reveal's claim and its post.
CREATE INDEX drops_leased ON drops (lease_until_ms) WHERE lease_until_ms IS NOT NULL;
CREATE INDEX drops_retry ON drops (retry_ms) WHERE state = 'failed';
CREATE INDEX rounds_revealing ON rounds (id) WHERE state = 'reveal';
