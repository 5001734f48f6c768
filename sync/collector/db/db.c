/* db: the core of the collector's database layer: connections to either backend, the schema and
 * its migrations, and one small runner (prepared statements, typed parameters, rows streamed to a
 * callback) over both. Every fixed statement's SQL is in db_sql.c; the operations themselves are
 * in db_tokens.c, db_votes.c, db_read.c, db_totals.c, db_users.c and db_alerts.c. */
#include "db_int.h"

#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a writer waits for another connection's transaction (another server thread, the CLI)
 * before giving up with a 503 the kiosk retries. */
#define BUSY_TIMEOUT_MS 5000

/* An arbitrary constant: the PostgreSQL advisory lock that serialises schema creation when
 * several collectors start at once (CREATE TABLE IF NOT EXISTS alone can race there). */
#define PG_SCHEMA_LOCK 7244823

/* tot_day, tot_kday and tot_hour from the votes (migration 6, and `totals rebuild`); tot_reason's
 * filling differs between the backends (reason_backfill), tot_kmonth's needs the calendar
 * (db_totals_months, in C). */
#define TOT_COUNTS                                                                                 \
    "    sum(CASE WHEN misuse = 0 AND rating = 3 THEN 1 ELSE 0 END),\n"                            \
    "    sum(CASE WHEN misuse = 0 AND rating = 2 THEN 1 ELSE 0 END),\n"                            \
    "    sum(CASE WHEN misuse = 0 AND rating = 1 THEN 1 ELSE 0 END),\n"                            \
    "    sum(misuse), sum(clock_suspect), count(*) FROM votes"
#define TOT_FILL                                                                                   \
    "INSERT INTO tot_day SELECT kiosk_id, (placed_at + 25200000) / 86400000, "                     \
    "officer_code,\n" TOT_COUNTS " GROUP BY 1, 2, 3;\n"                                            \
    "INSERT INTO tot_kday SELECT (placed_at + 25200000) / 86400000, kiosk_id,\n" TOT_COUNTS        \
    " GROUP BY 1, 2;\n"                                                                            \
    "INSERT INTO tot_hour SELECT kiosk_id, (placed_at + 25200000) / 86400000,\n"                   \
    "    ((placed_at + 25200000) % 86400000) / 3600000, count(*) FROM votes WHERE misuse = 0\n"    \
    "    GROUP BY 1, 2, 3;\n"

/* The counts every totals table keeps. */
#define TOT_COLS                                                                                   \
    "    r3 BIGINT NOT NULL, r2 BIGINT NOT NULL, r1 BIGINT NOT NULL,\n"                            \
    "    misuse BIGINT NOT NULL, suspect BIGINT NOT NULL, total BIGINT NOT NULL,\n"

/* The schema. migrations[i] takes schema_version i to i + 1; append, never edit shipped ones.
 * Types are chosen to mean the same on both backends: BIGINT for milliseconds (PostgreSQL's
 * INTEGER is 32 bits), INTEGER 0/1 for flags (SQLite has no BOOLEAN). */
static const char *const migrations[] = {
    "CREATE TABLE IF NOT EXISTS kiosks (\n"
    "    id          TEXT PRIMARY KEY NOT NULL,\n"
    "    unit        TEXT NOT NULL DEFAULT '',\n"
    "    created_at  BIGINT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS tokens (\n"
    "    token_hash  TEXT PRIMARY KEY NOT NULL CHECK (length(token_hash) = 64),\n"
    "    kind        TEXT NOT NULL CHECK (kind IN ('kiosk', 'operator')),\n"
    "    name        TEXT NOT NULL,\n"
    "    created_at  BIGINT NOT NULL,\n"
    "    revoked_at  BIGINT\n"
    ");\n"
    "CREATE UNIQUE INDEX IF NOT EXISTS tokens_active ON tokens (kind, name)\n"
    "    WHERE revoked_at IS NULL;\n"
    "CREATE TABLE IF NOT EXISTS votes (\n"
    "    uuid          TEXT PRIMARY KEY NOT NULL CHECK (length(uuid) = 36),\n"
    "    kiosk_id      TEXT NOT NULL,\n"
    "    seq           BIGINT NOT NULL CHECK (seq >= 1),\n"
    "    boot_id       TEXT NOT NULL,\n"
    "    officer_code  TEXT NOT NULL,\n"
    "    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 3),\n"
    "    reasons       TEXT NOT NULL,\n"
    "    created_at    BIGINT NOT NULL,\n"
    "    misuse        INTEGER NOT NULL CHECK (misuse IN (0, 1)),\n"
    "    received_at   BIGINT NOT NULL,\n"
    "    clock_suspect INTEGER NOT NULL CHECK (clock_suspect IN (0, 1)),\n"
    "    batch_id      TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS votes_created_at ON votes (created_at);\n"
    "CREATE INDEX IF NOT EXISTS votes_kiosk_seq ON votes (kiosk_id, seq);\n",

    /* 2: which program brought the database to each version (filled for the version a program
     * migrates to), so that an older collector refusing a newer database can name the version
     * to install. */
    "ALTER TABLE schema_version ADD COLUMN program TEXT;\n",

    /* 3: placed_at, the time reports use (db_clock_judge in db_votes.c). Votes stored before it
     * are judged again by what is known of them (no batch clock): an implausible time, or one
     * more than 10 minutes after the receipt. Version 2 also marked every vote more than a day
     * older than its receipt, which a backlog delivered late is not: that mark is undone. */
    "ALTER TABLE votes ADD COLUMN placed_at BIGINT NOT NULL DEFAULT 0;\n"
    "UPDATE votes SET clock_suspect = CASE WHEN created_at < 1577836800000\n"
    "    OR created_at >= 4102444800000 OR created_at - received_at > 600000 THEN 1 ELSE 0 END;\n"
    "UPDATE votes SET placed_at = CASE WHEN clock_suspect = 0 THEN created_at\n"
    "    WHEN created_at >= 1577836800000 AND created_at <= received_at THEN created_at\n"
    "    ELSE received_at END;\n"
    "CREATE INDEX IF NOT EXISTS votes_placed_at ON votes (placed_at);\n",

    /* 4: an operator token may read one unit only (`operator add NAME --unit U`: a commune's
     * leader); '' reads every unit (the province). Tokens made before read everything, as they
     * did. */
    "ALTER TABLE tokens ADD COLUMN unit TEXT NOT NULL DEFAULT '';\n",

    /* 5: each kiosk's latest health report (POST /v1/kiosks/ID/status), and the officers the
     * kiosks of each unit sent: officer codes are unique only inside a unit. An officer no longer
     * sent keeps its row, so old votes keep a name. */
    "CREATE TABLE IF NOT EXISTS kiosk_health (\n"
    "    kiosk_id        TEXT PRIMARY KEY NOT NULL,\n"
    "    last_contact    BIGINT NOT NULL,\n"
    "    sent_at         BIGINT NOT NULL,\n"
    "    version         TEXT NOT NULL,\n"
    "    content_version TEXT NOT NULL,\n"
    "    clock_suspect   INTEGER NOT NULL CHECK (clock_suspect IN (0, 1)),\n"
    "    unsent          BIGINT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS officers (\n"
    "    unit        TEXT NOT NULL,\n"
    "    code        TEXT NOT NULL,\n"
    "    name        TEXT NOT NULL,\n"
    "    title       TEXT NOT NULL,\n"
    "    counter     TEXT NOT NULL,\n"
    "    kiosk_id    TEXT NOT NULL,\n"
    "    updated_at  BIGINT NOT NULL,\n"
    "    PRIMARY KEY (unit, code)\n"
    ");\n",

    /* 6: totals kept up to date at ingest (db_totals.c), so that pages at province scale read
     * thousands of rows, not millions of votes. Keyed by kiosk (its unit is joined when read, as
     * for votes): per kiosk, Vietnam-local day number and officer (a commune's page: its kiosks'
     * rows); per day and kiosk, and per local month (year * 12 + month - 1) and kiosk (the
     * province's overview: a year is 12 months x kiosks, not 365 days x kiosks x officers);
     * counted votes per kiosk, day and local hour (the hour x weekday map); reasons given per
     * kiosk, day and officer. Filled here from the votes already stored (tot_reason and
     * tot_kmonth after this script: reason_backfill, db_totals_months). */
    "CREATE TABLE IF NOT EXISTS tot_day (\n"
    "    kiosk_id     TEXT NOT NULL,\n"
    "    day          BIGINT NOT NULL,\n"
    "    officer_code TEXT NOT NULL,\n" TOT_COLS "    PRIMARY KEY (kiosk_id, day, officer_code)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS tot_kday (\n"
    "    day          BIGINT NOT NULL,\n"
    "    kiosk_id     TEXT NOT NULL,\n" TOT_COLS "    PRIMARY KEY (day, kiosk_id)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS tot_kmonth (\n"
    "    month        BIGINT NOT NULL,\n"
    "    kiosk_id     TEXT NOT NULL,\n" TOT_COLS "    PRIMARY KEY (month, kiosk_id)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS tot_hour (\n"
    "    kiosk_id     TEXT NOT NULL,\n"
    "    day          BIGINT NOT NULL,\n"
    "    hour         INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),\n"
    "    n            BIGINT NOT NULL,\n"
    "    PRIMARY KEY (kiosk_id, day, hour)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS tot_reason (\n"
    "    kiosk_id     TEXT NOT NULL,\n"
    "    day          BIGINT NOT NULL,\n"
    "    officer_code TEXT NOT NULL,\n"
    "    reason       TEXT NOT NULL,\n"
    "    n            BIGINT NOT NULL,\n"
    "    PRIMARY KEY (kiosk_id, day, officer_code, reason)\n"
    ");\n" TOT_FILL,

    /* 7: the dashboard's users and their sessions, each unit's reasons' labels (from the kiosks'
     * health reports), and alerts: the operator's rules, the alerts they raised (one row per
     * alert and channel, with its deliveries), the cursor of the votes already looked at. */
    "CREATE TABLE IF NOT EXISTS users (\n"
    "    name         TEXT PRIMARY KEY NOT NULL,\n"
    "    role         TEXT NOT NULL CHECK (role IN ('province', 'commune', 'officer')),\n"
    "    unit         TEXT NOT NULL,\n"
    "    officer_code TEXT NOT NULL,\n"
    "    pw_hash      TEXT NOT NULL,\n"
    "    failed       INTEGER NOT NULL DEFAULT 0,\n"
    "    locked_until BIGINT NOT NULL DEFAULT 0,\n"
    "    created_at   BIGINT NOT NULL,\n"
    "    disabled_at  BIGINT\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS sessions (\n"
    "    id_hash      TEXT PRIMARY KEY NOT NULL CHECK (length(id_hash) = 64),\n"
    "    user_name    TEXT NOT NULL,\n"
    "    csrf         TEXT NOT NULL,\n"
    "    created_at   BIGINT NOT NULL,\n"
    "    expires_at   BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_name);\n"
    "CREATE TABLE IF NOT EXISTS alert_rules (\n"
    "    name         TEXT PRIMARY KEY NOT NULL,\n"
    "    kind         TEXT NOT NULL CHECK (kind IN ('chua-hai-long', 'nhieu-chua-hai-long',\n"
    "                 'may-im-lang')),\n"
    "    unit         TEXT NOT NULL,\n"
    "    threshold    INTEGER NOT NULL,\n"
    "    window_min   INTEGER NOT NULL,\n"
    "    email        TEXT NOT NULL,\n"
    "    webhook      TEXT NOT NULL,\n"
    "    created_at   BIGINT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS alerts (\n"
    "    id           TEXT PRIMARY KEY NOT NULL,\n"
    "    rule         TEXT NOT NULL,\n"
    "    kind         TEXT NOT NULL,\n"
    "    unit         TEXT NOT NULL,\n"
    "    kiosk_id     TEXT NOT NULL,\n"
    "    officer_code TEXT NOT NULL,\n"
    "    subject      TEXT NOT NULL,\n"
    "    body         TEXT NOT NULL,\n"
    "    channel      TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),\n"
    "    target       TEXT NOT NULL,\n"
    "    created_at   BIGINT NOT NULL,\n"
    "    attempts     INTEGER NOT NULL DEFAULT 0,\n"
    "    next_at      BIGINT NOT NULL,\n"
    "    sent_at      BIGINT NOT NULL DEFAULT 0,\n"
    "    gave_up      INTEGER NOT NULL DEFAULT 0,\n"
    "    last_error   TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS alerts_due ON alerts (sent_at, gave_up, next_at);\n"
    "CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created_at);\n"
    "CREATE TABLE IF NOT EXISTS alert_cursor (\n"
    "    name         TEXT PRIMARY KEY NOT NULL,\n"
    "    value        BIGINT NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS votes_received_at ON votes (received_at);\n"
    "CREATE TABLE IF NOT EXISTS reasons (\n"
    "    unit        TEXT NOT NULL,\n"
    "    code        TEXT NOT NULL,\n"
    "    label       TEXT NOT NULL,\n"
    "    updated_at  BIGINT NOT NULL,\n"
    "    PRIMARY KEY (unit, code)\n"
    ");\n",

    /* 8: the feedback inbox (db_feedback.c): the items kiosks send (góp ý, phản ánh – kiến nghị,
     * biểu dương), their handling (state, handler, due date) and its log; contact data only with
     * consent (the CHECK), erased when its retention time ends (contact_erased_at); each unit's
     * letterhead (body, place, chairman) and the register of the Chairman's letters. */
    "CREATE TABLE IF NOT EXISTS feedback (\n"
    "    uuid            TEXT PRIMARY KEY NOT NULL,\n"
    "    kiosk_id        TEXT NOT NULL,\n"
    "    unit            TEXT NOT NULL,\n"
    "    seq             BIGINT NOT NULL,\n"
    "    kind            TEXT NOT NULL CHECK (kind IN ('gop-y', 'phan-anh', 'bieu-duong')),\n"
    "    officer_code    TEXT NOT NULL,\n"
    "    vote_uuid       TEXT NOT NULL,\n"
    "    body            TEXT NOT NULL,\n"
    "    consent         INTEGER NOT NULL CHECK (consent IN (0, 1)),\n"
    "    contact_name    TEXT NOT NULL,\n"
    "    contact_phone   TEXT NOT NULL,\n"
    "    contact_address TEXT NOT NULL,\n"
    "    contact_erased_at BIGINT NOT NULL DEFAULT 0,\n"
    "    created_at      BIGINT NOT NULL,\n"
    "    placed_at       BIGINT NOT NULL,\n"
    "    received_at     BIGINT NOT NULL,\n"
    "    clock_suspect   INTEGER NOT NULL,\n"
    "    state           TEXT NOT NULL DEFAULT 'moi'\n"
    "                    CHECK (state IN ('moi', 'dang-xu-ly', 'da-tra-loi', 'dong')),\n"
    "    handler         TEXT NOT NULL DEFAULT '',\n"
    "    due_at          BIGINT NOT NULL,\n"
    "    updated_at      BIGINT NOT NULL,\n"
    "    CHECK (consent = 1 OR (contact_name = '' AND contact_phone = ''\n"
    "                           AND contact_address = ''))\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS feedback_unit ON feedback (unit, received_at);\n"
    "CREATE INDEX IF NOT EXISTS feedback_erase ON feedback (received_at)\n"
    "    WHERE consent = 1 AND contact_erased_at = 0;\n"
    "CREATE TABLE IF NOT EXISTS feedback_log (\n"
    "    uuid        TEXT NOT NULL,\n"
    "    at          BIGINT NOT NULL,\n"
    "    user_name   TEXT NOT NULL,\n"
    "    action      TEXT NOT NULL,\n"
    "    note        TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS feedback_log_uuid ON feedback_log (uuid, at);\n"
    "CREATE TABLE IF NOT EXISTS unit_profiles (\n"
    "    unit        TEXT PRIMARY KEY NOT NULL,\n"
    "    body        TEXT NOT NULL,\n"
    "    place       TEXT NOT NULL,\n"
    "    chairman    TEXT NOT NULL,\n"
    "    symbol      TEXT NOT NULL,\n"
    "    updated_at  BIGINT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS letters (\n"
    "    unit        TEXT NOT NULL,\n"
    "    year        INTEGER NOT NULL,\n"
    "    number      INTEGER NOT NULL,\n"
    "    symbol      TEXT NOT NULL,\n"
    "    kind        TEXT NOT NULL CHECK (kind IN ('xin-loi', 'cam-on')),\n"
    "    feedback    TEXT NOT NULL,\n"
    "    recipient   TEXT NOT NULL,\n"
    "    signer      TEXT NOT NULL,\n"
    "    issued_at   BIGINT NOT NULL,\n"
    "    created_by  TEXT NOT NULL,\n"
    "    PRIMARY KEY (unit, year, number)\n"
    ");\n",

    /* 9: a fourth kind of alert rule, "phan-anh" (each phản ánh – kiến nghị a citizen sends):
     * alert_rules is rebuilt, since SQLite cannot alter a CHECK. */
    "CREATE TABLE alert_rules_new (\n"
    "    name         TEXT PRIMARY KEY NOT NULL,\n"
    "    kind         TEXT NOT NULL CHECK (kind IN ('chua-hai-long', 'nhieu-chua-hai-long',\n"
    "                 'may-im-lang', 'phan-anh')),\n"
    "    unit         TEXT NOT NULL,\n"
    "    threshold    INTEGER NOT NULL,\n"
    "    window_min   INTEGER NOT NULL,\n"
    "    email        TEXT NOT NULL,\n"
    "    webhook      TEXT NOT NULL,\n"
    "    created_at   BIGINT NOT NULL\n"
    ");\n"
    "INSERT INTO alert_rules_new (name, kind, unit, threshold, window_min, email, webhook,\n"
    "                             created_at)\n"
    "    SELECT name, kind, unit, threshold, window_min, email, webhook, created_at\n"
    "    FROM alert_rules;\n"
    "DROP TABLE alert_rules;\n"
    "ALTER TABLE alert_rules_new RENAME TO alert_rules;\n",

#ifdef HL_TEST_SCHEMA_BUMP
    /* Test builds only (cmake -DHL_TEST_SCHEMA_BUMP=ON; never in a release): one more, harmless
     * migration, so that the upgrade test can build "the next version" from this very tree and
     * upgrade the normal build's database with it (the copy made before the migration, every
     * vote kept, and the normal build then refusing the upgraded database). */
    "CREATE TABLE IF NOT EXISTS upgrade_test_marker (x INTEGER);\n",
#endif
};

/* Fills tot_reason from the votes stored before schema 6: SQLite's json_each, PostgreSQL's
 * json_array_elements_text (the column holds a JSON array of codes, checked at ingest). */
static const char *const reason_backfill[2] = {
    "INSERT INTO tot_reason SELECT v.kiosk_id, (v.placed_at + 25200000) / 86400000,"
    " v.officer_code, j.value, count(*) FROM votes v,"
    " json_each(CASE WHEN json_valid(v.reasons) THEN v.reasons ELSE '[]' END) j"
    " WHERE v.misuse = 0 GROUP BY 1, 2, 3, 4",
    "INSERT INTO tot_reason SELECT v.kiosk_id, (v.placed_at + 25200000) / 86400000,"
    " v.officer_code, j.value, count(*) FROM votes v,"
    " json_array_elements_text(v.reasons::json) j(value) WHERE v.misuse = 0 GROUP BY 1, 2, 3, 4",
};

/* ---- the runner ---- */

const char *db_col_text(const db_row *r, int c)
{
    if (r->st) {
        const unsigned char *t = sqlite3_column_text(r->st, c);
        return t ? (const char *)t : "";
    }
    return PQgetisnull(r->res, 0, c) ? "" : PQgetvalue(r->res, 0, c);
}

int db_col_null(const db_row *r, int c)
{
    if (r->st)
        return sqlite3_column_type(r->st, c) == SQLITE_NULL;
    return PQgetisnull(r->res, 0, c);
}

int64_t db_col_int(const db_row *r, int c)
{
    if (r->st)
        return sqlite3_column_int64(r->st, c);
    const char *s = PQgetvalue(r->res, 0, c);
    return s ? strtoll(s, NULL, 10) : 0;
}

void db_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* libpq's messages end in a newline and may span lines; a log entry is one line. */
    for (char *p = err; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = *(p + 1) ? ' ' : '\0';
}

static void pg_check_broken(db *d)
{
    if (d->pg && PQstatus(d->pg) == CONNECTION_BAD)
        d->broken = 1;
}

void db_stmt_free(db *d, db_stmt *s, int dealloc)
{
    sqlite3_finalize(s->st);
    s->st = NULL;
    free(s->pos);
    s->pos = NULL;
    s->n_pos = 0;
    if (dealloc && s->pg_name[0] && d->pg && !d->broken) {
        char text[48];
        snprintf(text, sizeof text, "DEALLOCATE %s", s->pg_name);
        PQclear(PQexec(d->pg, text));
    }
    s->pg_name[0] = '\0';
}

int db_stmt_prepare(db *d, db_stmt *s, const char *name, const char *text, char *err, size_t errlen)
{
    if (d->kind == DB_SQLITE) {
        if (s->st)
            return 0;
        if (sqlite3_prepare_v3(d->lite, text, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
            SQLITE_OK) {
            db_set_err(err, errlen, "database: preparing a statement: %s", sqlite3_errmsg(d->lite));
            return 1;
        }
        /* SQLite numbers parameters in order of first appearance, not by their $N: map them
         * once here instead of looking every name up on every execution. */
        int count = sqlite3_bind_parameter_count(s->st);
        for (int i = 1; i <= count; i++) {
            const char *pn = sqlite3_bind_parameter_name(s->st, i);
            long k;
            if (!pn || pn[0] != '$' || util_parse_int(pn + 1, 1, 1000000, &k) != 0)
                continue;
            if (k > s->n_pos) {
                s->pos = xrealloc(s->pos, (size_t)k * sizeof *s->pos);
                memset(s->pos + s->n_pos, 0, (size_t)(k - s->n_pos) * sizeof *s->pos);
                s->n_pos = (int)k;
            }
            s->pos[k - 1] = i;
        }
        return 0;
    }
    if (s->pg_name[0])
        return 0;
    PGresult *res = PQprepare(d->pg, name, text, 0, NULL);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        db_set_err(err, errlen, "database: preparing a statement: %s", PQerrorMessage(d->pg));
    PQclear(res);
    if (!ok) {
        pg_check_broken(d);
        return 1;
    }
    util_strlcpy(s->pg_name, name, sizeof s->pg_name);
    return 0;
}

#define MAX_PARAMS 16 /* the other statements' parameters, on the stack */

int db_run_stmt(db *d, db_stmt *sm, const db_val *p, int np, db_row_fn fn, void *ctx,
                int64_t *changes, char *err, size_t errlen)
{
    if (changes)
        *changes = 0;
    if (d->kind == DB_SQLITE) {
        sqlite3_stmt *st = sm->st;
        for (int k = 0; k < np; k++) {
            int idx = k < sm->n_pos ? sm->pos[k] : 0;
            if (idx == 0)
                continue;
            if (p[k].is_text && p[k].s)
                sqlite3_bind_text(st, idx, p[k].s, -1, SQLITE_STATIC);
            else if (p[k].is_text)
                sqlite3_bind_null(st, idx);
            else
                sqlite3_bind_int64(st, idx, p[k].i);
        }
        int rc, stop = 0;
        db_row r = {d, st, NULL};
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (fn && !stop)
                stop = fn(&r, ctx);
            if (stop)
                break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            db_set_err(err, errlen, "database: %s", sqlite3_errmsg(d->lite));
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return 1;
        }
        if (changes)
            *changes = sqlite3_changes(d->lite);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return 0;
    }

    /* Integers travel as text; a batch's insert has thousands of parameters, the other
     * statements a few (kept on the stack). */
    char ibuf_small[MAX_PARAMS][24];
    const char *values_small[MAX_PARAMS] = {NULL};
    char(*ibuf)[24] = ibuf_small;
    const char **values = values_small;
    if (np > MAX_PARAMS) {
        ibuf = xmalloc((size_t)np * sizeof *ibuf);
        values = xmalloc((size_t)np * sizeof *values);
    }
    for (int k = 0; k < np; k++) {
        if (p[k].is_text) {
            values[k] = p[k].s;
        } else {
            snprintf(ibuf[k], sizeof ibuf[k], "%" PRId64, p[k].i);
            values[k] = ibuf[k];
        }
    }
    int sent = PQsendQueryPrepared(d->pg, sm->pg_name, np, values, NULL, NULL, 0);
    if (np > MAX_PARAMS) {
        free(ibuf);
        free(values);
    }
    if (!sent) {
        db_set_err(err, errlen, "database: %s", PQerrorMessage(d->pg));
        pg_check_broken(d);
        return 1;
    }
    /* One row at a time: a year's CSV export must not be held in memory whole. */
    PQsetSingleRowMode(d->pg);
    int rc = 0, stop = 0;
    PGresult *res;
    while ((res = PQgetResult(d->pg)) != NULL) {
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_SINGLE_TUPLE) {
            db_row r = {d, NULL, res};
            if (fn && !stop && rc == 0)
                stop = fn(&r, ctx);
        } else if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
            if (changes) {
                const char *t = PQcmdTuples(res);
                *changes = (t && *t) ? strtoll(t, NULL, 10) : 0;
            }
        } else if (rc == 0) {
            db_set_err(err, errlen, "database: %s", PQresultErrorMessage(res));
            rc = 1;
        }
        PQclear(res);
    }
    if (rc)
        pg_check_broken(d);
    return rc;
}

int db_run(db *d, int q, const db_val *p, int np, db_row_fn fn, void *ctx, int64_t *changes,
           char *err, size_t errlen)
{
    char name[16];
    snprintf(name, sizeof name, "q%d", q);
    if (db_stmt_prepare(d, &d->q[q], name, db_sql[q], err, errlen))
        return 1;
    return db_run_stmt(d, &d->q[q], p, np, fn, ctx, changes, err, errlen);
}

/* Runs SQL text without parameters or results (transaction control, schema). */
static int exec_plain(db *d, const char *text, char *err, size_t errlen)
{
    if (d->kind == DB_SQLITE) {
        char *msg = NULL;
        if (sqlite3_exec(d->lite, text, NULL, NULL, &msg) != SQLITE_OK) {
            db_set_err(err, errlen, "database: %s", msg ? msg : sqlite3_errmsg(d->lite));
            sqlite3_free(msg);
            return 1;
        }
        return 0;
    }
    PGresult *res = PQexec(d->pg, text);
    ExecStatusType s = PQresultStatus(res);
    int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok)
        db_set_err(err, errlen, "database: %s", PQresultErrorMessage(res));
    PQclear(res);
    if (!ok)
        pg_check_broken(d);
    return ok ? 0 : 1;
}

int db_tx_begin(db *d, char *err, size_t errlen)
{
    /* IMMEDIATE: take SQLite's write lock up front, so two writers queue on busy_timeout instead
     * of one failing at its first write with a lock it cannot upgrade. */
    return exec_plain(d, d->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", err, errlen);
}

int db_tx_commit(db *d, char *err, size_t errlen)
{
    return exec_plain(d, "COMMIT", err, errlen);
}

void db_tx_rollback(db *d)
{
    if (d->kind == DB_SQLITE && sqlite3_get_autocommit(d->lite))
        return; /* SQLite already rolled back by itself (I/O error, disk full) */
    exec_plain(d, "ROLLBACK", NULL, 0);
}

int db_refuse_writes(db *d, char *err, size_t errlen)
{
    return exec_plain(d,
                      d->kind == DB_SQLITE ? "PRAGMA query_only = ON"
                                           : "SET default_transaction_read_only = on",
                      err, errlen);
}

int db_tx_end(db *d, int failed, char *err, size_t errlen)
{
    if (!failed && db_tx_commit(d, err, errlen) == 0)
        return 0;
    db_tx_rollback(d);
    return 1;
}

int db_get_int_cb(const db_row *r, void *ctx)
{
    *(int64_t *)ctx = db_col_int(r, 0);
    return 1;
}

/* ---- connections and the schema ---- */

int db_totals_rebuild(db *d, char *err, size_t errlen)
{
    if (db_tx_begin(d, err, errlen))
        return 1;
    int failed = exec_plain(d,
                            "DELETE FROM tot_day; DELETE FROM tot_kday; DELETE FROM tot_kmonth;"
                            " DELETE FROM tot_hour; DELETE FROM tot_reason;",
                            err, errlen) ||
                 exec_plain(d, TOT_FILL, err, errlen) ||
                 exec_plain(d, reason_backfill[d->kind == DB_POSTGRES], err, errlen) ||
                 db_totals_months(d, err, errlen);
    return db_tx_end(d, failed, err, errlen);
}

int db_schema_version(void)
{
    return (int)HL_ARRAY_LEN(migrations);
}

static int migrate(db *d, char *err, size_t errlen)
{
    if (db_tx_begin(d, err, errlen))
        return 1;
    int failed = 0;
    if (d->kind == DB_POSTGRES) {
        char lock[64];
        snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d)", PG_SCHEMA_LOCK);
        failed = exec_plain(d, lock, err, errlen);
    }
    if (!failed)
        failed = exec_plain(
            d, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err, errlen);
    int64_t v = 0;
    if (!failed)
        failed = db_run(d, Q_SCHEMA_VERSION, NULL, 0, db_get_int_cb, &v, NULL, err, errlen);
    int latest = db_schema_version();
    if (!failed && v > latest) {
        db_newer_message(d, v, latest, err, errlen);
        db_tx_rollback(d);
        return 2;
    }
    /* An existing database is copied aside (SQLite) under the same write lock before its first
     * migration; a new, empty one has nothing to lose. */
    if (!failed && v > 0 && v < latest)
        failed = db_backup_before_migration(d, v, latest, err, errlen);
    for (int64_t i = v; !failed && i < latest; i++) {
        db_val p[] = {db_vi(i + 1)};
        failed = exec_plain(d, migrations[i], err, errlen) ||
                 db_run(d, Q_SCHEMA_SET, p, 1, NULL, NULL, NULL, err, errlen);
    }
    /* Migration 6's reasons: the one step whose SQL differs between the backends (JSON). */
    if (!failed && v < 6 && latest >= 6)
        failed = exec_plain(d, reason_backfill[d->kind == DB_POSTGRES], err, errlen) ||
                 db_totals_months(d, err, errlen);
    if (!failed && v < latest) {
        db_val p[] = {db_vs(DB_PROGRAM " " HL_VERSION), db_vi(latest)};
        failed = db_run(d, Q_SCHEMA_NOTE_PROGRAM, p, 2, NULL, NULL, NULL, err, errlen);
    }
    return db_tx_end(d, failed, err, errlen);
}

int db_check_url(const char *url, char *err, size_t errlen)
{
    if (url && strncmp(url, "sqlite:", 7) == 0 && url[7])
        return 0;
    if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0))
        return 0;
    db_set_err(err, errlen,
               "--db: \"%s\" is not sqlite:PATH or postgresql://USER@HOST/DATABASE; e.g. "
               "sqlite:/var/lib/hailong-collector/collector.db",
               url ? url : "");
    return HL_EXIT_USAGE;
}

int db_no_database(const char *path, char *err, size_t errlen)
{
    if (path)
        db_set_err(err, errlen,
                   "%s: no such collector database; create it with `hailong-collector init --db "
                   "sqlite:%s` or check --db / collector.conf",
                   path, path);
    else
        db_set_err(err, errlen,
                   "PostgreSQL: this database has no collector schema; create it with "
                   "`hailong-collector init --db URL` (the same URL) or check --db / "
                   "collector.conf");
    return HL_EXIT_USAGE;
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation ... already exists, skipping" and the like */
}

static int open_sqlite(db *d, const char *path, int create, char *err, size_t errlen)
{
    /* Only `init` creates the file: any other command run in the wrong folder or with a typo in
     * --db must not start a new, empty database beside the real one. */
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (!create && access(path, F_OK) != 0 && errno == ENOENT)
        return db_no_database(path, err, errlen);
    d->path = xstrdup(path);
    if (sqlite3_open_v2(path, &d->lite, flags, NULL) != SQLITE_OK) {
        db_set_err(err, errlen, "%s: cannot open the database: %s", path,
                   d->lite ? sqlite3_errmsg(d->lite) : "out of memory");
        return 1;
    }
    sqlite3_busy_timeout(d->lite, BUSY_TIMEOUT_MS);
    /* WAL lets readers (exports, summaries, `sqlite3 .backup`) run beside the writer; FULL makes
     * each committed batch durable before the kiosk is told 200 and forgets it. */
    char mode[16] = "";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->lite, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        util_strlcpy(mode, t ? (const char *)t : "", sizeof mode);
    }
    sqlite3_finalize(st);
    if (strcmp(mode, "wal") != 0) {
        db_set_err(err, errlen, "%s: cannot switch to WAL mode: %s", path, sqlite3_errmsg(d->lite));
        return 1;
    }
    return exec_plain(d, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err, errlen);
}

static int open_pg(db *d, const char *url, char *err, size_t errlen)
{
    d->pg = PQconnectdb(url);
    if (!d->pg || PQstatus(d->pg) != CONNECTION_OK) {
        db_set_err(err, errlen, "PostgreSQL: cannot connect: %s",
                   d->pg ? PQerrorMessage(d->pg) : "out of memory");
        return 1;
    }
    PQsetNoticeProcessor(d->pg, pg_quiet, NULL);
    if (PQsetClientEncoding(d->pg, "UTF8") != 0) {
        db_set_err(err, errlen, "PostgreSQL: cannot use UTF8: %s", PQerrorMessage(d->pg));
        return 1;
    }
    return 0;
}

/* Whether the collector's schema is there (its schema_version table, made by every version):
 * 1, 0, or -1 on a database error. */
static int has_schema(db *d, char *err, size_t errlen)
{
    const char *q =
        d->kind == DB_SQLITE
            ? "SELECT count(*) FROM sqlite_master"
              " WHERE type = 'table' AND name = 'schema_version'"
            : "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END";
    db_stmt s = {0};
    int64_t n = 0;
    int rc = db_stmt_prepare(d, &s, "has_schema", q, err, errlen) ||
             db_run_stmt(d, &s, NULL, 0, db_get_int_cb, &n, NULL, err, errlen);
    db_stmt_free(d, &s, 1);
    return rc ? -1 : n > 0;
}

static int open_url(const char *url, int create, int *created, db **out, char *err, size_t errlen)
{
    *out = NULL;
    int rc = db_check_url(url, err, errlen);
    if (rc)
        return rc;
    db *d = xcalloc(1, sizeof *d);
    if (strncmp(url, "sqlite:", 7) == 0) {
        d->kind = DB_SQLITE;
        rc = open_sqlite(d, url + 7, create, err, errlen);
    } else {
        d->kind = DB_POSTGRES;
        rc = open_pg(d, url, err, errlen);
    }
    if (rc == 0) {
        int have = has_schema(d, err, errlen);
        if (have < 0)
            rc = 1;
        else if (!have && !create)
            rc = db_no_database(d->kind == DB_SQLITE ? url + 7 : NULL, err, errlen);
        else if (created)
            *created = !have;
    }
    if (rc == 0)
        rc = migrate(d, err, errlen);
    if (rc) {
        db_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

int db_open(const char *url, db **out, char *err, size_t errlen)
{
    return open_url(url, 0, NULL, out, err, errlen);
}

int db_create(const char *url, int *created, db **out, char *err, size_t errlen)
{
    int c = 0;
    int rc = open_url(url, 1, &c, out, err, errlen);
    if (created)
        *created = rc == 0 && c;
    return rc;
}

void db_close(db *d)
{
    if (!d)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        db_stmt_free(d, &d->q[i], 0);
    for (int i = 0; i < VOTE_SLOTS; i++) {
        db_stmt_free(d, &d->ins[i], 0);
        free(d->ins_sql[i]);
    }
    if (d->lite)
        sqlite3_close(d->lite);
    if (d->pg)
        PQfinish(d->pg);
    free(d->path);
    free(d);
}

int db_kind(const db *d)
{
    return d->kind;
}

int db_broken(const db *d)
{
    return d->broken;
}
