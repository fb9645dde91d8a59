-- Mentorships that are followed up (issue 20): the cadence a pair chooses, check-ins at weeks
-- 2, 6 and 12 (outbox rows of kind mentor_checkin name the pairing in ref_id), the one alert
-- to the coordinators when a pair answers "not yet" twice in a row, and a mentor's one
-- question to a mentee before answering an offer (its timeout pauses meanwhile).

ALTER TABLE mentor_pairings ADD COLUMN cadence TEXT
    CHECK (cadence IN ('weekly', 'biweekly', 'monthly'));
-- When the coordinators were alerted that this pair stalled (at most once per pairing).
ALTER TABLE mentor_pairings ADD COLUMN stalled_alert_at INTEGER;

-- The latest answer to each check-in, by either member of the pair.
CREATE TABLE mentor_checkins (
    pairing_id  INTEGER NOT NULL REFERENCES mentor_pairings (id) ON DELETE CASCADE,
    week        INTEGER NOT NULL,
    answer      TEXT    NOT NULL CHECK (answer IN ('met', 'not_yet')),
    answered_by INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (pairing_id, week)
);

-- "Ask for details": the mentor's question and the mentee's answer (member text, sanitised);
-- while asked_at is set and resumed_at is not, the offer's timeout is paused.
ALTER TABLE mentor_offers ADD COLUMN question TEXT;
ALTER TABLE mentor_offers ADD COLUMN asked_at INTEGER;
ALTER TABLE mentor_offers ADD COLUMN answer TEXT;
ALTER TABLE mentor_offers ADD COLUMN answered_at INTEGER;
ALTER TABLE mentor_offers ADD COLUMN resumed_at INTEGER;
