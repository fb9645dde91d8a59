-- The outbox's workers on PostgreSQL (bot/db/_pg_lease.py): each worker beats its row every
-- few seconds, with the server's clock (epoch seconds), and deletes it on a clean stop. A
-- worker whose row is missing or whose beat is stale is gone: its claims are taken back and
-- resent with the same nonce. SQLite's workers hold file locks instead (bot/db/lease.py) and
-- leave this table empty; both engines have it so their schemas stay the same.
CREATE TABLE outbox_workers (
    worker_id TEXT    PRIMARY KEY,
    beat_at   INTEGER NOT NULL
);
