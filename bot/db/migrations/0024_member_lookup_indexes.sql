-- What members ask every day, found through an index rather than by reading whole tables that
-- grow with every month (tests/unit/test_query_plans.py): a mentee's latest request
-- (`/mentor status`), the pairing a request led to, a mentor's pairings; the session a Discord
-- event belongs to (asked before creating one, see cogs/study_groups/views.py EventSync).
CREATE INDEX mentor_requests_by_mentee ON mentor_requests (mentee_id, id);
CREATE INDEX mentor_pairings_by_request ON mentor_pairings (request_id);
CREATE INDEX mentor_pairings_by_mentor ON mentor_pairings (mentor_id, status);
CREATE INDEX study_occurrences_by_event ON study_occurrences (event_id);
