/* report: the collector's read side as text: the summary JSON and the votes CSV, and the
 * YYYY-MM-DD (Vietnam local) date ranges both take. No HTTP here, so tests and the CLI can use it.
 * Prefix: report_. */
#ifndef HL_REPORT_H
#define HL_REPORT_H

#include "db.h"

#include <stdint.h>
#include <stdio.h>

/* from and to are inclusive Vietnam-local days "YYYY-MM-DD" (either may be NULL or "": open).
 * Fills [*from_ms, *to_ms) in UTC ms. 0, or 2 with err naming the parameter. */
int report_range(const char *from, const char *to, int64_t *from_ms, int64_t *to_ms, char *err,
                 size_t errlen);

/* The URL parameters of the read endpoints (/v1/summary: from, to, by, unit, kiosk;
 * /v1/votes.csv: from, to, unit, kiosk), given one at a time as libmicrohttpd hands them over (key
 * and value already %-decoded). Here rather than in server.c so that the fuzzer and tests reach
 * them without HTTP. */
typedef struct {
    int summary;      /* by is allowed */
    int unknown, dup; /* the parameter refused, named in name */
    char name[32];    /* cut to fit: it is only quoted in the message */
    int seen_from, seen_to, seen_by, seen_unit, seen_kiosk, seen_period;
    /* The values (NULL when absent), pointing into the caller's; from and to point into
     * period_days once a period was given. */
    const char *from, *to, *by, *unit, *kiosk, *period;
    char period_days[2][11];
} report_args;

void report_args_init(report_args *a, int summary);
/* One parameter (value NULL for "?key" without '='): 0 to go on, -1 once a parameter is refused
 * (the rest need not be given). */
int report_args_add(report_args *a, const char *key, const char *value);
/* After the last one: 0 with *f the selection (the range as report_range gives it, unit and kiosk
 * NULL when not given) and a->by "kiosk" when not given, or HL_EXIT_USAGE with err the 400's
 * message ("from: given twice", "kiosk: ... is not a kiosk id"). */
int report_args_check(report_args *a, db_filter *f, char *err, size_t errlen);

/* A named period as its first and last day (YYYY-MM-DD, inclusive): "2026" (a year), "2026-11" (a
 * month), "2026-Q4" (a quarter), and the reporting periods of Nghị định 09/2019, which run from
 * the 15th to the 14th: "nd09-2026-11" (15 October to 14 November), "nd09-2026-Q4" (15 September to
 * 14 December), "nd09-2026" (15 December 2025 to 14 December 2026). 0, or HL_EXIT_USAGE with err
 * naming the parameter. */
int report_period(const char *period, char first[11], char last[11], char *err, size_t errlen);

/* "YYYY-MM-DD HH:MM:SS" in Vietnam local time. */
void report_local_time(int64_t utc_ms, char out[20]);

/* {"from":..,"to":..,"by":..,["unit":..,]["kiosk":..,]"groups":[{"key":..,["unit":..,]
 *  "rating3":..,"rating2":..,"rating1":..,"counted":..,"satisfaction":..,"misuse":..,
 *  "clock_suspect":..,"total":..}],"total":{...}}
 * by: unit, kiosk, officer (groups of one unit's officer, with its "unit"), day or month
 * ("YYYY-MM", Vietnam time). satisfaction = (rating3 + rating2) / counted, null when nothing was
 * counted. 0, 1 (database) or 2 (bad by) with err. *json is malloc'ed. */
int report_summary(db *d, const char *by, const char *from, const char *to, const db_filter *f,
                   char **json, size_t *len, char *err, size_t errlen);

/* Writes the votes f selects as CSV (UTF-8 BOM, RFC 4180, CRLF; columns in docs/PROTOCOL.md). 0
 * or 1. */
int report_votes_csv(db *d, const db_filter *f, FILE *out, char *err, size_t errlen);

#endif
