-- The optional AI judge (#29); as migrations/0027_ai_judge.sql, which says why.
ALTER TABLE attempts ADD COLUMN builtin_score BIGINT CHECK (builtin_score BETWEEN 0 AND 100);
ALTER TABLE attempts ADD COLUMN ai_score BIGINT CHECK (ai_score BETWEEN 0 AND 100);
ALTER TABLE attempts ADD COLUMN ai_model TEXT;
ALTER TABLE attempts ADD COLUMN ai_verdict TEXT CHECK (ai_verdict IS NULL OR ai_verdict::jsonb IS NOT NULL);
ALTER TABLE attempts ADD COLUMN counted_by TEXT NOT NULL DEFAULT 'builtin' CHECK (counted_by IN ('builtin', 'ai'));
ALTER TABLE attempts ADD COLUMN judge_state TEXT CHECK (judge_state IN ('pending', 'judged', 'rejected', 'failed'));
ALTER TABLE attempts ADD COLUMN judge_note TEXT;
ALTER TABLE attempts ADD COLUMN judge_lease_ms BIGINT;
ALTER TABLE attempts ADD COLUMN judge_mode TEXT CHECK (judge_mode IN ('second-opinion', 'primary'));
CREATE INDEX attempts_judge_pending ON attempts (judge_lease_ms) WHERE judge_state = 'pending';

CREATE TABLE judge_cache (
    question_id BIGINT NOT NULL,
    model       TEXT   NOT NULL,
    answer_hash TEXT   NOT NULL,
    verdict     TEXT   NOT NULL CHECK (verdict::jsonb IS NOT NULL),
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (question_id, model, answer_hash)
);

CREATE TABLE judge_budget (
    guild_id BIGINT NOT NULL,
    day      TEXT   NOT NULL,
    used     BIGINT NOT NULL,
    PRIMARY KEY (guild_id, day)
);
