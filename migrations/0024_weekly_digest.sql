-- The weekly digest, opt-in per server: where it goes and when the timer next needs it
-- (indexed, so a wake reads only due servers), and one row per (server, week) claimed before
-- posting, so a week's digest is posted once across restarts and processes; a claim is a lease
-- that a later wake takes over when its claimer died.
CREATE TABLE digest_settings (
    guild_id    INTEGER PRIMARY KEY REFERENCES servers (guild_id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,
    -- Weeks whose digest fell due before the server opted in are not posted.
    enabled_ms  INTEGER NOT NULL,
    next_due_ms INTEGER NOT NULL,
    enabled_by  INTEGER NOT NULL
);
CREATE INDEX digest_settings_due ON digest_settings (next_due_ms);

CREATE TABLE digests (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL REFERENCES servers (guild_id) ON DELETE CASCADE,
    -- The Monday of the week summarised, in the server's calendar.
    week           TEXT    NOT NULL,
    channel_id     INTEGER NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('claimed', 'posted', 'skipped', 'failed')),
    due_ms         INTEGER NOT NULL,
    lease_until_ms INTEGER,
    message_id     INTEGER,
    posted_ms      INTEGER,
    note           TEXT,
    UNIQUE (guild_id, week)
);
CREATE INDEX digests_leased ON digests (lease_until_ms) WHERE lease_until_ms IS NOT NULL;
