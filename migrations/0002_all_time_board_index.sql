-- All-time boards and ranks group a whole server's attempts by member and question; in this
-- order SQLite streams the groups instead of sorting them (db bench: member stats p50 6.7 ms before).
CREATE INDEX attempts_best ON attempts (guild_id, user_id, question_id, score, submitted_ms, context, topic);
