-- What every process of the bot on this database must agree on (several processes, each for
-- its own shards): small named marks, each a counter and a text.
--   * 'commands': the fingerprint of the slash commands last synced to Discord (text), so
--     processes starting together sync once per deploy;
--   * 'library': the resource library's version (counter), bumped in the same transaction as
--     any change to the catalog, so each process knows when to rebuild its search index.
CREATE TABLE shared_marks (
    name    TEXT    PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0,
    value   TEXT    NOT NULL DEFAULT ''
);

-- Search moved to an in-memory FTS5 index that each process builds from `resources` and
-- `resource_overrides` (bot/services/resources/_index.py) and rebuilds when 'library' moves:
-- the database keeps no index of its own, nor the vocabulary it was built with.
DROP TABLE IF EXISTS resources_fts;
DROP TABLE IF EXISTS resources_index_state;
