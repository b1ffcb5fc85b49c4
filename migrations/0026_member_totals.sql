-- Each member's all-time standing, kept by triggers so a member's rank no longer groups all of a
-- server's attempts (db bench: the all-time rank was 6-8 ms of a member's stats at ~10,000
-- attempts a server). What counts is the board's rule (store/boards.rs, ranked_cte!): daily and
-- mock answers not given after seeing the reference, a copied one as 0, the best per question.
-- Derived from attempts only: every write to attempts, whoever makes it, refreshes the rows it
-- touches, so the tables cannot drift from the attempts they summarise.

-- The best counted attempt per member and question.
CREATE TABLE member_best (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    question_id INTEGER NOT NULL,
    best        INTEGER NOT NULL,
    attempts    INTEGER NOT NULL,
    first_ms    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, question_id)
);

-- The all-time board's line of each member with a counted answer.
CREATE TABLE member_totals (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    points     INTEGER NOT NULL,
    questions  INTEGER NOT NULL,
    attempts   INTEGER NOT NULL,
    -- When the member first answered the last of their questions: the board's last tie-break.
    reached_ms INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
-- The all-time board in its order.
CREATE INDEX member_totals_rank ON member_totals (guild_id, points DESC, attempts, reached_ms, user_id);

INSERT INTO member_best (guild_id, user_id, question_id, best, attempts, first_ms)
SELECT guild_id, user_id, question_id, MAX(CASE WHEN copied = 1 THEN 0 ELSE score END), COUNT(*), MIN(submitted_ms)
FROM attempts
WHERE context IN ('daily', 'mock') AND seen_ms IS NULL
GROUP BY guild_id, user_id, question_id;

INSERT INTO member_totals (guild_id, user_id, points, questions, attempts, reached_ms)
SELECT guild_id, user_id, SUM(best), COUNT(*), SUM(attempts), MAX(first_ms)
FROM member_best GROUP BY guild_id, user_id;

-- A refresh recomputes one (member, question) from its attempts (a handful of rows, found by
-- attempts_best) and then the member's line from their questions. SQLite has no procedures, so
-- each refresh is written once, as the INSTEAD OF INSERT trigger of a view that holds no rows:
-- "INSERT INTO refresh_member_best VALUES (…)" calls it.
CREATE VIEW refresh_member_best (guild_id, user_id, question_id) AS
    SELECT guild_id, user_id, question_id FROM member_best WHERE 0;
CREATE VIEW refresh_member_totals (guild_id, user_id) AS
    SELECT guild_id, user_id FROM member_totals WHERE 0;

CREATE TRIGGER refresh_member_best INSTEAD OF INSERT ON refresh_member_best
BEGIN
    DELETE FROM member_best
     WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND question_id = NEW.question_id;
    INSERT INTO member_best (guild_id, user_id, question_id, best, attempts, first_ms)
    SELECT NEW.guild_id, NEW.user_id, NEW.question_id,
           MAX(CASE WHEN copied = 1 THEN 0 ELSE score END), COUNT(*), MIN(submitted_ms)
      FROM attempts
     WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id AND question_id = NEW.question_id
       AND context IN ('daily', 'mock') AND seen_ms IS NULL
    HAVING COUNT(*) > 0;
    INSERT INTO refresh_member_totals VALUES (NEW.guild_id, NEW.user_id);
END;

CREATE TRIGGER refresh_member_totals INSTEAD OF INSERT ON refresh_member_totals
BEGIN
    DELETE FROM member_totals WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id;
    INSERT INTO member_totals (guild_id, user_id, points, questions, attempts, reached_ms)
    SELECT NEW.guild_id, NEW.user_id, SUM(best), COUNT(*), SUM(attempts), MAX(first_ms)
      FROM member_best WHERE guild_id = NEW.guild_id AND user_id = NEW.user_id
    HAVING COUNT(*) > 0;
END;

-- Attempts never change server, member or question (nothing updates those columns), so an
-- update refreshes NEW's key.
CREATE TRIGGER attempts_refresh_best_insert AFTER INSERT ON attempts
WHEN NEW.context IN ('daily', 'mock')
BEGIN
    INSERT INTO refresh_member_best VALUES (NEW.guild_id, NEW.user_id, NEW.question_id);
END;

CREATE TRIGGER attempts_refresh_best_update AFTER UPDATE OF score, copied, seen_ms, context ON attempts
WHEN NEW.context IN ('daily', 'mock') OR OLD.context IN ('daily', 'mock')
BEGIN
    INSERT INTO refresh_member_best VALUES (NEW.guild_id, NEW.user_id, NEW.question_id);
END;

CREATE TRIGGER attempts_refresh_best_delete AFTER DELETE ON attempts
WHEN OLD.context IN ('daily', 'mock')
BEGIN
    INSERT INTO refresh_member_best VALUES (OLD.guild_id, OLD.user_id, OLD.question_id);
END;
