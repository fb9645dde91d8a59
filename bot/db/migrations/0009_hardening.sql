-- Issue 16 (hardening): who may borrow the bot's pings, and review of edited mentor profiles.

-- 1 when a moderator, or a member allowed to mention every role, attached the group's role:
-- announcements may then ping it even while it is not mentionable. Otherwise (0, also every
-- group from before this migration) an announcement pings the role only while it is mentionable.
ALTER TABLE study_groups ADD COLUMN role_trusted INTEGER NOT NULL DEFAULT 0;

-- An approved mentor's edited profile text, waiting for a moderator. mentors.bio keeps the
-- approved text (what mentees see) until a moderator approves the edit.
CREATE TABLE mentor_profile_edits (
    mentor_id    INTEGER PRIMARY KEY REFERENCES mentors (id) ON DELETE CASCADE,
    bio          TEXT    NOT NULL,
    submitted_at INTEGER NOT NULL
);
