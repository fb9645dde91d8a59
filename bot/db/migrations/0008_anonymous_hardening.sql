-- Anonymous questions are numbered per server: one global sequence let each server see, from
-- the jumps in its own numbers, how many questions other servers got. The row id stays the
-- internal key; `number` is what members and moderators see (posts, claim codes, commands).
-- Existing questions keep the number they were shown with (their id), so posted numbers,
-- claim codes and buttons already in Discord stay valid; new ones continue from each server's
-- highest number.
ALTER TABLE anon_questions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE anon_questions SET number = id;
CREATE UNIQUE INDEX anon_questions_number ON anon_questions (guild_id, number);

-- Two more kinds of queued work, each at its own random instant like every post:
-- 'followup_review' (with pre-approval on, a follow-up goes to the review channel first and is
-- 'held' there, text kept, until a moderator approves it: then it becomes a 'followup') and
-- 'delete' (an asker's `/ask delete`, carried out after a random delay rather than at the
-- asker's own instant). SQLite cannot alter a CHECK constraint: the table is rebuilt.
CREATE TABLE anon_outbox_0008 (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES anon_questions (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('review', 'question', 'followup', 'close',
                                              'followup_review', 'delete')),
    body        TEXT,
    due_at      INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'held')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    nonce       TEXT NOT NULL,
    message_id  INTEGER
);
INSERT INTO anon_outbox_0008 SELECT * FROM anon_outbox;
DROP TABLE anon_outbox;
ALTER TABLE anon_outbox_0008 RENAME TO anon_outbox;
CREATE INDEX anon_outbox_due ON anon_outbox (due_at) WHERE state = 'pending';
CREATE INDEX anon_outbox_by_question ON anon_outbox (question_id);

-- Mentors removed by moderators stay removed, even after `/privacy delete` and a new
-- registration. Kept: the minimum to recognise them again, per server, as a salted SHA-256 of
-- the user id (never the id: the table cannot be listed as "who was removed", only asked
-- "is this member removed?"). A moderator's approve (or lift-removal) deletes the row.
CREATE TABLE mentor_removals (
    id       INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    salt     BLOB NOT NULL,
    digest   BLOB NOT NULL
);
CREATE INDEX mentor_removals_by_guild ON mentor_removals (guild_id);
