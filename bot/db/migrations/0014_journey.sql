-- The FMG journey (bot/services/journey): the Match calendar's per-server corrections, who
-- follows it, what filters a member's timeline, exam dates and milestones. Instants are epoch
-- seconds (UTC); the shipped steps themselves live in data/match_cycle.yaml.

-- A moderator's confirmation or correction of a shipped step, for one server (who and when).
CREATE TABLE journey_step_overrides (
    guild_id  INTEGER NOT NULL,
    cycle_id  TEXT    NOT NULL,
    step_id   TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('confirmed', 'projected')),
    edited_by INTEGER NOT NULL,
    edited_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, cycle_id, step_id)
);

-- Members who asked for DM reminders of the calendar's steps (rows of kind journey_reminder in
-- the outbox name the follow in ref_id, so unfollowing cancels them).
CREATE TABLE journey_follows (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    followed_at INTEGER NOT NULL,
    UNIQUE (guild_id, user_id)
);

-- What a member told the journey about themselves (asked once, in /cycle timeline).
CREATE TABLE journey_profiles (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    visa       TEXT,
    stage      TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- A member's own exam dates (private): a day, or a month (the first of it, month_only = 1).
CREATE TABLE journey_exams (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    exam       TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    month_only INTEGER NOT NULL CHECK (month_only IN (0, 1)),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, exam)
);

CREATE TABLE journey_milestones (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    visibility TEXT    NOT NULL CHECK (visibility IN ('public', 'anonymous', 'private')),
    created_at INTEGER NOT NULL
);
CREATE INDEX journey_milestones_by_member ON journey_milestones (guild_id, user_id);

-- Exam cohorts: a study group formed (by /cohort form) for members whose exam dates fall in
-- one window. The group and its members live in study_groups; this names the exam and window.
-- A week after the window the members are asked for a milestone and the group is archived
-- three days later, unless its owner keeps it (kept_at); closed_at: archived by the cohort.
CREATE TABLE journey_cohorts (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    group_id     INTEGER NOT NULL UNIQUE,
    exam         TEXT    NOT NULL,
    window_start TEXT    NOT NULL,
    window_end   TEXT    NOT NULL,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    kept_at      INTEGER,
    closed_at    INTEGER
);

-- Which of the journey's channel posts a server's moderators turned on (announcements channel):
-- the weekly "this week in the Match" and the count-only Match Day digest.
CREATE TABLE journey_posts (
    guild_id   INTEGER PRIMARY KEY,
    weekly     INTEGER NOT NULL DEFAULT 0 CHECK (weekly IN (0, 1)),
    match_day  INTEGER NOT NULL DEFAULT 0 CHECK (match_day IN (0, 1)),
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
