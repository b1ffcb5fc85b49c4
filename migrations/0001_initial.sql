-- Interview Bot schema. Times are UTC instants in integer milliseconds since the Unix epoch
-- (exact ordering and cheap range scans); local calendar dates are 'YYYY-MM-DD' text in the
-- server's timezone at the moment of the event.

CREATE TABLE servers (
    guild_id    INTEGER PRIMARY KEY,
    timezone    TEXT    NOT NULL DEFAULT 'UTC',
    settings    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
    created_ms  INTEGER NOT NULL
);

CREATE TABLE members (
    guild_id     INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    display_name TEXT    NOT NULL,
    updated_ms   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_ms  INTEGER NOT NULL,
    UNIQUE (guild_id, name COLLATE NOCASE)
);

-- A member belongs to at most one team per server.
CREATE TABLE team_members (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    team_id    INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    joined_ms  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX team_members_by_team ON team_members (team_id);

-- A bank version: the shipped bank has guild_id NULL; imported banks belong to one server.
-- content_hash identifies the exact text, so old attempts keep pointing at what was answered.
CREATE TABLE banks (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER REFERENCES servers (guild_id) ON DELETE CASCADE,
    slug         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    imported_by  INTEGER,
    imported_ms  INTEGER NOT NULL
);
CREATE UNIQUE INDEX banks_version ON banks (ifnull(guild_id, 0), slug, content_hash);

CREATE TABLE questions (
    id         INTEGER PRIMARY KEY,
    bank_id    INTEGER NOT NULL REFERENCES banks (id) ON DELETE RESTRICT,
    slug       TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    difficulty TEXT    NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    prompt     TEXT    NOT NULL,
    reference  TEXT    NOT NULL,
    UNIQUE (bank_id, slug)
);

CREATE TABLE attempts (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    channel_id   INTEGER,
    user_id      INTEGER NOT NULL,
    question_id  INTEGER NOT NULL REFERENCES questions (id) ON DELETE RESTRICT,
    -- Copied from the question so boards filter by topic without a join.
    topic        TEXT    NOT NULL,
    context      TEXT    NOT NULL CHECK (context IN ('practice', 'question', 'daily', 'mock', 'review')),
    -- The round or drop the attempt belongs to, when there is one.
    context_ref  INTEGER,
    answer       TEXT    NOT NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    covered      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(covered)),
    missed       TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(missed)),
    hints_used   INTEGER NOT NULL DEFAULT 0 CHECK (hints_used >= 0),
    submitted_ms INTEGER NOT NULL,
    local_date   TEXT    NOT NULL
);
-- Boards: one server, a time window, counted contexts; covering so the scan never touches rows.
CREATE INDEX attempts_board ON attempts (guild_id, submitted_ms, user_id, question_id, score, context, topic);
-- Personal stats and streaks.
CREATE INDEX attempts_member ON attempts (guild_id, user_id, submitted_ms);
-- One answer per member per question of a round or drop.
CREATE UNIQUE INDEX attempts_once_per_round
    ON attempts (context, context_ref, question_id, user_id)
    WHERE context IN ('mock', 'daily') AND context_ref IS NOT NULL;

-- Moderators' corrections: the attempt's score changes and this row says who, when, why, old → new.
CREATE TABLE score_overrides (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    moderator   INTEGER NOT NULL,
    old_score   INTEGER NOT NULL,
    new_score   INTEGER NOT NULL CHECK (new_score BETWEEN 0 AND 100),
    reason      TEXT    NOT NULL CHECK (length(trim(reason)) > 0),
    created_ms  INTEGER NOT NULL
);
CREATE INDEX score_overrides_by_attempt ON score_overrides (attempt_id);

-- Mock rounds (filled by the Discord bot's rounds).
CREATE TABLE rounds (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    channel_id        INTEGER NOT NULL,
    started_by        INTEGER NOT NULL,
    mode              TEXT    NOT NULL CHECK (mode IN ('solo', 'group', 'teams')),
    state             TEXT    NOT NULL CHECK (state IN ('lobby', 'question', 'reveal', 'finished', 'stopped')),
    seconds_per_q     INTEGER NOT NULL CHECK (seconds_per_q > 0),
    current_index     INTEGER NOT NULL DEFAULT 0,
    -- When the current phase (lobby or question) ends; NULL when nothing is pending.
    deadline_ms       INTEGER,
    message_id        INTEGER,
    created_ms        INTEGER NOT NULL,
    finished_ms       INTEGER
);
-- One active round per channel.
CREATE UNIQUE INDEX rounds_one_active_per_channel ON rounds (channel_id)
    WHERE state IN ('lobby', 'question', 'reveal');
CREATE INDEX rounds_pending ON rounds (deadline_ms) WHERE deadline_ms IS NOT NULL;

CREATE TABLE round_questions (
    round_id     INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    question_id  INTEGER NOT NULL REFERENCES questions (id),
    opened_ms    INTEGER,
    deadline_ms  INTEGER,
    PRIMARY KEY (round_id, position)
) WITHOUT ROWID;

CREATE TABLE round_participants (
    round_id   INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    team_name  TEXT,
    joined_ms  INTEGER NOT NULL,
    PRIMARY KEY (round_id, user_id)
) WITHOUT ROWID;

-- Daily drops (filled by the daily-drop scheduler).
CREATE TABLE schedules (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    channel_id    INTEGER NOT NULL,
    local_time    TEXT    NOT NULL,            -- 'HH:MM'
    timezone      TEXT    NOT NULL,
    weekdays      INTEGER NOT NULL DEFAULT 127 CHECK (weekdays BETWEEN 1 AND 127),  -- bit 0 = Monday
    bank_id       INTEGER REFERENCES banks (id),
    topic         TEXT,
    difficulty    TEXT,
    window_hours  INTEGER NOT NULL DEFAULT 24 CHECK (window_hours BETWEEN 1 AND 168),
    ping_role_id  INTEGER,
    thread        INTEGER NOT NULL DEFAULT 0 CHECK (thread IN (0, 1)),
    paused        INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    failing       TEXT,                        -- why posting fails, shown to admins
    shuffle_order TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(shuffle_order)),
    shuffle_pos   INTEGER NOT NULL DEFAULT 0,
    created_by    INTEGER NOT NULL,
    created_ms    INTEGER NOT NULL
);

CREATE TABLE drops (
    id           INTEGER PRIMARY KEY,
    schedule_id  INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    local_date   TEXT    NOT NULL,
    question_id  INTEGER REFERENCES questions (id),
    state        TEXT    NOT NULL CHECK (state IN ('claimed', 'posted', 'revealed', 'skipped', 'failed')),
    due_ms       INTEGER NOT NULL,
    posted_ms    INTEGER,
    closes_ms    INTEGER,
    message_id   INTEGER,
    note         TEXT,
    UNIQUE (schedule_id, local_date)
);
CREATE INDEX drops_open ON drops (closes_ms) WHERE state = 'posted';
