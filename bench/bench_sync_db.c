/* bench_sync_db: the baseline bench_sync compares the collector with: the same rows inserted into
 * its schema by hand; also counting what a database holds and the PostgreSQL schemas of a run. */
#include "bench_sync.h"

#include "buf.h"
#include "db.h"
#include "util.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long bench_count_votes(const char *db_url)
{
    db *d = NULL;
    char err[HL_ERR_MAX];
    if (db_open(db_url, &d, err, sizeof err) != 0)
        bench_die("%s", err);
    db_close(d);
    long n = -1;
    if (strncmp(db_url, "sqlite:", 7) == 0) {
        sqlite3 *s;
        sqlite3_stmt *st;
        if (sqlite3_open_v2(db_url + 7, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(s, "SELECT count(DISTINCT uuid) FROM votes", -1, &st, NULL) ==
                SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                n = (long)sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
        sqlite3_close(s);
    } else {
        PGconn *c = PQconnectdb(db_url);
        PGresult *r = PQexec(c, "SELECT count(DISTINCT uuid) FROM votes");
        if (PQresultStatus(r) == PGRES_TUPLES_OK)
            if (util_parse_int(PQgetvalue(r, 0, 0), 0, 1L << 40, &n) != 0)
                n = -1;
        PQclear(r);
        PQfinish(c);
    }
    return n;
}

/* INSERT INTO votes (...) VALUES (...) for rows rows, parameters $1... in order (placed_at left
 * at its default: the benchmark measures the insert, not the reports). */
static char *raw_sql(int rows)
{
    buf b = {0};
    buf_str(&b, "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
                " created_at, misuse, received_at, clock_suspect, batch_id) VALUES ");
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < 12; c++)
            buf_printf(&b, "%s$%d%s", c ? "" : r ? ",(" : "(", r * 12 + c + 1, c == 11 ? ")" : ",");
    return buf_take(&b);
}

/* The 12 values of vote v as text (for libpq) into t[12][24] / p[12]. */
static void pg_values(const wire_vote *v, int64_t now, const char *batch_id, char t[][24],
                      const char **p)
{
    snprintf(t[2], 24, "%lld", (long long)v->seq);
    snprintf(t[5], 24, "%d", v->rating);
    snprintf(t[7], 24, "%lld", (long long)v->created_at);
    snprintf(t[8], 24, "%d", v->misuse);
    snprintf(t[9], 24, "%lld", (long long)now);
    snprintf(t[10], 24, "%d",
             db_clock_judge(v->created_at, v->clock_suspect, now, now).clock_suspect);
    p[0] = v->uuid, p[1] = KIOSK_ID, p[2] = t[2], p[3] = v->boot_id, p[4] = v->officer_code;
    p[5] = t[5], p[6] = v->reasons, p[7] = t[7], p[8] = t[8], p[9] = t[9], p[10] = t[10];
    p[11] = batch_id;
}

static void lite_bind(sqlite3_stmt *st, int base, const wire_vote *v, int64_t now,
                      const char *batch_id)
{
    sqlite3_bind_text(st, base + 1, v->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, base + 2, KIOSK_ID, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, base + 3, v->seq);
    sqlite3_bind_text(st, base + 4, v->boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, base + 5, v->officer_code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, base + 6, v->rating);
    sqlite3_bind_text(st, base + 7, v->reasons, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, base + 8, v->created_at);
    sqlite3_bind_int(st, base + 9, v->misuse);
    sqlite3_bind_int64(st, base + 10, now);
    sqlite3_bind_int(st, base + 11,
                     db_clock_judge(v->created_at, v->clock_suspect, now, now).clock_suspect);
    sqlite3_bind_text(st, base + 12, batch_id, -1, SQLITE_STATIC);
}

double bench_raw_insert(const char *db_url, const wire_vote *v, long n, int rows)
{
    db *d = NULL;
    char err[HL_ERR_MAX], batch_id[37];
    if (db_create(db_url, NULL, &d, err, sizeof err) != 0) /* the collector's schema, alone */
        bench_die("%s", err);
    db_close(d);
    int64_t now = bench_wall_ms();
    double t0 = 0, t1 = 0;
    char *full = raw_sql(rows);
    if (strncmp(db_url, "sqlite:", 7) == 0) {
        sqlite3 *s;
        sqlite3_stmt *st, *st_one;
        char *one = raw_sql(1);
        if (sqlite3_open(db_url + 7, &s) != SQLITE_OK ||
            sqlite3_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
                SQLITE_OK ||
            sqlite3_prepare_v2(s, full, -1, &st, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(s, one, -1, &st_one, NULL) != SQLITE_OK)
            bench_die("raw insert: %s", sqlite3_errmsg(s));
        free(one);
        t0 = bench_mono_s();
        for (long i = 0; i < n;) {
            util_uuid_v4(batch_id);
            long end = i + BATCH < n ? i + BATCH : n;
            sqlite3_exec(s, "BEGIN IMMEDIATE", NULL, NULL, NULL);
            while (i < end) {
                /* a whole statement's rows, or the rest one by one */
                int k = end - i >= rows ? rows : 1;
                sqlite3_stmt *use = k == rows ? st : st_one;
                for (int r = 0; r < k; r++)
                    lite_bind(use, r * 12, &v[i + r], now, batch_id);
                if (sqlite3_step(use) != SQLITE_DONE)
                    bench_die("raw insert: %s", sqlite3_errmsg(s));
                sqlite3_reset(use);
                i += k;
            }
            if (sqlite3_exec(s, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
                bench_die("raw insert: %s", sqlite3_errmsg(s));
        }
        t1 = bench_mono_s();
        sqlite3_finalize(st);
        sqlite3_finalize(st_one);
        sqlite3_close(s);
    } else {
        PGconn *c = PQconnectdb(db_url);
        if (PQstatus(c) != CONNECTION_OK)
            bench_die("raw insert: %s", PQerrorMessage(c));
        char *one = raw_sql(1);
        PGresult *r = PQprepare(c, "full", full, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            bench_die("raw insert: %s", PQerrorMessage(c));
        PQclear(r);
        r = PQprepare(c, "one", one, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            bench_die("raw insert: %s", PQerrorMessage(c));
        PQclear(r);
        free(one);
        char(*t)[24] = xmalloc((size_t)rows * 12 * sizeof *t);
        const char **pv = xmalloc((size_t)rows * 12 * sizeof *pv);
        t0 = bench_mono_s();
        for (long i = 0; i < n;) {
            util_uuid_v4(batch_id);
            long end = i + BATCH < n ? i + BATCH : n;
            PQclear(PQexec(c, "BEGIN"));
            while (i < end) {
                int k = end - i >= rows ? rows : 1;
                for (int q = 0; q < k; q++)
                    pg_values(&v[i + q], now, batch_id, t + q * 12, pv + q * 12);
                r = PQexecPrepared(c, k == rows ? "full" : "one", k * 12, pv, NULL, NULL, 0);
                if (PQresultStatus(r) != PGRES_COMMAND_OK)
                    bench_die("raw insert: %s", PQerrorMessage(c));
                PQclear(r);
                i += k;
            }
            r = PQexec(c, "COMMIT");
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                bench_die("raw insert: %s", PQerrorMessage(c));
            PQclear(r);
        }
        t1 = bench_mono_s();
        free(t);
        free(pv);
        PQfinish(c);
    }
    free(full);
    return t1 - t0;
}

/* ---- PostgreSQL schemas ---- */

static void pg_quiet(void *arg, const char *message)
{
    (void)arg, (void)message; /* "drop cascades to ..." */
}

char *bench_pg_schema_url(const char *base, const char *schema)
{
    PGconn *c = PQconnectdb(base);
    if (PQstatus(c) != CONNECTION_OK)
        bench_die("PostgreSQL: %s", PQerrorMessage(c));
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    char sql[256];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %.63s CASCADE; CREATE SCHEMA %.63s", schema,
             schema);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        bench_die("PostgreSQL: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    size_t cap = strlen(base) + strlen(schema) + 64;
    char *url = xmalloc(cap);
    snprintf(url, cap, "%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?",
             schema);
    return url;
}

void bench_pg_drop_schema(const char *base, const char *schema)
{
    PGconn *c = PQconnectdb(base);
    PQsetNoticeProcessor(c, pg_quiet, NULL);
    char sql[320];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %.63s CASCADE", schema);
    PQclear(PQexec(c, sql));
    PQfinish(c);
}
