-- Study groups: groups and members, member time zones, session series (rule + IANA zone) and
-- their materialised occurrences, RSVPs, and the announcement outbox that makes every promised
-- announcement a row before it is a timer. All instants are epoch seconds (UTC).

-- A member's own zone (IANA name), used for parsing what they type and where Discord cannot
-- render <t:...>. prompted_at: when we asked a member without a zone to set one (asked once).
CREATE TABLE member_timezones (
    user_id     INTEGER PRIMARY KEY,
    zone        TEXT,
    prompted_at INTEGER,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE study_groups (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    name             TEXT    NOT NULL,
    topic            TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    capacity         INTEGER,                       -- NULL: no limit
    owner_id         INTEGER NOT NULL,
    role_id          INTEGER,                       -- the only role an announcement pings
    announce_offsets TEXT    NOT NULL DEFAULT '1440,15,0',  -- minutes before the start
    created_at       INTEGER NOT NULL,
    archived_at      INTEGER
);
CREATE UNIQUE INDEX study_groups_live_name
    ON study_groups (guild_id, name COLLATE NOCASE) WHERE archived_at IS NULL;

CREATE TABLE study_group_members (
    group_id       INTEGER NOT NULL REFERENCES study_groups (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL,
    joined_at      INTEGER NOT NULL,
    remind_minutes INTEGER,                         -- opt-in DM reminder lead; NULL: off
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX study_group_members_user ON study_group_members (user_id);

-- A one-off session or a weekly rule. first_local is the first start as wall-clock time in
-- zone ('YYYY-MM-DDTHH:MM'); occurrences are materialised up to materialized_until.
CREATE TABLE study_series (
    id                 INTEGER PRIMARY KEY,
    group_id           INTEGER NOT NULL REFERENCES study_groups (id) ON DELETE CASCADE,
    title              TEXT    NOT NULL,
    zone               TEXT    NOT NULL,
    first_local        TEXT    NOT NULL,
    rrule              TEXT,
    duration_minutes   INTEGER NOT NULL CHECK (duration_minutes > 0),
    location           TEXT,
    channel_id         INTEGER,
    created_by         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    cancelled_at       INTEGER,
    materialized_until INTEGER NOT NULL,
    exhausted          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX study_series_group ON study_series (group_id);
CREATE INDEX study_series_refill ON study_series (materialized_until)
    WHERE exhausted = 0 AND cancelled_at IS NULL;

-- One row per occurrence. event_state tracks its Discord Guild Scheduled Event:
-- none -> created (event_id set) -> stale (needs an edit) -> created, or -> cancelled;
-- failed when Discord refused it (not retried: the announcement still goes out).
CREATE TABLE study_occurrences (
    id           INTEGER PRIMARY KEY,
    series_id    INTEGER NOT NULL REFERENCES study_series (id) ON DELETE CASCADE,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    cancelled_at INTEGER,
    event_id     INTEGER,
    event_state  TEXT    NOT NULL DEFAULT 'none'
        CHECK (event_state IN ('none', 'created', 'stale', 'cancelled', 'failed')),
    UNIQUE (series_id, starts_at)
);
CREATE INDEX study_occurrences_start ON study_occurrences (starts_at);
CREATE INDEX study_occurrences_events ON study_occurrences (event_state)
    WHERE event_state IN ('created', 'stale');

CREATE TABLE study_rsvps (
    occurrence_id INTEGER NOT NULL REFERENCES study_occurrences (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    choice        TEXT    NOT NULL CHECK (choice IN ('going', 'maybe', 'no')),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, user_id)
) WITHOUT ROWID;

-- The outbox: one row per announcement (kind 'announce', recipient_id 0) or DM reminder (kind
-- 'dm', recipient_id = the member). A row is claimed in a transaction (state 'claimed',
-- claimed_by = the claiming process) before it is sent with its nonce, and marked 'sent' with
-- the message id after. next_attempt_at is due_at until a failed send schedules a retry.
CREATE TABLE study_outbox (
    id              INTEGER PRIMARY KEY,
    occurrence_id   INTEGER NOT NULL REFERENCES study_occurrences (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('announce', 'dm')),
    recipient_id    INTEGER NOT NULL DEFAULT 0,
    lead_seconds    INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    nonce           TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'claimed', 'sent', 'skipped', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_at      INTEGER,
    claimed_by      TEXT,
    delayed         INTEGER NOT NULL DEFAULT 0,
    channel_id      INTEGER,
    message_id      INTEGER,
    sent_at         INTEGER,
    last_error      TEXT,
    UNIQUE (occurrence_id, kind, recipient_id, lead_seconds)
);
CREATE INDEX study_outbox_pending ON study_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX study_outbox_claimed ON study_outbox (claimed_at) WHERE state = 'claimed';
