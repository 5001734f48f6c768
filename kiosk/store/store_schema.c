/* store_schema: votes.db's schema as numbered migrations (docs/SCHEMA.md), applied by store.c. */
#include "store_int.h"

/* The schema, one entry per version: migrations[i] takes user_version i to i + 1 and runs in its
 * own transaction together with the user_version bump, so a crash or error leaves the file at a
 * whole version. Append new entries; never edit or reorder shipped ones (docs/SCHEMA.md).
 *
 * sync_state is checked by a CHECK constraint so that hand edits with the sqlite3 CLI (where
 * foreign_keys is off by default) cannot store a state the program does not know. SQLite cannot
 * alter a CHECK in place, so a migration that adds a state (e.g. 'quarantined') rebuilds the table:
 * CREATE TABLE votes_new (... new CHECK ...); INSERT INTO votes_new SELECT * FROM votes;
 * DROP TABLE votes; ALTER TABLE votes_new RENAME TO votes; then CREATE INDEX again. */
const char *const store_migrations[] = {
    /* 1: the votes table. */
    "CREATE TABLE votes (\n"
    "    uuid         TEXT PRIMARY KEY NOT NULL CHECK (length(uuid) = 36),\n"
    "    kiosk_id     TEXT NOT NULL,\n"
    "    seq          INTEGER NOT NULL CHECK (seq >= 1),\n"
    "    boot_id      TEXT NOT NULL,\n"
    "    officer_code TEXT NOT NULL,\n"
    "    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 3),\n"
    "    reasons      TEXT NOT NULL DEFAULT '[]'\n"
    "                 CHECK (json_valid(reasons) AND substr(reasons, 1, 1) = '['),\n"
    "    created_at   INTEGER NOT NULL,\n"
    "    misuse       INTEGER NOT NULL DEFAULT 0 CHECK (misuse IN (0, 1)),\n"
    "    sync_state   TEXT NOT NULL DEFAULT 'unsent'\n"
    "                 CHECK (sync_state IN ('pending', 'unsent', 'sent')),\n"
    "    UNIQUE (kiosk_id, seq)\n"
    ");\n"
    "CREATE INDEX votes_sync ON votes (sync_state, seq);\n"
    "CREATE INDEX votes_created_at ON votes (created_at);\n",

    /* 2: sync. votes gain batch_id and sync_error and may be 'quarantined' (the CHECK changes, so
     * the table is rebuilt; legacy_alter_table keeps a view an IT person made on votes from
     * failing the RENAME); the frozen batches and the sender's status. */
    "PRAGMA legacy_alter_table = ON;\n"
    "CREATE TABLE votes_new (\n"
    "    uuid         TEXT PRIMARY KEY NOT NULL CHECK (length(uuid) = 36),\n"
    "    kiosk_id     TEXT NOT NULL,\n"
    "    seq          INTEGER NOT NULL CHECK (seq >= 1),\n"
    "    boot_id      TEXT NOT NULL,\n"
    "    officer_code TEXT NOT NULL,\n"
    "    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 3),\n"
    "    reasons      TEXT NOT NULL DEFAULT '[]'\n"
    "                 CHECK (json_valid(reasons) AND substr(reasons, 1, 1) = '['),\n"
    "    created_at   INTEGER NOT NULL,\n"
    "    misuse       INTEGER NOT NULL DEFAULT 0 CHECK (misuse IN (0, 1)),\n"
    "    sync_state   TEXT NOT NULL DEFAULT 'unsent'\n"
    "                 CHECK (sync_state IN ('pending', 'unsent', 'sent', 'quarantined')),\n"
    "    batch_id     TEXT,\n"
    "    sync_error   TEXT,\n"
    "    UNIQUE (kiosk_id, seq)\n"
    ");\n"
    "INSERT INTO votes_new (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,\n"
    "                       created_at, misuse, sync_state)\n"
    "    SELECT uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons, created_at, misuse,\n"
    "           sync_state FROM votes;\n"
    "DROP TABLE votes;\n"
    "ALTER TABLE votes_new RENAME TO votes;\n"
    "PRAGMA legacy_alter_table = OFF;\n"
    "CREATE INDEX votes_sync ON votes (sync_state, seq);\n"
    "CREATE INDEX votes_created_at ON votes (created_at);\n"
    "CREATE INDEX votes_batch ON votes (batch_id) WHERE batch_id IS NOT NULL;\n"
    "CREATE TABLE batches (\n"
    "    batch_id    TEXT PRIMARY KEY NOT NULL CHECK (length(batch_id) = 36),\n"
    "    kiosk_id    TEXT NOT NULL,\n"
    "    frozen_at   INTEGER NOT NULL,\n"
    "    body        BLOB NOT NULL,\n"
    "    n_votes     INTEGER NOT NULL CHECK (n_votes >= 1),\n"
    "    attempts    INTEGER NOT NULL DEFAULT 0,\n"
    "    last_status INTEGER,\n"
    "    last_error  TEXT\n"
    ");\n"
    "CREATE TABLE sync_status (\n"
    "    id              INTEGER PRIMARY KEY CHECK (id = 1),\n"
    "    state           TEXT NOT NULL DEFAULT 'off',\n"
    "    updated_at      INTEGER,\n"
    "    last_success_at INTEGER,\n"
    "    last_error      TEXT,\n"
    "    last_error_at   INTEGER,\n"
    "    backoff_until   INTEGER,\n"
    "    auth_failed     INTEGER NOT NULL DEFAULT 0 CHECK (auth_failed IN (0, 1)),\n"
    "    batch_limit     INTEGER NOT NULL DEFAULT 500 CHECK (batch_limit BETWEEN 1 AND 500)\n"
    ");\n"
    "INSERT INTO sync_status (id) VALUES (1);\n",

    /* 3: settings the kiosk keeps itself (admin PIN hash and lock-out, the desk officer chosen
     * on the admin screen): one row per key. */
    "CREATE TABLE settings (\n"
    "    key        TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 64),\n"
    "    value      TEXT NOT NULL,\n"
    "    updated_at INTEGER NOT NULL\n"
    ");\n",

    /* 4: clock_suspect, the kiosk's own mark on a vote cast while its clock was implausible or had
     * jumped (store_vote.c). Votes recorded before it with an implausible time are marked; those
     * the collector refused for their time (quarantined with "created_at: ... is not between")
     * before collectors took any time are marked and sent again: no vote is lost to a clock. */
    "ALTER TABLE votes ADD COLUMN clock_suspect INTEGER NOT NULL DEFAULT 0\n"
    "    CHECK (clock_suspect IN (0, 1));\n"
    "UPDATE votes SET clock_suspect = 1\n"
    "    WHERE created_at < 1577836800000 OR created_at >= 4102444800000;\n"
    "UPDATE votes SET clock_suspect = 1, sync_state = 'unsent', batch_id = NULL,\n"
    "    sync_error = NULL WHERE sync_state = 'quarantined' AND sync_error LIKE 'created_at:%';\n"
    "CREATE INDEX votes_clock_suspect ON votes (created_at) WHERE clock_suspect = 1;\n",

    /* 5: feedback typed on the kiosk (góp ý, phản ánh – kiến nghị, biểu dương; store_feedback.c),
     * with its own seq; contact fields only with consent, which the CHECK enforces against hand
     * edits too. batches is rebuilt so that a batch may carry feedback and no vote (n_votes 0). */
    "CREATE TABLE feedback (\n"
    "    uuid            TEXT PRIMARY KEY NOT NULL CHECK (length(uuid) = 36),\n"
    "    kiosk_id        TEXT NOT NULL,\n"
    "    seq             INTEGER NOT NULL CHECK (seq >= 1),\n"
    "    boot_id         TEXT NOT NULL,\n"
    "    kind            TEXT NOT NULL CHECK (kind IN ('gop-y', 'phan-anh', 'bieu-duong')),\n"
    "    officer_code    TEXT NOT NULL DEFAULT '',\n"
    "    vote_uuid       TEXT CHECK (vote_uuid IS NULL OR length(vote_uuid) = 36),\n"
    "    body            TEXT NOT NULL\n"
    "                    CHECK (length(trim(body, ' ' || char(10))) >= 1 AND length(body) <= "
    "1000),\n"
    "    consent         INTEGER NOT NULL DEFAULT 0 CHECK (consent IN (0, 1)),\n"
    "    contact_name    TEXT,\n"
    "    contact_phone   TEXT,\n"
    "    contact_address TEXT,\n"
    "    created_at      INTEGER NOT NULL,\n"
    "    clock_suspect   INTEGER NOT NULL DEFAULT 0 CHECK (clock_suspect IN (0, 1)),\n"
    "    sync_state      TEXT NOT NULL DEFAULT 'unsent'\n"
    "                    CHECK (sync_state IN ('unsent', 'sent', 'quarantined')),\n"
    "    batch_id        TEXT,\n"
    "    sync_error      TEXT,\n"
    "    CHECK (consent = 1 OR (contact_name IS NULL AND contact_phone IS NULL\n"
    "                           AND contact_address IS NULL)),\n"
    "    UNIQUE (kiosk_id, seq)\n"
    ");\n"
    "CREATE INDEX feedback_sync ON feedback (sync_state, seq);\n"
    "CREATE INDEX feedback_batch ON feedback (batch_id) WHERE batch_id IS NOT NULL;\n"
    "PRAGMA legacy_alter_table = ON;\n"
    "CREATE TABLE batches_new (\n"
    "    batch_id    TEXT PRIMARY KEY NOT NULL CHECK (length(batch_id) = 36),\n"
    "    kiosk_id    TEXT NOT NULL,\n"
    "    frozen_at   INTEGER NOT NULL,\n"
    "    body        BLOB NOT NULL,\n"
    "    n_votes     INTEGER NOT NULL CHECK (n_votes >= 0),\n"
    "    attempts    INTEGER NOT NULL DEFAULT 0,\n"
    "    last_status INTEGER,\n"
    "    last_error  TEXT,\n"
    "    n_feedback  INTEGER NOT NULL DEFAULT 0 CHECK (n_feedback >= 0),\n"
    "    CHECK (n_votes + n_feedback >= 1)\n"
    ");\n"
    "INSERT INTO batches_new (batch_id, kiosk_id, frozen_at, body, n_votes, attempts,\n"
    "                         last_status, last_error)\n"
    "    SELECT batch_id, kiosk_id, frozen_at, body, n_votes, attempts, last_status, last_error\n"
    "    FROM batches ORDER BY rowid;\n"
    "DROP TABLE batches;\n"
    "ALTER TABLE batches_new RENAME TO batches;\n"
    "PRAGMA legacy_alter_table = OFF;\n",

#ifdef HL_TEST_SCHEMA_BUMP
    /* Test builds only (cmake -DHL_TEST_SCHEMA_BUMP=ON; never in a release): one more, harmless
     * migration, so that the upgrade test can build "the next version" from this very tree and
     * upgrade a real votes.db of the normal build with it (the copy made before the migration,
     * every vote kept, and the normal build then refusing the upgraded file). */
    "CREATE TABLE upgrade_test_marker (x INTEGER);\n",
#endif
};

const size_t store_n_migrations = HL_ARRAY_LEN(store_migrations);
