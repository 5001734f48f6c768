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

/* The periods a report covers: calendar ones, and the reporting periods of Nghị định
 * 09/2019/NĐ-CP (Điều 12: the figures of a monthly report run from the 15th of the previous
 * month to the 14th of the month; of a quarter, from the 15th of the month before the quarter to
 * the 14th of its last month; of a year, from 15/12 of the previous year to 14/12). */
typedef enum {
    EXPORT_PERIOD_MONTH,        /* year, n = month 1..12 */
    EXPORT_PERIOD_QUARTER,      /* year, n = quarter 1..4 */
    EXPORT_PERIOD_YEAR,         /* year */
    EXPORT_PERIOD_ND09_MONTH,   /* year, n = month 1..12: 15th of month n-1 to the 14th of n */
    EXPORT_PERIOD_ND09_QUARTER, /* year, n = quarter 1..4 */
    EXPORT_PERIOD_ND09_YEAR,    /* year: 15/12 of year-1 to 14/12 of year */
} export_period_kind;

typedef struct {
    export_period_kind kind;
    int year; /* 1970..9999 */
    int n;    /* the month or quarter; unused for a year */
} export_period;

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
    /* The summary sheet's period in its title, e.g. "Kỳ báo cáo tháng 11/2026"; NULL: the days. */
    const char *period_name;
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
    export_period period; /* the report's period (Vietnam local days) */
    int year, month;      /* or, when period.year is 0, this calendar month */
    export_format format; /* text, CSV or XLSX */
    const char *out;      /* file to write atomically; NULL: text or CSV goes to stream */
    FILE *stream;         /* used when out is NULL; NULL means stdout */
    int64_t made_at_ms;   /* UTC ms of the date above the signatures; 0: dots to fill in */
    export_progress_fn progress;
    void *progress_ctx;
} export_report_opts;

/* The report of a period, laid out as an administrative document: the body (content's
 * commune_name and desk_name, upper-case) and the Quốc hiệu and tiêu ngữ, the title with the
 * period; per officer (all officers of the content, then codes no longer in it that have votes,
 * then the votes for the desk as a whole, RATING_DESK_CODE, as their own row) the counted votes,
 * the count and share of each level and the "Tỷ lệ hài lòng (máy đánh giá)" ((rất hài lòng + hài
 * lòng) / counted), a total row, a note that this is not the official indicator of Quyết định
 * 766/QĐ-TTg, the presses flagged as misuse and left out; the reasons given after "chưa hài
 * lòng" (count and share of the counted "chưa hài lòng" votes); the signatures (text and XLSX).
 * docs/EXPORT.md shows each format. Returns as export_votes. */
int export_report(const export_report_opts *o, export_result *res, char *err, size_t errlen);

/* ---- the figures themselves, for the admin screen ---- */

typedef struct {
    const char *code;
    const char *name; /* rating_officer_name: from content, "Không nhớ tên cán bộ" for the desk,
                         or "<code> (không còn trong danh sách)" */
    const char *title; /* from content, or "" */
    int in_content;
    int is_desk;     /* RATING_DESK_CODE: a vote for the desk as a whole, no officer named */
    int64_t counted; /* misuse = 0 */
    int64_t n[4];    /* counted votes per rating 1..3; [0] unused */
    int64_t misuse;  /* presses flagged as misuse (not in counted) */
    /* Citizens' proposals to commend the officer (feedback "bieu-duong") in the period; the
     * total row counts those of officers no longer in the content too. */
    int64_t commended;
} export_officer_row;

/* One reason given after "chưa hài lòng". */
typedef struct {
    const char *code;
    const char *label; /* from content, or "<code> (không còn trong danh sách)" */
    int in_content;
    int64_t n; /* counted "chưa hài lòng" votes that gave it (once per vote) */
} export_reason_row;

typedef struct {
    export_officer_row *rows; /* content's officers in order, then unknown codes sorted, then the
                                 desk's row (RATING_DESK_CODE) when it has votes */
    size_t n_rows;
    export_officer_row total;
    /* The reasons tally (reports only; export_summary_get leaves it empty): content's reasons in
     * order, then codes no longer in it, sorted; counted "chưa hài lòng" votes without a reason. */
    export_reason_row *reasons;
    size_t n_reasons;
    int64_t no_reason;
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
/* "YYYY-QN" (N 1..4, e.g. 2026-Q4; q also taken). 0 or -1. */
int export_parse_quarter(const char *s, int *year, int *quarter);
/* "YYYY", from 1970. 0 or -1. */
int export_parse_year(const char *s, int *year);
/* A Nghị định 09/2019 period: "nd09:YYYY-MM", "nd09:YYYY-QN" or "nd09:YYYY". 0 or -1. */
int export_parse_nd09(const char *s, export_period *out);
/* The period's first and last day. 0, or -1 when it is not a valid period. */
int export_period_days(export_period p, export_date *from, export_date *to);
/* Its name in titles: "Tháng 11/2026", "Quý IV/2026", "Năm 2026", "Kỳ báo cáo tháng 11/2026",
 * "Kỳ báo cáo quý IV/2026", "Kỳ báo cáo năm 2026". */
void export_period_name(export_period p, char *out, size_t cap);
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
