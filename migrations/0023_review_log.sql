-- One row per scored attempt the spaced-repetition schedule learned from, written in the same
-- transaction as the attempt and the memory it changed. `/review status` reads its recall rate
-- here: of the answers given to a question that was due (previous_due_ms <= at_ms), the share
-- that passed.

CREATE TABLE review_log (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    bank            TEXT    NOT NULL,
    question        TEXT    NOT NULL,
    at_ms           INTEGER NOT NULL,
    score           INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    grade           TEXT    NOT NULL CHECK (grade IN ('again', 'hard', 'good', 'easy')),
    -- When the question was due before this answer; NULL for a first answer.
    previous_due_ms INTEGER,
    due_ms          INTEGER NOT NULL
);
CREATE INDEX review_log_member ON review_log (guild_id, user_id, at_ms);
