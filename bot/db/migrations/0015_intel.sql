-- Program intel (bot/services/intel): the residency programs members report on, and their
-- reports. A report names no member: `reporter` is HMAC(key, member id, program, cycle) under
-- a key kept in a file beside the database (never in it), so one row per member, program and
-- cycle can be found again by the bot (to edit, withdraw, export or delete it) and by nobody
-- holding the database alone. No timestamp is kept (when a report was made would help tie it
-- to a member's activity).

-- Programs, imported from a CSV (`fmg-bot programs import`). The ACGME id is text: it may
-- start with a zero.
CREATE TABLE programs (
    program_id TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    specialty  TEXT NOT NULL,
    city       TEXT NOT NULL,
    state      TEXT NOT NULL
);
CREATE INDEX programs_name ON programs (name);

-- One row per member, program and cycle, counted in the server it was last made in. Each
-- answer is NULL when the member did not say (or said "I don't know").
CREATE TABLE intel_reports (
    reporter   TEXT    PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    program_id TEXT    NOT NULL REFERENCES programs (program_id),
    cycle      INTEGER NOT NULL,
    j1         TEXT,
    h1b        TEXT,
    non_us_img TEXT,
    yog        TEXT,
    step2      TEXT,
    invites    TEXT
);
CREATE INDEX intel_reports_program ON intel_reports (guild_id, program_id, cycle);

-- A fingerprint of the key the reports were made with: a lost or replaced key file is refused
-- at start (new pseudonyms would let every member report a second time).
CREATE TABLE intel_key (
    fingerprint TEXT PRIMARY KEY
);
