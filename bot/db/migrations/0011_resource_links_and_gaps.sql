-- Resource library: link health and the searches that found nothing (issue 17).

-- The latest check of each link the library holds (shared catalog, servers' own entries and
-- their edited links), keyed by the link as stored. Rows survive restarts; a check rewrites them.
--   status: ok | dead (404/410, host unreachable) | unknown (403/429, timeouts, server errors:
--           not proof of anything) | moved (a permanent redirect: a proposed edit).
-- `verified_title` is the page title seen at the first check after the entry was last
-- verified; a later different `title` marks the entry "changed since verified".
CREATE TABLE resource_links (
    url            TEXT    PRIMARY KEY,
    status         TEXT    NOT NULL CHECK (status IN ('ok', 'dead', 'unknown', 'moved')),
    http_status    INTEGER,
    moved_to       TEXT,
    title          TEXT,
    verified_title TEXT,
    verified_at    INTEGER,                      -- epoch seconds: when verified_title was taken
    detail         TEXT    NOT NULL DEFAULT '',
    checked_at     INTEGER NOT NULL              -- epoch seconds, UTC
) WITHOUT ROWID;

-- When the last full check finished (the weekly timer runs the next one 7 days later).
CREATE TABLE resource_link_runs (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    finished_at INTEGER NOT NULL
);

-- Searches that found nothing, per server, for curators (`/resources gaps`). The folded text
-- only: never who searched.
CREATE TABLE resource_search_gaps (
    guild_id  INTEGER NOT NULL,
    query     TEXT    NOT NULL,
    searches  INTEGER NOT NULL,
    last_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, query)
) WITHOUT ROWID;
