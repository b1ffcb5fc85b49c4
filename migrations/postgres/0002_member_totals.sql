-- Each member's all-time standing, kept by triggers so a member's rank no longer groups all of a
-- server's attempts: the same tables and rule as SQLite's 0026_member_totals.sql (see there).

CREATE TABLE member_best (
    guild_id    BIGINT NOT NULL,
    user_id     BIGINT NOT NULL,
    question_id BIGINT NOT NULL,
    best        BIGINT NOT NULL,
    attempts    BIGINT NOT NULL,
    first_ms    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id, question_id)
);

CREATE TABLE member_totals (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    points     BIGINT NOT NULL,
    questions  BIGINT NOT NULL,
    attempts   BIGINT NOT NULL,
    reached_ms BIGINT NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX member_totals_rank ON member_totals (guild_id, points DESC, attempts, reached_ms, user_id);

-- Recompute one (member, question) from its attempts, then the member's line from their
-- questions. Not every writer holds the store's write lock (a plain insert does not), so two
-- transactions refreshing one member wait for each other here: each statement after the lock
-- sees what the other committed, and neither re-inserts a line the other just wrote.
CREATE FUNCTION refresh_member_best(g BIGINT, u BIGINT, q BIGINT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('member_totals:' || g || ':' || u, 0));
    DELETE FROM member_best WHERE guild_id = g AND user_id = u AND question_id = q;
    INSERT INTO member_best (guild_id, user_id, question_id, best, attempts, first_ms)
    SELECT g, u, q, MAX(CASE WHEN copied = 1 THEN 0 ELSE score END), COUNT(*), MIN(submitted_ms)
      FROM attempts
     WHERE guild_id = g AND user_id = u AND question_id = q
       AND context IN ('daily', 'mock') AND seen_ms IS NULL
    HAVING COUNT(*) > 0;
    DELETE FROM member_totals WHERE guild_id = g AND user_id = u;
    INSERT INTO member_totals (guild_id, user_id, points, questions, attempts, reached_ms)
    SELECT g, u, SUM(best), COUNT(*), SUM(attempts), MAX(first_ms)
      FROM member_best WHERE guild_id = g AND user_id = u
    HAVING COUNT(*) > 0;
END $$;

CREATE FUNCTION attempts_refresh_best() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.context IN ('daily', 'mock') THEN
            PERFORM refresh_member_best(OLD.guild_id, OLD.user_id, OLD.question_id);
        END IF;
        RETURN OLD;
    END IF;
    -- Attempts never change server, member or question: NEW's key is the one to refresh.
    IF NEW.context IN ('daily', 'mock') OR (TG_OP = 'UPDATE' AND OLD.context IN ('daily', 'mock')) THEN
        PERFORM refresh_member_best(NEW.guild_id, NEW.user_id, NEW.question_id);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER attempts_refresh_best
AFTER INSERT OR DELETE OR UPDATE OF score, copied, seen_ms, context ON attempts
FOR EACH ROW EXECUTE FUNCTION attempts_refresh_best();

INSERT INTO member_best (guild_id, user_id, question_id, best, attempts, first_ms)
SELECT guild_id, user_id, question_id, MAX(CASE WHEN copied = 1 THEN 0 ELSE score END), COUNT(*), MIN(submitted_ms)
FROM attempts
WHERE context IN ('daily', 'mock') AND seen_ms IS NULL
GROUP BY guild_id, user_id, question_id;

INSERT INTO member_totals (guild_id, user_id, points, questions, attempts, reached_ms)
SELECT guild_id, user_id, SUM(best), COUNT(*), SUM(attempts), MAX(first_ms)
FROM member_best GROUP BY guild_id, user_id;
