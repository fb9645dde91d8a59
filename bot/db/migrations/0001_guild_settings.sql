-- Per-guild settings (channels, roles, switches) as typed key/value rows, so each capability can
-- declare its own keys in bot/services/guild_settings.py without a schema change.
CREATE TABLE guild_settings (
    guild_id   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, key)
) WITHOUT ROWID;
