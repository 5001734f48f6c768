/* export: votes as CSV (UTF-8 with BOM, RFC 4180) or XLSX (libxlsxwriter), and the monthly
 * per-officer report (text, CSV, XLSX), read through the store's reader (store_read.h) and written
 * atomically (temp file, fsync, rename). Used by the CLI and the admin screen. No SDL. */
#ifndef HL_EXPORT_H
#define HL_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "content.h"

typedef enum { EXPORT_FMT_TEXT, EXPORT_FMT_CSV, EXPORT_FMT_XLSX } export_format;

/* A calendar date in Vietnam local time. */
typedef struct {
    int year, month, day;
} export_date;

/* Called with rows done so far and the total (both counted over the period, misuse included);
 * a nonzero return cancels the export (nothing is left at the output path). */
typedef int (*export_progress_fn)(void *ctx, int64_t done, int64_t total);

typedef struct {
    const char *db;         /* a data directory (its votes.db is read) or a votes.db file */
    const content *content; /* officer names and titles, reason labels, commune and desk name */
    export_date from, to;   /* Vietnam local dates, both included */
    export_format format;   /* EXPORT_FMT_CSV or EXPORT_FMT_XLSX */
    const char *out;        /* the file to write; an existing file is replaced in one step */
    int include_misuse;     /* also list presses flagged as misuse (never counted in summaries) */
    export_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    /* Tests only (leave 0): votes per XLSX sheet instead of Excel's limit (1 048 574). */
    int64_t xlsx_rows_per_sheet;
} export_votes_opts;

typedef struct {
    int64_t rows;    /* vote rows written (export_report: officer rows) */
    int64_t counted; /* votes of the period that count (misuse = 0) */
    int64_t misuse;  /* presses of the period flagged as misuse */
    int cancelled;   /* the progress callback stopped the export */
} export_result;

/* Writes the votes of [from, to] to out: CSV, one row per vote; or XLSX with a votes sheet
 * ("Phiếu đánh giá", continued on further sheets past Excel's row limit) and the per-officer
 * summary sheet ("Tổng hợp") with a chart. The file appears at out only when complete (written
 * as "<out>.tmp-XXXXXX" in the same folder, synced, renamed, folder synced); on any failure or
 * cancel the temp file is removed and out is left as it was. Returns 0; HL_EXIT_USAGE for bad
 * options or an output folder that is missing or not writable; HL_EXIT_RUNTIME otherwise (no
 * votes.db, a write error, the folder vanished, cancelled). err names the path and what to do.
 * res may be NULL. */
int export_votes(const export_votes_opts *o, export_result *res, char *err, size_t errlen);

typedef struct {
    const char *db;
    const content *content;
    int year, month;      /* the report's month (Vietnam local time) */
    export_format format; /* text, CSV or XLSX */
    const char *out;      /* file to write atomically; NULL: text or CSV goes to stream */
    FILE *stream;         /* used when out is NULL; NULL means stdout */
    int64_t made_at_ms;   /* UTC ms shown as "Ngày lập" (date made); 0 leaves it out */
    export_progress_fn progress;
    void *progress_ctx;
} export_report_opts;

/* The monthly report: per officer (all officers of the content, then codes no longer in it that
 * have votes) the counted votes and the count and share of each level, the "tỷ lệ hài lòng"
 * ((rất hài lòng + hài lòng) / counted), a total row, the number of presses flagged as misuse and
 * left out, and a note that the figure is internal, not an official index. Returns as
 * export_votes. */
int export_report(const export_report_opts *o, export_result *res, char *err, size_t errlen);

/* ---- the figures themselves, for the admin screen ---- */

typedef struct {
    const char *code;
    const char *name;  /* from content, or "<code> (không còn trong danh sách)" */
    const char *title; /* from content, or "" */
    int in_content;
    int64_t counted; /* misuse = 0 */
    int64_t n[4];    /* counted votes per rating 1..3; [0] unused */
    int64_t misuse;  /* presses flagged as misuse (not in counted) */
} export_officer_row;

typedef struct {
    export_officer_row *rows; /* content's officers in order, then unknown codes sorted */
    size_t n_rows;
    export_officer_row total;
    int64_t from_ms, to_ms; /* UTC ms, [from_ms, to_ms) */
    char **owned;           /* internal: strings of officers no longer in the content */
    size_t n_owned;
} export_summary;

/* Counts the votes of [from_ms, to_ms) per officer and level. 0 or HL_EXIT_RUNTIME. */
int export_summary_get(const char *db, const content *c, int64_t from_ms, int64_t to_ms,
                       export_summary *out, char *err, size_t errlen);
void export_summary_free(export_summary *s);

/* ---- small helpers shared with the CLI ---- */

/* "YYYY-MM-DD", a real calendar date (2026-02-30 is refused). 0 or -1. */
int export_parse_date(const char *s, export_date *out);
/* "YYYY-MM" with month 1..12. 0 or -1. */
int export_parse_month(const char *s, int *year, int *month);
/* "text", "csv", "xlsx". 0 or -1. */
int export_parse_format(const char *s, export_format *out);
/* The format a file name's extension implies (".csv", ".xlsx", ".txt"); -1 if none. */
int export_format_from_name(const char *path, export_format *out);
/* -1, 0, 1 as a is before, equal to, after b. */
int export_date_cmp(export_date a, export_date b);
/* UTC ms of 00:00 Vietnam time on d. */
int64_t export_date_start_ms(export_date d);
/* The last day of the month (28..31). */
int export_days_in_month(int year, int month);
/* Share num/den as a Vietnamese percentage with one decimal: "66,7%"; "" when den is 0. */
void export_pct(int64_t num, int64_t den, char *out, size_t cap);

#endif
