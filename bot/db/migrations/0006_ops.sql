-- Members who left a guild (seen with the members intent). Their profiles were paused when they
-- left; the retention sweep deletes all their data MEMBER_RETENTION_DAYS after `left_at`.
-- A member who comes back is removed from here (their data stays, still paused).
CREATE TABLE departed_members (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    left_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX departed_members_by_time ON departed_members (left_at);
