-- Peer mock interviews (bot/services/preparation/mock): weekly rounds members join, the pairs a
-- round's close made, the times proposed to each pair, the interviewer's rubric and each
-- member's no-show streak. Instants are epoch seconds (UTC); the close time is a weekday and a
-- minute of the day in the server's IANA zone, so it stays put across DST.

-- When a server's rounds close (moderators, /mock schedule) and where pairs get their threads.
CREATE TABLE mock_settings (
    guild_id     INTEGER PRIMARY KEY,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    close_minute INTEGER NOT NULL CHECK (close_minute BETWEEN 0 AND 1439),
    zone         TEXT    NOT NULL,
    channel_id   INTEGER NOT NULL,
    updated_by   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- One row per week: the open round (closed_at NULL, one per server) and the closed ones. The
-- outbox row of kind mock_close names the round in ref_id; seed makes its pairing repeatable.
CREATE TABLE mock_rounds (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    closed_at INTEGER,
    seed      INTEGER NOT NULL
);
CREATE INDEX mock_rounds_by_guild ON mock_rounds (guild_id, closed_at);

-- Who entered a round, as what. carried = 1: left without a partner last week, paired first.
CREATE TABLE mock_entries (
    round_id  INTEGER NOT NULL REFERENCES mock_rounds (id),
    user_id   INTEGER NOT NULL,
    role      TEXT    NOT NULL CHECK (role IN ('interviewer', 'interviewee', 'both')),
    specialty TEXT    NOT NULL,
    carried   INTEGER NOT NULL DEFAULT 0 CHECK (carried IN (0, 1)),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
CREATE INDEX mock_entries_by_user ON mock_entries (user_id);

-- A pair a round's close made. *_showed: what the partner reported after the session (NULL:
-- nothing yet). A member who deleted their data is 0 here (their partner keeps the session).
CREATE TABLE mock_pairs (
    id                 INTEGER PRIMARY KEY,
    round_id           INTEGER NOT NULL REFERENCES mock_rounds (id),
    guild_id           INTEGER NOT NULL,
    interviewer_id     INTEGER NOT NULL,
    interviewee_id     INTEGER NOT NULL,
    specialty          TEXT    NOT NULL,
    thread_id          INTEGER,
    interviewer_showed INTEGER CHECK (interviewer_showed IN (0, 1)),
    interviewee_showed INTEGER CHECK (interviewee_showed IN (0, 1)),
    created_at         INTEGER NOT NULL
);
CREATE INDEX mock_pairs_by_interviewer ON mock_pairs (guild_id, interviewer_id);
CREATE INDEX mock_pairs_by_interviewee ON mock_pairs (guild_id, interviewee_id);

-- The three times proposed to a pair (both members' waking hours).
CREATE TABLE mock_pair_times (
    pair_id INTEGER NOT NULL REFERENCES mock_pairs (id),
    at      INTEGER NOT NULL,
    PRIMARY KEY (pair_id, at)
);

-- The interviewer's rubric (1-4 each) and comment; only the interviewee is sent it.
CREATE TABLE mock_feedback (
    pair_id       INTEGER PRIMARY KEY REFERENCES mock_pairs (id),
    structure     INTEGER NOT NULL CHECK (structure BETWEEN 1 AND 4),
    specificity   INTEGER NOT NULL CHECK (specificity BETWEEN 1 AND 4),
    img_answers   INTEGER NOT NULL CHECK (img_answers BETWEEN 1 AND 4),
    communication INTEGER NOT NULL CHECK (communication BETWEEN 1 AND 4),
    comment       TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

-- Consecutive sessions a member missed (reset when they show up); two in a row make them sit
-- out one round (sit_out_round), then the streak starts again.
CREATE TABLE mock_members (
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    no_show_streak INTEGER NOT NULL DEFAULT 0,
    sit_out_round  INTEGER,
    PRIMARY KEY (guild_id, user_id)
);
