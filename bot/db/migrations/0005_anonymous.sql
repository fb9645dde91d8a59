-- Anonymous questions.
-- By design nothing in these tables identifies the asker: no user id, no hash or HMAC of one,
-- and no time of any asker action (those would line up with who was active). The only link to
-- the asker is the claim code, stored as scrypt(code, per-question salt). Reporters are not
-- stored either (an asker may report their own question).

CREATE TABLE anon_questions (
    id                       INTEGER PRIMARY KEY,
    guild_id                 INTEGER NOT NULL,
    title                    TEXT NOT NULL,
    body                     TEXT NOT NULL,
    tag                      TEXT,
    code_salt                BLOB NOT NULL,
    code_hash                BLOB NOT NULL,
    -- waiting: queued for review or publishing; review: in the moderators' review channel;
    -- published: posted; rejected/removed/deleted: gone (title and body are blanked).
    state                    TEXT NOT NULL DEFAULT 'waiting'
                             CHECK (state IN ('waiting', 'review', 'published', 'rejected', 'removed', 'deleted', 'failed')),
    closed                   INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    channel_id               INTEGER,
    thread_id                INTEGER,
    message_id               INTEGER,
    review_channel_id        INTEGER,
    review_message_id        INTEGER,
    mentor_answer_message_id INTEGER,
    published_at             INTEGER
);
CREATE INDEX anon_questions_by_thread ON anon_questions (thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX anon_questions_by_guild ON anon_questions (guild_id, state);

-- Everything the bot will post later (the question itself, its review copy, follow-ups, the
-- "answered" notice), each at a random instant. Claimed before sending (state 'sending'),
-- sent with `nonce`, then marked with the message id.
CREATE TABLE anon_outbox (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES anon_questions (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('review', 'question', 'followup', 'close')),
    body        TEXT,
    due_at      INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    nonce       TEXT NOT NULL,
    message_id  INTEGER
);
CREATE INDEX anon_outbox_due ON anon_outbox (due_at) WHERE state = 'pending';
CREATE INDEX anon_outbox_by_question ON anon_outbox (question_id);

CREATE TABLE anon_reports (
    id                INTEGER PRIMARY KEY,
    question_id       INTEGER NOT NULL REFERENCES anon_questions (id) ON DELETE CASCADE,
    reason            TEXT,
    created_at        INTEGER NOT NULL,
    review_message_id INTEGER
);
CREATE INDEX anon_reports_by_question ON anon_reports (question_id);

-- A moderator can pause anonymous asking for the whole guild.
CREATE TABLE anon_guild_state (
    guild_id    INTEGER PRIMARY KEY,
    muted_until INTEGER
);
