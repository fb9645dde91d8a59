-- Application preparation, document review (bot/services/preparation): mentors who review
-- documents, the members' requests (the document text itself, erased with its row once the
-- review ends plus the server's retention) and the offers that route a request to one
-- reviewer at a time. Instants are epoch seconds (UTC).

-- A mentor who reviews documents: the kinds and specialties (comma-separated keys), a weekly
-- capacity, and what this week took (week_start: Monday 00:00 UTC of the week counted in
-- taken). reviews_given outlives the erased requests: /mentor profile shows it.
CREATE TABLE review_reviewers (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    kinds           TEXT    NOT NULL,
    specialties     TEXT    NOT NULL,
    weekly_capacity INTEGER NOT NULL CHECK (weekly_capacity BETWEEN 1 AND 20),
    week_start      INTEGER NOT NULL DEFAULT 0,
    taken           INTEGER NOT NULL DEFAULT 0,
    reviews_given   INTEGER NOT NULL DEFAULT 0,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    updated_at      INTEGER NOT NULL,
    UNIQUE (guild_id, user_id)
);

-- A member's request. document: the extracted text (never a file); deleted with the row at
-- erase_at. exhausted: every reviewer was asked; overdue: the reviewer who accepted did not
-- answer in time. The rubric (scores and sentences as JSON) and comments are the reviewer's answer.
CREATE TABLE review_requests (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    specialty   TEXT    NOT NULL,
    anonymous   INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    status      TEXT    NOT NULL
                CHECK (status IN ('waiting', 'accepted', 'answered', 'exhausted', 'overdue')),
    document    TEXT    NOT NULL,
    reviewer_id INTEGER,
    rubric      TEXT,
    comments    TEXT,
    rating      INTEGER CHECK (rating BETWEEN 1 AND 5),
    created_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    erase_at    INTEGER
);
CREATE INDEX review_requests_by_member ON review_requests (guild_id, user_id);

CREATE TABLE review_offers (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES review_requests (id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL,
    status      TEXT    NOT NULL
                CHECK (status IN ('pending', 'accepted', 'declined', 'timeout', 'moved')),
    offered_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    decided_at  INTEGER
);
CREATE INDEX review_offers_by_request ON review_offers (request_id);
CREATE INDEX review_offers_by_reviewer ON review_offers (reviewer_id, status);
