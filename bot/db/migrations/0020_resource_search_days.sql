-- Every search per server and UTC day, for moderators' insights (`/stats`: top searches and
-- those that found nothing, over a period). The folded text only: never who searched. `empty`
-- counts the searches that found nothing. A server's rows older than a year are dropped as new
-- ones arrive (bot/services/resources/_gaps.py).
CREATE TABLE resource_search_days (
    guild_id INTEGER NOT NULL,
    day      INTEGER NOT NULL,  -- days since 1970-01-01, UTC
    query    TEXT    NOT NULL,
    searches INTEGER NOT NULL,
    empty    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day, query)
);
