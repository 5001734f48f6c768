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

/* "YYYY-MM-DD HH:MM:SS" in Vietnam local time. */
void report_local_time(int64_t utc_ms, char out[20]);

/* {"from":..,"to":..,"by":..,"groups":[{"key":..,"rating3":..,"rating2":..,"rating1":..,
 *  "counted":..,"satisfaction":..,"misuse":..,"clock_suspect":..,"total":..}],"total":{...}}
 * satisfaction = (rating3 + rating2) / counted, null when nothing was counted. 0, 1 (database)
 * or 2 (bad by) with err. *json is malloc'ed. */
int report_summary(db *d, const char *by, const char *from, const char *to, int64_t from_ms,
                   int64_t to_ms, char **json, size_t *len, char *err, size_t errlen);

/* Writes the votes CSV (UTF-8 BOM, RFC 4180, CRLF; columns in docs/COLLECTOR.md). 0 or 1. */
int report_votes_csv(db *d, int64_t from_ms, int64_t to_ms, FILE *out, char *err, size_t errlen);

#endif
