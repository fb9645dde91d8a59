-- Anonymous questions are numbered per server: one global sequence let each server see, from
-- the jumps in its own numbers, how many questions other servers got. The row id stays the
-- internal key; `number` is what members and moderators see (posts, claim codes, commands).
-- Existing questions keep the number they were shown with (their id), so posted numbers,
-- claim codes and buttons already in Discord stay valid; new ones continue from each server's
-- highest number.
ALTER TABLE anon_questions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
UPDATE anon_questions SET number = id;
CREATE UNIQUE INDEX anon_questions_number ON anon_questions (guild_id, number);
