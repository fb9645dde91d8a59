-- Cohorts, continued (bot/services/journey): a cohort may get a Discord role of its own, and a
-- member's milestone marks them done in their cohort.

-- role_wanted: the moderator asked /cohort form for a role per cohort; the adapter creates it
-- after the forming commits and records it on the study group (study_groups.role_id), or, if
-- Discord refused, why here (role_error), so a missing role is never silent.
ALTER TABLE journey_cohorts ADD COLUMN role_wanted INTEGER NOT NULL DEFAULT 0 CHECK (role_wanted IN (0, 1));
ALTER TABLE journey_cohorts ADD COLUMN role_error TEXT;

-- Members who passed their cohort's exam (the milestone that says so): the cohort's milestone
-- call a week after its window asks only the others. Erased with the member's journey data.
CREATE TABLE journey_cohort_done (
    cohort_id    INTEGER NOT NULL,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    milestone_id INTEGER NOT NULL,
    done_at      INTEGER NOT NULL,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX journey_cohort_done_by_member ON journey_cohort_done (guild_id, user_id);
