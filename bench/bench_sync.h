/* bench_sync.h: what the two files of bench_sync share: the batch size and kiosk id, timing and
 * dying, and (bench_sync_db.c) the collector's database read and written by hand. */
#ifndef HL_BENCH_SYNC_H
#define HL_BENCH_SYNC_H

#include "wire.h"

#include <stdint.h>

#define BATCH    500
#define KIOSK_ID "bench-01"

double bench_mono_s(void);
int64_t bench_wall_ms(void);
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Distinct uuids in the votes table of a collector's database (sqlite:PATH or PostgreSQL). */
long bench_count_votes(const char *db_url);
/* The same rows into the collector's schema, by hand, BATCH rows per transaction, with rows
 * rows per INSERT statement (1, or BATCH: one statement per transaction). Returns seconds. */
double bench_raw_insert(const char *db_url, const wire_vote *v, long n, int rows);
/* A fresh schema on the PostgreSQL server base; the URL (malloc'ed) that uses it. */
char *bench_pg_schema_url(const char *base, const char *schema);
void bench_pg_drop_schema(const char *base, const char *schema);

#endif
