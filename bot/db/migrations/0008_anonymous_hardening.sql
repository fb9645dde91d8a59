-- Anonymous questions are numbered per server: one global sequence let each server see, from
-- the jumps in its own numbers, how many questions other servers got. The row id stays the
-- internal key; `number` is what members and moderators see (posts, claim codes, commands).
-- Existing questions keep the number they were shown with (their id), so posted numbers,
-- claim codes and buttons already in Discord stay valid; new ones continue from each server's
-- highest number.
ALTER TABLE anon_questions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE anon_questions SET number = id;
CREATE UNIQUE INDEX anon_questions_number ON anon_questions (guild_id, number);

-- With pre-approval on, a follow-up goes to the review channel first (outbox kind
-- 'anon_followup_review'). Once its review copy is posted, its text waits here, and only here,
-- until a moderator decides: approve deletes the row and queues an 'anon_followup' (at a random
-- delay, like every post); reject, or the question's take-down, deletes it (the WAL is then
-- truncated). `ref` is the review post's nonce, which its buttons carry. Nothing here maps to
-- the asker (no user id, no instant of theirs).
CREATE TABLE anon_held_followups (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES anon_questions (id) ON DELETE CASCADE,
    ref         TEXT    NOT NULL UNIQUE,
    body        TEXT    NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER NOT NULL
);
CREATE INDEX anon_held_followups_by_question ON anon_held_followups (question_id);

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
