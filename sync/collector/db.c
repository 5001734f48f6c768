/* db: one small runner (prepared statements, typed parameters, rows streamed to a callback) over
 * two backends. Every statement is written once with $1, $2 ... placeholders: PostgreSQL takes
 * them as positional parameters, SQLite as named parameters that we bind by name. */
#include "db.h"

#include "util.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a writer waits for another connection's transaction (another server thread, the CLI)
 * before giving up with a 503 the kiosk retries. */
#define BUSY_TIMEOUT_MS 5000

/* An arbitrary constant: the PostgreSQL advisory lock that serialises schema creation when
 * several collectors start at once (CREATE TABLE IF NOT EXISTS alone can race there). */
#define PG_SCHEMA_LOCK 7244823

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
};

enum {
    Q_SCHEMA_VERSION,
    Q_SCHEMA_SET,
    Q_TOKEN_LOOKUP,
    Q_TOKEN_ACTIVE,
    Q_TOKEN_INSERT,
    Q_TOKEN_REVOKE,
    Q_KIOSK_INSERT,
    Q_KIOSK_UNIT,
    Q_KIOSK_LIST,
    Q_VOTE_OWNER,
    Q_SUM_UNIT,
    Q_SUM_KIOSK,
    Q_SUM_OFFICER,
    Q_SUM_DAY,
    Q_VOTES,
    Q_PING,
    Q_COUNT
};

#define SUMMARY(key)                                                                               \
    "SELECT " key ","                                                                              \
    " sum(CASE WHEN v.misuse = 0 AND v.rating = 3 THEN 1 ELSE 0 END),"                             \
    " sum(CASE WHEN v.misuse = 0 AND v.rating = 2 THEN 1 ELSE 0 END),"                             \
    " sum(CASE WHEN v.misuse = 0 AND v.rating = 1 THEN 1 ELSE 0 END),"                             \
    " sum(v.misuse), sum(v.clock_suspect), count(*)"                                               \
    " FROM votes v LEFT JOIN kiosks k ON k.id = v.kiosk_id"                                        \
    " WHERE v.created_at >= $1 AND v.created_at < $2"                                              \
    " GROUP BY 1 ORDER BY 1"

static const char *const sql[Q_COUNT] = {
    [Q_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [Q_SCHEMA_SET] = "INSERT INTO schema_version (version) VALUES ($1)",
    [Q_TOKEN_LOOKUP] = "SELECT kind, name, revoked_at, token_hash FROM tokens"
                       " WHERE token_hash = $1",
    [Q_TOKEN_ACTIVE] = "SELECT count(*) FROM tokens"
                       " WHERE kind = $1 AND name = $2 AND revoked_at IS NULL",
    [Q_TOKEN_INSERT] = "INSERT INTO tokens (token_hash, kind, name, created_at)"
                       " VALUES ($1, $2, $3, $4)",
    [Q_TOKEN_REVOKE] = "UPDATE tokens SET revoked_at = $3"
                       " WHERE kind = $1 AND name = $2 AND revoked_at IS NULL",
    [Q_KIOSK_INSERT] = "INSERT INTO kiosks (id, unit, created_at) VALUES ($1, $2, $3)"
                       " ON CONFLICT (id) DO NOTHING",
    [Q_KIOSK_UNIT] = "UPDATE kiosks SET unit = $2 WHERE id = $1",
    [Q_KIOSK_LIST] = "SELECT k.id, k.unit, k.created_at,"
                     " (SELECT count(*) FROM tokens t WHERE t.kind = 'kiosk' AND t.name = k.id"
                     "  AND t.revoked_at IS NULL),"
                     " (SELECT count(*) FROM votes v WHERE v.kiosk_id = k.id),"
                     " (SELECT coalesce(max(v.received_at), 0) FROM votes v"
                     "  WHERE v.kiosk_id = k.id)"
                     " FROM kiosks k ORDER BY k.id",
    [Q_VOTE_OWNER] = "SELECT kiosk_id FROM votes WHERE uuid = $1",
    [Q_SUM_UNIT] = SUMMARY("coalesce(k.unit, '')"),
    [Q_SUM_KIOSK] = SUMMARY("v.kiosk_id"),
    [Q_SUM_OFFICER] = SUMMARY("v.officer_code"),
    /* The Vietnam-local day number (UTC+7, no DST): integer division on both backends. */
    [Q_SUM_DAY] = SUMMARY("(v.created_at + 25200000) / 86400000"),
    [Q_VOTES] = "SELECT v.uuid, v.kiosk_id, coalesce(k.unit, ''), v.seq, v.boot_id,"
                " v.officer_code, v.rating, v.reasons, v.created_at, v.received_at, v.misuse,"
                " v.clock_suspect"
                " FROM votes v LEFT JOIN kiosks k ON k.id = v.kiosk_id"
                " WHERE v.created_at >= $1 AND v.created_at < $2"
                " ORDER BY v.created_at, v.kiosk_id, v.seq",
    [Q_PING] = "SELECT 1",
};

/* A batch's votes go in with INSERT ... VALUES (row 1), (row 2), ... ON CONFLICT (uuid) DO NOTHING
 * RETURNING uuid: on PostgreSQL one statement for the whole batch, one round trip instead of one
 * per vote; on SQLite (3.35 and later have RETURNING) its one-row form once per vote. Its text
 * depends on the number of rows, so the last few sizes used stay prepared (a drain sends 500
 * after 500). */
#define VOTE_COLS  12
#define VOTE_SLOTS 4
#define MAX_PARAMS 16 /* the other statements' parameters, on the stack */

/* One prepared statement: SQLite's, or the name PostgreSQL knows it by. */
typedef struct {
    sqlite3_stmt *st;
    int *pos; /* SQLite: pos[k] is the bind index of $k+1 (0: not in the statement) */
    int n_pos;
    char pg_name[32]; /* "" until prepared on this connection */
} stmt;

struct db {
    int kind;
    int broken;
    sqlite3 *lite;
    PGconn *pg;
    stmt q[Q_COUNT];
    stmt ins[VOTE_SLOTS]; /* multi-row vote inserts */
    size_t ins_rows[VOTE_SLOTS];
    char *ins_sql[VOTE_SLOTS];
    int ins_next; /* the slot to reuse next */
};

/* A parameter: text (s, NULL for SQL NULL) or integer. */
typedef struct {
    int is_text;
    int64_t i;
    const char *s;
} val;

static val vi(int64_t i)
{
    val v = {0, i, NULL};
    return v;
}

static val vs(const char *s)
{
    val v = {1, 0, s};
    return v;
}

/* A result row during a callback. */
typedef struct {
    db *d;
    sqlite3_stmt *st;
    PGresult *res;
} row;

static const char *col_text(const row *r, int c)
{
    if (r->st) {
        const unsigned char *t = sqlite3_column_text(r->st, c);
        return t ? (const char *)t : "";
    }
    return PQgetisnull(r->res, 0, c) ? "" : PQgetvalue(r->res, 0, c);
}

static int col_null(const row *r, int c)
{
    if (r->st)
        return sqlite3_column_type(r->st, c) == SQLITE_NULL;
    return PQgetisnull(r->res, 0, c);
}

static int64_t col_int(const row *r, int c)
{
    if (r->st)
        return sqlite3_column_int64(r->st, c);
    const char *s = PQgetvalue(r->res, 0, c);
    return s ? strtoll(s, NULL, 10) : 0;
}

typedef int (*row_fn)(const row *r, void *ctx);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
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

/* dealloc: also forget it on the PostgreSQL connection (not when closing that anyway). */
static void stmt_free(db *d, stmt *s, int dealloc)
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

/* Prepares text as s (once per connection). name: PostgreSQL's name for it. 0, or 1 with err. */
static int stmt_prepare(db *d, stmt *s, const char *name, const char *text, char *err,
                        size_t errlen)
{
    if (d->kind == DB_SQLITE) {
        if (s->st)
            return 0;
        if (sqlite3_prepare_v3(d->lite, text, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL) !=
            SQLITE_OK) {
            set_err(err, errlen, "database: preparing a statement: %s", sqlite3_errmsg(d->lite));
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
        set_err(err, errlen, "database: preparing a statement: %s", PQerrorMessage(d->pg));
    PQclear(res);
    if (!ok) {
        pg_check_broken(d);
        return 1;
    }
    util_strlcpy(s->pg_name, name, sizeof s->pg_name);
    return 0;
}

/* Runs the prepared statement s with params, calling fn (may be NULL) per row; *changes (may be
 * NULL) gets the number of rows an INSERT/UPDATE changed. 0, or 1 with err. */
static int run_stmt(db *d, stmt *sm, const val *p, int np, row_fn fn, void *ctx, int64_t *changes,
                    char *err, size_t errlen)
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
        row r = {d, st, NULL};
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (fn && !stop)
                stop = fn(&r, ctx);
            if (stop)
                break;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            set_err(err, errlen, "database: %s", sqlite3_errmsg(d->lite));
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
        set_err(err, errlen, "database: %s", PQerrorMessage(d->pg));
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
            row r = {d, NULL, res};
            if (fn && !stop && rc == 0)
                stop = fn(&r, ctx);
        } else if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
            if (changes) {
                const char *t = PQcmdTuples(res);
                *changes = (t && *t) ? strtoll(t, NULL, 10) : 0;
            }
        } else if (rc == 0) {
            set_err(err, errlen, "database: %s", PQresultErrorMessage(res));
            rc = 1;
        }
        PQclear(res);
    }
    if (rc)
        pg_check_broken(d);
    return rc;
}

/* Runs statement q of sql[] (prepared on first use). */
static int run(db *d, int q, const val *p, int np, row_fn fn, void *ctx, int64_t *changes,
               char *err, size_t errlen)
{
    char name[16];
    snprintf(name, sizeof name, "q%d", q);
    if (stmt_prepare(d, &d->q[q], name, sql[q], err, errlen))
        return 1;
    return run_stmt(d, &d->q[q], p, np, fn, ctx, changes, err, errlen);
}

/* Runs SQL text without parameters or results (transaction control, schema). */
static int exec_plain(db *d, const char *text, char *err, size_t errlen)
{
    if (d->kind == DB_SQLITE) {
        char *msg = NULL;
        if (sqlite3_exec(d->lite, text, NULL, NULL, &msg) != SQLITE_OK) {
            set_err(err, errlen, "database: %s", msg ? msg : sqlite3_errmsg(d->lite));
            sqlite3_free(msg);
            return 1;
        }
        return 0;
    }
    PGresult *res = PQexec(d->pg, text);
    ExecStatusType s = PQresultStatus(res);
    int ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok)
        set_err(err, errlen, "database: %s", PQresultErrorMessage(res));
    PQclear(res);
    if (!ok)
        pg_check_broken(d);
    return ok ? 0 : 1;
}

static int tx_begin(db *d, char *err, size_t errlen)
{
    /* IMMEDIATE: take SQLite's write lock up front, so two writers queue on busy_timeout instead
     * of one failing at its first write with a lock it cannot upgrade. */
    return exec_plain(d, d->kind == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", err, errlen);
}

static int tx_commit(db *d, char *err, size_t errlen)
{
    return exec_plain(d, "COMMIT", err, errlen);
}

static void tx_rollback(db *d)
{
    if (d->kind == DB_SQLITE && sqlite3_get_autocommit(d->lite))
        return; /* SQLite already rolled back by itself (I/O error, disk full) */
    exec_plain(d, "ROLLBACK", NULL, 0);
}

static int get_int_cb(const row *r, void *ctx)
{
    *(int64_t *)ctx = col_int(r, 0);
    return 1;
}

int db_schema_version(void)
{
    return (int)HL_ARRAY_LEN(migrations);
}

static int migrate(db *d, char *err, size_t errlen)
{
    if (tx_begin(d, err, errlen))
        return 1;
    if (d->kind == DB_POSTGRES) {
        char lock[64];
        snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d)", PG_SCHEMA_LOCK);
        if (exec_plain(d, lock, err, errlen))
            goto fail;
    }
    if (exec_plain(d, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err,
                   errlen))
        goto fail;
    int64_t v = 0;
    if (run(d, Q_SCHEMA_VERSION, NULL, 0, get_int_cb, &v, NULL, err, errlen))
        goto fail;
    int latest = db_schema_version();
    if (v > latest) {
        set_err(err, errlen,
                "database: schema version %" PRId64 " is newer than this program's %d; install "
                "the newer hailong-collector",
                v, latest);
        tx_rollback(d);
        return 2;
    }
    for (int64_t i = v; i < latest; i++) {
        if (exec_plain(d, migrations[i], err, errlen))
            goto fail;
        val p[] = {vi(i + 1)};
        if (run(d, Q_SCHEMA_SET, p, 1, NULL, NULL, NULL, err, errlen))
            goto fail;
    }
    if (tx_commit(d, err, errlen))
        goto fail;
    return 0;
fail:
    tx_rollback(d);
    return 1;
}

int db_check_url(const char *url, char *err, size_t errlen)
{
    if (url && strncmp(url, "sqlite:", 7) == 0 && url[7])
        return 0;
    if (url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0))
        return 0;
    set_err(err, errlen,
            "--db: \"%s\" is not sqlite:PATH or postgresql://USER@HOST/DATABASE; e.g. "
            "sqlite:/var/lib/hailong/collector.db",
            url ? url : "");
    return HL_EXIT_USAGE;
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* "relation ... already exists, skipping" and the like */
}

static int open_sqlite(db *d, const char *path, char *err, size_t errlen)
{
    if (sqlite3_open_v2(path, &d->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        set_err(err, errlen, "%s: cannot open the database: %s", path,
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
        set_err(err, errlen, "%s: cannot switch to WAL mode: %s", path, sqlite3_errmsg(d->lite));
        return 1;
    }
    return exec_plain(d, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err, errlen);
}

static int open_pg(db *d, const char *url, char *err, size_t errlen)
{
    d->pg = PQconnectdb(url);
    if (!d->pg || PQstatus(d->pg) != CONNECTION_OK) {
        set_err(err, errlen, "PostgreSQL: cannot connect: %s",
                d->pg ? PQerrorMessage(d->pg) : "out of memory");
        return 1;
    }
    PQsetNoticeProcessor(d->pg, pg_quiet, NULL);
    if (PQsetClientEncoding(d->pg, "UTF8") != 0) {
        set_err(err, errlen, "PostgreSQL: cannot use UTF8: %s", PQerrorMessage(d->pg));
        return 1;
    }
    return 0;
}

int db_open(const char *url, db **out, char *err, size_t errlen)
{
    *out = NULL;
    int rc = db_check_url(url, err, errlen);
    if (rc)
        return rc;
    db *d = xcalloc(1, sizeof *d);
    if (strncmp(url, "sqlite:", 7) == 0) {
        d->kind = DB_SQLITE;
        rc = open_sqlite(d, url + 7, err, errlen);
    } else {
        d->kind = DB_POSTGRES;
        rc = open_pg(d, url, err, errlen);
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

void db_close(db *d)
{
    if (!d)
        return;
    for (int i = 0; i < Q_COUNT; i++)
        stmt_free(d, &d->q[i], 0);
    for (int i = 0; i < VOTE_SLOTS; i++) {
        stmt_free(d, &d->ins[i], 0);
        free(d->ins_sql[i]);
    }
    if (d->lite)
        sqlite3_close(d->lite);
    if (d->pg)
        PQfinish(d->pg);
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

/* ---- tokens ---- */

static const char *kind_name(int kind)
{
    return kind == DB_TOKEN_OPERATOR ? "operator" : "kiosk";
}

typedef struct {
    db_token *t;
} token_ctx;

static int token_cb(const row *r, void *ctx)
{
    db_token *t = ((token_ctx *)ctx)->t;
    t->found = 1;
    t->kind = strcmp(col_text(r, 0), "operator") == 0 ? DB_TOKEN_OPERATOR : DB_TOKEN_KIOSK;
    util_strlcpy(t->name, col_text(r, 1), sizeof t->name);
    t->revoked = !col_null(r, 2);
    util_strlcpy(t->hash, col_text(r, 3), sizeof t->hash);
    return 1;
}

int db_token_lookup(db *d, const char *hash_hex, db_token *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    token_ctx c = {out};
    val p[] = {vs(hash_hex)};
    return run(d, Q_TOKEN_LOOKUP, p, 1, token_cb, &c, NULL, err, errlen);
}

static int token_add(db *d, int kind, const char *name, const char *unit, const char *hash_hex,
                     int64_t now_ms, char *err, size_t errlen)
{
    if (tx_begin(d, err, errlen))
        return 1;
    int64_t active = 0;
    val pa[] = {vs(kind_name(kind)), vs(name)};
    if (run(d, Q_TOKEN_ACTIVE, pa, 2, get_int_cb, &active, NULL, err, errlen))
        goto fail;
    if (active > 0) {
        set_err(err, errlen,
                "%s \"%s\" already has an active token; to issue a new one, run "
                "`hailong-collector %s revoke %s` first",
                kind_name(kind), name, kind_name(kind), name);
        tx_rollback(d);
        return HL_EXIT_USAGE;
    }
    if (kind == DB_TOKEN_KIOSK) {
        val pk[] = {vs(name), vs(unit ? unit : ""), vi(now_ms)};
        if (run(d, Q_KIOSK_INSERT, pk, 3, NULL, NULL, NULL, err, errlen))
            goto fail;
        if (unit) {
            val pu[] = {vs(name), vs(unit)};
            if (run(d, Q_KIOSK_UNIT, pu, 2, NULL, NULL, NULL, err, errlen))
                goto fail;
        }
    }
    val pt[] = {vs(hash_hex), vs(kind_name(kind)), vs(name), vi(now_ms)};
    if (run(d, Q_TOKEN_INSERT, pt, 4, NULL, NULL, NULL, err, errlen))
        goto fail;
    if (tx_commit(d, err, errlen))
        goto fail;
    return 0;
fail:
    tx_rollback(d);
    return 1;
}

int db_kiosk_add(db *d, const char *id, const char *unit, const char *hash_hex, int64_t now_ms,
                 char *err, size_t errlen)
{
    return token_add(d, DB_TOKEN_KIOSK, id, unit, hash_hex, now_ms, err, errlen);
}

int db_operator_add(db *d, const char *name, const char *hash_hex, int64_t now_ms, char *err,
                    size_t errlen)
{
    return token_add(d, DB_TOKEN_OPERATOR, name, NULL, hash_hex, now_ms, err, errlen);
}

int db_token_revoke(db *d, int kind, const char *name, int64_t now_ms, char *err, size_t errlen)
{
    int64_t n = 0;
    val p[] = {vs(kind_name(kind)), vs(name), vi(now_ms)};
    if (run(d, Q_TOKEN_REVOKE, p, 3, NULL, NULL, &n, err, errlen))
        return 1;
    if (n == 0) {
        set_err(err, errlen, "%s \"%s\" has no active token", kind_name(kind), name);
        return HL_EXIT_USAGE;
    }
    return 0;
}

typedef struct {
    int (*fn)(const db_kiosk_row *r, void *ctx);
    void *ctx;
} kiosk_ctx;

static int kiosk_cb(const row *r, void *ctx)
{
    kiosk_ctx *c = ctx;
    db_kiosk_row k = {col_text(r, 0), col_text(r, 1), col_int(r, 2),
                      col_int(r, 4),  col_int(r, 5),  col_int(r, 3) > 0};
    return c->fn(&k, c->ctx);
}

int db_kiosk_list(db *d, int (*fn)(const db_kiosk_row *r, void *ctx), void *ctx, char *err,
                  size_t errlen)
{
    kiosk_ctx c = {fn, ctx};
    return run(d, Q_KIOSK_LIST, NULL, 0, kiosk_cb, &c, NULL, err, errlen);
}

/* ---- votes ---- */

int db_clock_suspect(int64_t created_at, int64_t received_at)
{
    return created_at - received_at > DB_SUSPECT_AHEAD_MS ||
           received_at - created_at > DB_SUSPECT_BEHIND_MS;
}

static int owner_cb(const row *r, void *ctx)
{
    util_strlcpy(ctx, col_text(r, 0), 64);
    return 1;
}

/* The prepared multi-row insert for n votes (a cached slot, or a new one replacing the oldest). */
static stmt *vote_insert(db *d, size_t n, char *err, size_t errlen)
{
    for (int i = 0; i < VOTE_SLOTS; i++)
        if (d->ins_rows[i] == n && (d->ins[i].st || d->ins[i].pg_name[0]))
            return &d->ins[i];
    int slot = d->ins_next;
    d->ins_next = (d->ins_next + 1) % VOTE_SLOTS;
    stmt_free(d, &d->ins[slot], 1);
    free(d->ins_sql[slot]);
    static const char head[] =
        "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
        " created_at, misuse, received_at, clock_suspect, batch_id) VALUES ";
    static const char tail[] = " ON CONFLICT (uuid) DO NOTHING RETURNING uuid";
    size_t cap = sizeof head + sizeof tail + n * (VOTE_COLS * 8 + 4);
    char *text = xmalloc(cap), *w = text;
    w += snprintf(w, cap, "%s", head);
    for (size_t r = 0; r < n; r++) {
        *w++ = r ? ',' : '(';
        if (r)
            *w++ = '(';
        for (int c = 0; c < VOTE_COLS; c++)
            w += snprintf(w, cap - (size_t)(w - text), "%s$%zu", c ? ", " : "",
                          r * VOTE_COLS + (size_t)c + 1);
        *w++ = ')';
    }
    snprintf(w, cap - (size_t)(w - text), "%s", tail);
    d->ins_sql[slot] = text;
    d->ins_rows[slot] = n;
    char name[32];
    snprintf(name, sizeof name, "ins%zu", n);
    if (stmt_prepare(d, &d->ins[slot], name, text, err, errlen)) {
        d->ins_rows[slot] = 0;
        return NULL;
    }
    return &d->ins[slot];
}

typedef struct {
    char (*uuid)[37];
    size_t n, cap;
} uuid_list;

static int returned_cb(const row *r, void *ctx)
{
    uuid_list *l = ctx;
    if (l->n < l->cap)
        util_strlcpy(l->uuid[l->n++], col_text(r, 0), sizeof l->uuid[0]);
    return 0;
}

static int uuid_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

int db_store_batch(db *d, const wire_batch *b, const char *kiosk_id, int64_t received_at,
                   wire_result *results, char *err, size_t errlen)
{
    for (size_t i = 0; i < b->n; i++)
        results[i] = b->results[i];
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        n += results[i].status != WIRE_REJECTED;
    val *p = xmalloc((n ? n : 1) * VOTE_COLS * sizeof *p);
    uuid_list got = {xmalloc((n ? n : 1) * sizeof *got.uuid), 0, n};
    val *w = p;
    for (size_t i = 0; i < b->n; i++) {
        if (results[i].status == WIRE_REJECTED)
            continue;
        const wire_vote *v = &b->votes[i];
        *w++ = vs(v->uuid);
        *w++ = vs(kiosk_id);
        *w++ = vi(v->seq);
        *w++ = vs(v->boot_id);
        *w++ = vs(v->officer_code);
        *w++ = vi(v->rating);
        *w++ = vs(v->reasons);
        *w++ = vi(v->created_at);
        *w++ = vi(v->misuse ? 1 : 0);
        *w++ = vi(received_at);
        *w++ = vi(db_clock_suspect(v->created_at, received_at));
        *w++ = vs(b->batch_id);
    }
    if (tx_begin(d, err, errlen))
        goto fail_early;
    /* PostgreSQL: every row in one statement (one round trip). SQLite runs in our process, where
     * a round trip costs nothing but preparing a 500-row statement costs ~0.15 s: there the
     * one-row form of the same statement runs once per vote. */
    size_t per = d->kind == DB_POSTGRES ? n : 1;
    for (size_t done = 0; done < n; done += per) {
        stmt *ins = vote_insert(d, per, err, errlen);
        if (!ins || run_stmt(d, ins, p + done * VOTE_COLS, (int)(per * VOTE_COLS), returned_cb,
                             &got, NULL, err, errlen))
            goto fail;
    }
    /* Inserted: accepted. Not inserted (the uuid was there already): a duplicate of this
     * kiosk's, or another kiosk's uuid; only resends get here, so one look-up each is fine. */
    qsort(got.uuid, got.n, sizeof got.uuid[0], uuid_cmp);
    for (size_t i = 0; i < b->n; i++) {
        if (results[i].status == WIRE_REJECTED)
            continue;
        const wire_vote *v = &b->votes[i];
        if (bsearch(v->uuid, got.uuid, got.n, sizeof got.uuid[0], uuid_cmp)) {
            results[i].status = WIRE_ACCEPTED;
            continue;
        }
        char owner[64] = "";
        val po[] = {vs(v->uuid)};
        if (run(d, Q_VOTE_OWNER, po, 1, owner_cb, owner, NULL, err, errlen))
            goto fail;
        if (strcmp(owner, kiosk_id) == 0) {
            results[i].status = WIRE_DUPLICATE;
        } else {
            results[i].status = WIRE_REJECTED;
            util_strlcpy(results[i].reason, "uuid already used by another kiosk",
                         sizeof results[i].reason);
        }
    }
    if (tx_commit(d, err, errlen))
        goto fail;
    free(p);
    free(got.uuid);
    return 0;
fail:
    tx_rollback(d);
fail_early:
    for (size_t i = 0; i < b->n; i++)
        results[i] = b->results[i];
    free(p);
    free(got.uuid);
    return 1;
}

/* ---- read side ---- */

typedef struct {
    int (*fn)(const db_summary_row *r, void *ctx);
    void *ctx;
} summary_ctx;

static int summary_cb(const row *r, void *ctx)
{
    summary_ctx *c = ctx;
    db_summary_row s = {col_text(r, 0), col_int(r, 1), col_int(r, 2), col_int(r, 3),
                        col_int(r, 4),  col_int(r, 5), col_int(r, 6)};
    return c->fn(&s, c->ctx);
}

int db_summary(db *d, const char *by, int64_t from_ms, int64_t to_ms,
               int (*fn)(const db_summary_row *r, void *ctx), void *ctx, char *err, size_t errlen)
{
    int q;
    if (strcmp(by, "unit") == 0)
        q = Q_SUM_UNIT;
    else if (strcmp(by, "kiosk") == 0)
        q = Q_SUM_KIOSK;
    else if (strcmp(by, "officer") == 0)
        q = Q_SUM_OFFICER;
    else if (strcmp(by, "day") == 0)
        q = Q_SUM_DAY;
    else {
        set_err(err, errlen, "by: \"%s\" is not unit, kiosk, officer or day", by);
        return HL_EXIT_USAGE;
    }
    summary_ctx c = {fn, ctx};
    val p[] = {vi(from_ms), vi(to_ms)};
    return run(d, q, p, 2, summary_cb, &c, NULL, err, errlen);
}

typedef struct {
    int (*fn)(const db_vote_row *r, void *ctx);
    void *ctx;
} votes_ctx;

static int votes_cb(const row *r, void *ctx)
{
    votes_ctx *c = ctx;
    db_vote_row v;
    v.uuid = col_text(r, 0);
    v.kiosk_id = col_text(r, 1);
    v.unit = col_text(r, 2);
    v.seq = col_int(r, 3);
    v.boot_id = col_text(r, 4);
    v.officer_code = col_text(r, 5);
    v.rating = (int)col_int(r, 6);
    v.reasons = col_text(r, 7);
    v.created_at = col_int(r, 8);
    v.received_at = col_int(r, 9);
    v.misuse = (int)col_int(r, 10);
    v.clock_suspect = (int)col_int(r, 11);
    return c->fn(&v, c->ctx);
}

int db_votes(db *d, int64_t from_ms, int64_t to_ms, int (*fn)(const db_vote_row *r, void *ctx),
             void *ctx, char *err, size_t errlen)
{
    votes_ctx c = {fn, ctx};
    val p[] = {vi(from_ms), vi(to_ms)};
    return run(d, Q_VOTES, p, 2, votes_cb, &c, NULL, err, errlen);
}

int db_ping(db *d, char *err, size_t errlen)
{
    int64_t one = 0;
    if (run(d, Q_PING, NULL, 0, get_int_cb, &one, NULL, err, errlen))
        return 1;
    return one == 1 ? 0 : 1;
}

/* ---- pool ---- */

struct db_pool {
    char *url;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    db **idle;
    int n_idle, open, max;
};

db_pool *db_pool_new(const char *url, int max_connections)
{
    db_pool *p = xcalloc(1, sizeof *p);
    p->url = xstrdup(url);
    p->max = max_connections > 0 ? max_connections : 1;
    p->idle = xcalloc((size_t)p->max, sizeof *p->idle);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    return p;
}

db *db_pool_get(db_pool *p, char *err, size_t errlen)
{
    pthread_mutex_lock(&p->mu);
    while (p->n_idle == 0 && p->open >= p->max)
        pthread_cond_wait(&p->cv, &p->mu);
    if (p->n_idle > 0) {
        db *d = p->idle[--p->n_idle];
        pthread_mutex_unlock(&p->mu);
        return d;
    }
    p->open++;
    pthread_mutex_unlock(&p->mu);
    /* Opening (and checking the schema) happens outside the lock: a slow PostgreSQL connect must
     * not hold up threads that could use an idle connection. */
    db *d = NULL;
    if (db_open(p->url, &d, err, errlen) != 0) {
        pthread_mutex_lock(&p->mu);
        p->open--;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    return d;
}

void db_pool_put(db_pool *p, db *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&p->mu);
    if (d->broken || p->n_idle >= p->max) {
        p->open--;
        pthread_mutex_unlock(&p->mu);
        db_close(d);
        pthread_mutex_lock(&p->mu);
    } else {
        p->idle[p->n_idle++] = d;
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void db_pool_free(db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_idle; i++)
        db_close(p->idle[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->idle);
    free(p->url);
    free(p);
}
