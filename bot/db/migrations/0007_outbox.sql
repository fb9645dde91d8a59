-- One outbox for all due work (bot/outbox). A row names its kind, the ids it is about and
-- data (JSON: ids and values, never rendered Discord text), when it is due, and where it
-- stands. Claimed before it is sent (claimed_by: the worker, claimed_at: since when), sent
-- with its stored nonce, marked 'sent' with the message id after; 'done' rows were handled in
-- the database (an offer timing out); 'skipped', 'cancelled' and 'failed' say why in
-- last_error. next_attempt_at is due_at until a failed send schedules a retry. ``key``, when
-- a kind sets it, makes a row unique within its kind (one announcement per session and lead).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    guild_id        INTEGER NOT NULL DEFAULT 0,
    ref_id          INTEGER,
    recipient_id    INTEGER,
    data            TEXT    NOT NULL DEFAULT '{}',
    due_at          INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    nonce           TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'claimed', 'sent', 'done', 'skipped', 'cancelled', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    claimed_at      INTEGER,
    channel_id      INTEGER,
    message_id      INTEGER,
    sent_at         INTEGER,
    last_error      TEXT,
    key             TEXT,
    UNIQUE (kind, key)
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_claimed ON outbox (claimed_at) WHERE state = 'claimed';
CREATE INDEX outbox_by_ref ON outbox (ref_id, kind);
CREATE INDEX outbox_by_recipient ON outbox (recipient_id) WHERE recipient_id IS NOT NULL;

-- Mentoring: notices still owed move over. A notice claimed but never marked sent was, until
-- now, retried with its nonce ('fmg-mentor-<id>'): it stays pending with that nonce, so the
-- resend is deduplicated. The mentee updates were stored as text: kept as such ('legacy_text').
INSERT INTO outbox (kind, guild_id, ref_id, recipient_id, data, due_at, next_attempt_at, nonce,
                    attempts)
SELECT CASE kind WHEN 'offer' THEN 'mentor_offer' WHEN 'reminder' THEN 'mentor_reminder'
                 WHEN 'mentee_update' THEN 'mentor_update' ELSE 'mentor_thread' END,
       guild_id, coalesce(offer_id, pairing_id), user_id,
       CASE kind WHEN 'mentee_update' THEN json_object('legacy_text', body) ELSE '{}' END,
       due_at, max(due_at, coalesce(claimed_at + 120, due_at)), 'fmg-mentor-' || id, attempts
FROM mentor_notices WHERE sent_at IS NULL AND cancelled = 0 AND attempts < 5
ORDER BY id;
-- An offer's timeout is due work too (it moves the request on).
INSERT INTO outbox (kind, guild_id, ref_id, recipient_id, due_at, next_attempt_at, nonce)
SELECT 'mentor_timeout', r.guild_id, o.id, m.user_id, o.expires_at, o.expires_at,
       lower(hex(randomblob(10)))
FROM mentor_offers o JOIN mentor_requests r ON r.id = o.request_id
JOIN mentors m ON m.id = o.mentor_id WHERE o.status = 'pending'
ORDER BY o.id;
DROP TABLE mentor_notices;

-- Anonymous questions: posts still owed move over with their nonce. A post claimed but never
-- confirmed ('sending') was, until now, requeued at start: it is pending again. The table held
-- nothing that maps to the asker, and neither does its successor.
INSERT INTO outbox (kind, guild_id, ref_id, data, due_at, next_attempt_at, nonce, attempts)
SELECT 'anon_' || o.kind, q.guild_id, o.question_id,
       CASE WHEN o.body IS NULL THEN '{}' ELSE json_object('body', o.body) END,
       o.due_at, o.due_at, o.nonce, o.attempts
FROM anon_outbox o JOIN anon_questions q ON q.id = o.question_id
WHERE o.state IN ('pending', 'sending')
ORDER BY o.due_at, o.id;
DROP TABLE anon_outbox;

-- Study groups: every row moves over, sent ones included (a late announcement is skipped when
-- a later one of its session went out, and the first one carries the DST heads-up). A row
-- claimed by a process that is gone keeps its claim: the engine resends it with its nonce
-- while Discord still deduplicates it, and gives it up after that.
INSERT INTO outbox (kind, guild_id, ref_id, recipient_id, data, due_at, next_attempt_at, nonce,
                    state, attempts, claimed_by, claimed_at, channel_id, message_id, sent_at,
                    last_error, key)
SELECT 'study_' || ob.kind, g.guild_id, ob.occurrence_id, nullif(ob.recipient_id, 0),
       json_object('lead', ob.lead_seconds), ob.due_at, ob.next_attempt_at, ob.nonce, ob.state,
       ob.attempts, ob.claimed_by, ob.claimed_at, ob.channel_id,
       ob.message_id, ob.sent_at, ob.last_error,
       ob.occurrence_id || ':' || ob.recipient_id || ':' || ob.lead_seconds
FROM study_outbox ob JOIN study_occurrences o ON o.id = ob.occurrence_id
JOIN study_series s ON s.id = o.series_id JOIN study_groups g ON g.id = s.group_id
ORDER BY ob.id;
DROP TABLE study_outbox;
