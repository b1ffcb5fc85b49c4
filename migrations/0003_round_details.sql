-- Details the Discord rounds need beyond 0001: the round's filters and who asked for a stop,
-- and hints members took on a question (hints cost points and survive restarts).
ALTER TABLE rounds ADD COLUMN topic TEXT;
ALTER TABLE rounds ADD COLUMN difficulty TEXT;
ALTER TABLE rounds ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0 CHECK (resumed IN (0, 1));
ALTER TABLE round_questions ADD COLUMN message_id INTEGER;

CREATE TABLE hint_uses (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    -- The message the question was posted in: hints are per posting, not forever.
    message_id  INTEGER NOT NULL,
    used        INTEGER NOT NULL CHECK (used BETWEEN 1 AND 3),
    PRIMARY KEY (guild_id, user_id, question_id, message_id)
) WITHOUT ROWID;
