-- Resource library: the curated catalog, its full-text index, member suggestions and bookmarks.

-- One row per link. `url_key` is the normalized URL (duplicate detection); `catalog_key` is the
-- normalized URL the shipped catalog knows the entry by, so a reload finds the row again even
-- after a moderator changed its link. `edited_fields` lists (comma separated) the fields a
-- moderator changed; a catalog reload never overwrites those. Removal is a flag, so a reload
-- does not bring back what a moderator removed.
CREATE TABLE resources (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL,
    url_key       TEXT    NOT NULL UNIQUE,
    catalog_key   TEXT    UNIQUE,
    title         TEXT    NOT NULL,
    organization  TEXT    NOT NULL DEFAULT '',
    category      TEXT    NOT NULL,
    tier          TEXT    NOT NULL CHECK (tier IN ('official', 'community')),
    tags          TEXT    NOT NULL DEFAULT '',   -- comma separated
    description   TEXT    NOT NULL DEFAULT '',
    last_verified INTEGER NOT NULL,              -- epoch seconds, UTC
    source        TEXT    NOT NULL CHECK (source IN ('catalog', 'suggestion')),
    edited_fields TEXT    NOT NULL DEFAULT '',
    removed       INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX resources_category ON resources (category, title) WHERE removed = 0;

-- Search index over normalized text (see bot/services/resources/_text.py), rowid = resources.id.
-- The service writes it in the same transaction as `resources`; removed rows are not indexed.
-- Column order matters: bm25 weights title > tags > organization > description.
CREATE VIRTUAL TABLE resources_fts USING fts5(
    title, tags, organization, description,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- A member's proposed link, waiting for a moderator.
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

-- bm25 column weights for ORDER BY rank: title 10, tags 6, organization 3, description 1.
INSERT INTO resources_fts (resources_fts, rank) VALUES ('rank', 'bm25(10.0, 6.0, 3.0, 1.0)');
