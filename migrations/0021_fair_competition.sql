-- Fair competition (issue 13). Boards count only competitive answers (daily drops, mock rounds)
-- given before the member saw the question's reference, and not copied.

-- When a member saw a question's reference (Skip, a reveal, feedback with the reference): the
-- latest time per server, member and question. Competitive answers within the cooling-off
-- period after it are stored with `seen_ms` set and do not count.
CREATE TABLE seen_marks (
    guild_id    INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    seen_ms     INTEGER NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('skip', 'feedback', 'reveal')),
    PRIMARY KEY (guild_id, user_id, question_id)
) WITHOUT ROWID;

-- The seen mark an attempt was given after (NULL: answered unseen), and whether it repeats a long
-- run of the reference or of another member's answer to the same round question or drop.
ALTER TABLE attempts ADD COLUMN seen_ms INTEGER;
ALTER TABLE attempts ADD COLUMN copied INTEGER NOT NULL DEFAULT 0 CHECK (copied IN (0, 1));

-- Boards read the new columns too: rebuild the two covering indexes with them.
DROP INDEX attempts_board;
CREATE INDEX attempts_board ON attempts (guild_id, submitted_ms, user_id, question_id, score, context, topic, copied, seen_ms);
DROP INDEX attempts_best;
CREATE INDEX attempts_best ON attempts (guild_id, user_id, question_id, score, submitted_ms, context, topic, copied, seen_ms);

-- Hints are charged per member and question, whatever message they were taken on, until the
-- member's next answer to that question (which pays for them).
CREATE TABLE hint_charges (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    used        INTEGER NOT NULL CHECK (used BETWEEN 1 AND 3),
    PRIMARY KEY (guild_id, user_id, question_id)
) WITHOUT ROWID;
INSERT INTO hint_charges (guild_id, user_id, question_id, used)
    SELECT guild_id, user_id, question_id, MAX(used) FROM hint_uses GROUP BY guild_id, user_id, question_id;

-- A member asks moderators to look at one of their answers; an override resolves it.
CREATE TABLE appeals (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    reason      TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    created_ms  INTEGER NOT NULL,
    resolved_ms INTEGER,
    override_id INTEGER REFERENCES score_overrides (id)
);
-- One open appeal per attempt.
CREATE UNIQUE INDEX appeals_open ON appeals (attempt_id) WHERE resolved_ms IS NULL;
CREATE INDEX attempts_copied ON attempts (guild_id) WHERE copied = 1;
