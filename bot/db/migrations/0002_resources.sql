-- Resource library: the shared catalog, each server's own curation, the full-text index, member
-- suggestions and bookmarks.
--
-- Curation is per server. The shipped catalog (data/resources.yaml, `fmg-bot resources import`)
-- is shared by every server: rows with guild_id NULL, written only by catalog loads. What a
-- server's moderators do changes what THAT server sees only:
--   * editing or removing a shared entry writes an override row (resource_overrides) for that
--     guild; catalog loads never touch overrides, so a reload cannot undo them;
--   * an approved member suggestion becomes a row of `resources` with that guild_id, which no
--     other server sees.

-- One row per link. Shared catalog entries (guild_id NULL) are unique by normalized URL
-- (`url_key`, duplicate detection); a server's own entries are unique among that server's.
-- `removed` hides a server's own entry (an approval of the same link brings it back).
CREATE TABLE resources (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER,                       -- NULL: the shared catalog
    url           TEXT    NOT NULL,
    url_key       TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    organization  TEXT    NOT NULL DEFAULT '',
    category      TEXT    NOT NULL,
    tier          TEXT    NOT NULL CHECK (tier IN ('official', 'community')),
    tags          TEXT    NOT NULL DEFAULT '',   -- comma separated
    description   TEXT    NOT NULL DEFAULT '',
    last_verified INTEGER NOT NULL,              -- epoch seconds, UTC
    removed       INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CHECK (guild_id IS NOT NULL OR removed = 0)
);
CREATE UNIQUE INDEX resources_shared_url ON resources (url_key) WHERE guild_id IS NULL;
CREATE INDEX resources_guild_url ON resources (guild_id, url_key) WHERE guild_id IS NOT NULL;

-- A server's changes to a shared entry. A NULL field is inherited from the shared row (so a
-- catalog update still reaches the fields the server did not change); `removed` hides the
-- entry on that server only. The shown verification date is the later of the two.
CREATE TABLE resource_overrides (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    resource_id   INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    title         TEXT,
    url           TEXT,
    url_key       TEXT,
    organization  TEXT,
    category      TEXT,
    tier          TEXT    CHECK (tier IS NULL OR tier IN ('official', 'community')),
    tags          TEXT,
    description   TEXT,
    last_verified INTEGER,
    removed       INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (guild_id, resource_id)
);
CREATE INDEX resource_overrides_resource ON resource_overrides (resource_id);

-- Search index over normalized text (see bot/services/resources/_text.py). Rows: every live
-- entry of `resources` (rowid = resources.id) and every live override (rowid = -override id,
-- with the override's effective text). `gid` is 0 for the shared catalog, else the server the
-- row belongs to; a search asks for gid 0 plus its own server. The service writes it in the
-- same transaction as the tables. Column order matters: bm25 weights title > tags >
-- organization > description.
CREATE VIRTUAL TABLE resources_fts USING fts5(
    title, tags, organization, description, gid UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- A member's proposed link, waiting for a moderator of that server.
CREATE TABLE resource_suggestions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    url_key      TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at   INTEGER NOT NULL,
    reviewed_by  INTEGER,
    reviewed_at  INTEGER,
    resource_id  INTEGER REFERENCES resources (id) ON DELETE SET NULL
);
CREATE INDEX resource_suggestions_pending ON resource_suggestions (guild_id, created_at)
    WHERE status = 'pending';
-- One open suggestion per link and server.
CREATE UNIQUE INDEX resource_suggestions_open_url ON resource_suggestions (guild_id, url_key)
    WHERE status = 'pending';

-- A member's bookmarks follow them across servers; each server shows the ones it can see.
CREATE TABLE resource_bookmarks (
    user_id     INTEGER NOT NULL,
    resource_id INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, resource_id)
) WITHOUT ROWID;

-- Which concept vocabulary the index was built with (bot/services/resources/_vocabulary.py);
-- when the code's vocabulary differs, the service rebuilds resources_fts on start.
CREATE TABLE resources_index_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    vocabulary TEXT    NOT NULL
);

-- bm25 column weights for ORDER BY rank: title 10, tags 6, organization 3, description 1
-- (gid is unindexed: it never matches).
INSERT INTO resources_fts (resources_fts, rank) VALUES ('rank', 'bm25(10.0, 6.0, 3.0, 1.0, 0.0)');
