-- The optional AI judge (#29): both scores on the attempt, which one counts, the state of the
-- model's judgement, a cache of verdicts and a daily budget per server. `score` stays the
-- counting score (boards, triggers and moderation read it); `builtin_score` keeps the built-in
-- scorer's, so a primary-mode AI score can replace `score` without losing it.
ALTER TABLE attempts ADD COLUMN builtin_score INTEGER CHECK (builtin_score BETWEEN 0 AND 100);
ALTER TABLE attempts ADD COLUMN ai_score INTEGER CHECK (ai_score BETWEEN 0 AND 100);
ALTER TABLE attempts ADD COLUMN ai_model TEXT;
-- The verdict as JSON (domain::judging::Verdict).
ALTER TABLE attempts ADD COLUMN ai_verdict TEXT CHECK (ai_verdict IS NULL OR json_valid(ai_verdict));
ALTER TABLE attempts ADD COLUMN counted_by TEXT NOT NULL DEFAULT 'builtin' CHECK (counted_by IN ('builtin', 'ai'));
-- NULL: never sent. pending: sent or to be sent (resumed after a restart once its lease has
-- passed); judged; rejected (invalid reply); failed (timeout, HTTP error, budget).
ALTER TABLE attempts ADD COLUMN judge_state TEXT CHECK (judge_state IN ('pending', 'judged', 'rejected', 'failed'));
ALTER TABLE attempts ADD COLUMN judge_note TEXT;
ALTER TABLE attempts ADD COLUMN judge_lease_ms INTEGER;
-- Mode of the judgement when it was asked for: what counts is decided when the reply arrives.
ALTER TABLE attempts ADD COLUMN judge_mode TEXT CHECK (judge_mode IN ('second-opinion', 'primary'));
CREATE INDEX attempts_judge_pending ON attempts (judge_lease_ms) WHERE judge_state = 'pending';

-- A question row is one version of one bank, so (question, model, answer) is the issue's
-- (question, bank version, answer hash, model).
CREATE TABLE judge_cache (
    question_id INTEGER NOT NULL,
    model       TEXT    NOT NULL,
    answer_hash TEXT    NOT NULL,
    verdict     TEXT    NOT NULL CHECK (json_valid(verdict)),
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (question_id, model, answer_hash)
);

-- Answers sent to the model per server and server-local day.
CREATE TABLE judge_budget (
    guild_id INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    used     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day)
);
