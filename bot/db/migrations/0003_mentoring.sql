-- Mentoring: profiles, requests moving through candidates, pairings, and an outbox of what the
-- bot still has to say on Discord. Instants are epoch seconds (UTC). Vocabulary lists
-- (specialties, visas, languages) are comma-separated keys from bot/services/mentoring/vocab.py.

CREATE TABLE mentors (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    specialties TEXT    NOT NULL,
    visas       TEXT    NOT NULL,
    stage       TEXT    NOT NULL,
    languages   TEXT    NOT NULL,
    timezone    TEXT    NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10),
    -- Open pairings. Accepting takes a slot with a conditional UPDATE (active < capacity) in the
    -- same transaction that accepts, so the CHECK below can never fire in normal operation.
    active      INTEGER NOT NULL DEFAULT 0 CHECK (active >= 0 AND active <= capacity),
    bio         TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'removed')),
    paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (guild_id, user_id)
);
CREATE INDEX mentors_by_status ON mentors (guild_id, status, paused);

CREATE TABLE mentees (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    specialty  TEXT    NOT NULL,
    visa       TEXT    NOT NULL,
    stage      TEXT    NOT NULL,
    languages  TEXT    NOT NULL,
    timezone   TEXT    NOT NULL,
    goals      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (guild_id, user_id)
);

-- A mentee's request for a mentor. It is offered to one candidate at a time (mentor_offers);
-- a decline, a timeout or a mentor pausing moves it to the next candidate.
CREATE TABLE mentor_requests (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    mentee_id  INTEGER NOT NULL REFERENCES mentees (id) ON DELETE CASCADE,
    status     TEXT    NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'accepted', 'exhausted', 'withdrawn')),
    created_at INTEGER NOT NULL,
    closed_at  INTEGER
);
-- At most one open request per mentee.
CREATE UNIQUE INDEX mentor_requests_one_open ON mentor_requests (mentee_id)
    WHERE status = 'pending';

CREATE TABLE mentor_offers (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES mentor_requests (id) ON DELETE CASCADE,
    mentor_id  INTEGER NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    status     TEXT    NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'accepted', 'declined', 'timeout', 'withdrawn',
                                 'moved')),
    offered_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    decided_at INTEGER,
    UNIQUE (request_id, mentor_id)
);
-- A request has at most one offer waiting for an answer.
CREATE UNIQUE INDEX mentor_offers_one_pending ON mentor_offers (request_id)
    WHERE status = 'pending';
CREATE INDEX mentor_offers_expiry ON mentor_offers (expires_at) WHERE status = 'pending';
CREATE INDEX mentor_offers_by_mentor ON mentor_offers (mentor_id, status);

CREATE TABLE mentor_pairings (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    mentor_id  INTEGER NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
    mentee_id  INTEGER NOT NULL REFERENCES mentees (id) ON DELETE CASCADE,
    request_id INTEGER REFERENCES mentor_requests (id) ON DELETE SET NULL,  -- NULL: match-all
    status     TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    thread_id  INTEGER,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    ended_by   INTEGER,
    -- Feedback left by whoever ended the pairing; shown to moderators only.
    rating     INTEGER CHECK (rating BETWEEN 1 AND 5),
    feedback   TEXT
);
CREATE UNIQUE INDEX mentor_pairings_one_active ON mentor_pairings (mentor_id, mentee_id)
    WHERE status = 'active';
CREATE INDEX mentor_pairings_by_mentee ON mentor_pairings (mentee_id, status);

-- What the bot still has to send (offers with Accept/Decline, reminders, updates to the mentee,
-- private threads). Claimed before sending, marked sent with the message id; a claim older than
-- two minutes without a sent mark is retried (with the same nonce) up to five attempts.
CREATE TABLE mentor_notices (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('offer', 'reminder', 'mentee_update', 'thread')),
    user_id    INTEGER NOT NULL,  -- recipient (for 'thread': the mentor)
    offer_id   INTEGER REFERENCES mentor_offers (id) ON DELETE CASCADE,
    pairing_id INTEGER REFERENCES mentor_pairings (id) ON DELETE CASCADE,
    body       TEXT    NOT NULL DEFAULT '',
    due_at     INTEGER NOT NULL,
    claimed_at INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    INTEGER,
    message_id INTEGER,
    cancelled  INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1))
);
CREATE INDEX mentor_notices_due ON mentor_notices (due_at)
    WHERE sent_at IS NULL AND cancelled = 0;
