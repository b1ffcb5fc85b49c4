-- Spaced repetition (FSRS memory per server, member and question), skill per member and topic,
-- and difficulty per question. Questions are keyed by bank slug + question slug so a new bank
-- version keeps what members remember.

CREATE TABLE review_states (
    guild_id       INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL,
    bank           TEXT    NOT NULL,
    question       TEXT    NOT NULL,
    stability      REAL    NOT NULL CHECK (stability > 0),
    difficulty     REAL    NOT NULL CHECK (difficulty BETWEEN 1 AND 10),
    reps           INTEGER NOT NULL CHECK (reps >= 1),
    lapses         INTEGER NOT NULL CHECK (lapses >= 0),
    last_grade     TEXT    NOT NULL CHECK (last_grade IN ('again', 'hard', 'good', 'easy')),
    last_score     INTEGER NOT NULL CHECK (last_score BETWEEN 0 AND 100),
    last_review_ms INTEGER NOT NULL,
    due_ms         INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, bank, question)
) WITHOUT ROWID;
CREATE INDEX review_states_due ON review_states (guild_id, user_id, due_ms);

CREATE TABLE skill_ratings (
    guild_id   INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    topic      TEXT    NOT NULL,
    rating     REAL    NOT NULL,
    answers    INTEGER NOT NULL CHECK (answers >= 0),
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, topic)
) WITHOUT ROWID;

CREATE TABLE question_difficulty (
    guild_id   INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    bank       TEXT    NOT NULL,
    question   TEXT    NOT NULL,
    rating     REAL    NOT NULL,
    answers    INTEGER NOT NULL CHECK (answers >= 0),
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (guild_id, bank, question)
) WITHOUT ROWID;
