/* report: summary and CSV formatting over db's streamed rows. The CSV is for Excel users: a byte
 * order mark so Excel reads it as UTF-8, CRLF and RFC 4180 quoting so cells holding commas or
 * quotes stay whole. */
#include "report.h"

#include "clock.h"
#include "rating.h"
#include "util.h"
#include "wire.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS          86400000LL
#define REPORT_UNIT_MAX 200

/* Parses "YYYY-MM-DD" strictly (a real calendar day in 2020..2099) to its local midnight. */
static int parse_day(const char *s, int64_t *out)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    char buf[20];
    util_fmt(buf, sizeof buf, "%sT00:00", s);
    int64_t ms;
    if (clk_parse_local(buf, &ms) != 0)
        return -1;
    /* clk_parse_local accepts 31 February; the round trip does not. */
    clk_local l = clk_to_local(ms);
    char back[11];
    util_fmt(back, sizeof back, "%04d-%02d-%02d", l.year, l.month, l.day);
    if (strcmp(back, s) != 0 || l.year < 2020 || l.year > 2099)
        return -1;
    *out = ms;
    return 0;
}

int report_range(const char *from, const char *to, int64_t *from_ms, int64_t *to_ms, char *err,
                 size_t errlen)
{
    *from_ms = 0;
    *to_ms = INT64_C(1) << 62;
    if (from && *from && parse_day(from, from_ms) != 0) {
        util_fmt(err, errlen, "from: \"%.40s\" is not a date YYYY-MM-DD between 2020 and 2099",
                 from);
        return HL_EXIT_USAGE;
    }
    if (to && *to) {
        if (parse_day(to, to_ms) != 0) {
            util_fmt(err, errlen, "to: \"%.40s\" is not a date YYYY-MM-DD between 2020 and 2099",
                     to);
            return HL_EXIT_USAGE;
        }
        *to_ms += DAY_MS; /* inclusive: up to the end of that day */
    }
    if (*to_ms <= *from_ms) {
        util_fmt(err, errlen, "to: %.40s is before from: %.40s", to ? to : "", from ? from : "");
        return HL_EXIT_USAGE;
    }
    return 0;
}

void report_args_init(report_args *a, int summary)
{
    memset(a, 0, sizeof *a);
    a->summary = summary;
}

int report_args_add(report_args *a, const char *key, const char *value)
{
    int *seen = NULL;
    const char **val = NULL;
    if (strcmp(key, "from") == 0) {
        seen = &a->seen_from;
        val = &a->from;
    } else if (strcmp(key, "to") == 0) {
        seen = &a->seen_to;
        val = &a->to;
    } else if (strcmp(key, "by") == 0) {
        seen = &a->seen_by;
        val = &a->by;
    } else if (strcmp(key, "unit") == 0) {
        seen = &a->seen_unit;
        val = &a->unit;
    } else if (strcmp(key, "kiosk") == 0) {
        seen = &a->seen_kiosk;
        val = &a->kiosk;
    } else if (strcmp(key, "period") == 0) {
        seen = &a->seen_period;
        val = &a->period;
    }
    if (!seen || (*seen)++) {
        if (!seen)
            a->unknown = 1;
        else
            a->dup = 1;
        util_strlcpy(a->name, key, sizeof a->name);
        return -1;
    }
    *val = value;
    return 0;
}

int report_args_check(report_args *a, db_filter *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    /* by on votes.csv is unknown there, even when a later parameter was refused first. */
    if (a->unknown || (a->seen_by && !a->summary)) {
        util_fmt(err, errlen, "%s: unknown parameter; use from, to, period%s, unit, kiosk",
                 a->unknown ? a->name : "by", a->summary ? ", by" : "");
        return HL_EXIT_USAGE;
    }
    if (a->dup) {
        util_fmt(err, errlen, "%s: given twice", a->name);
        return HL_EXIT_USAGE;
    }
    if (a->period) {
        if (a->seen_from || a->seen_to) {
            util_fmt(err, errlen, "period: give period, or from and to, not both");
            return HL_EXIT_USAGE;
        }
        if (report_period(a->period, a->period_days[0], a->period_days[1], err, errlen) != 0)
            return HL_EXIT_USAGE;
        a->from = a->period_days[0];
        a->to = a->period_days[1];
    }
    if (report_range(a->from, a->to, &f->from_ms, &f->to_ms, err, errlen) != 0)
        return HL_EXIT_USAGE;
    if (a->kiosk && *a->kiosk && !wire_valid_kiosk_id(a->kiosk)) {
        util_fmt(err, errlen, "kiosk: \"%.40s\" is not a kiosk id (letters, digits, - and _)",
                 a->kiosk);
        return HL_EXIT_USAGE;
    }
    /* A unit is a commune's name as given at `kiosk add --unit`: any text, but not a huge one. */
    if (a->unit &&
        (strlen(a->unit) > REPORT_UNIT_MAX || !wire_utf8_valid(a->unit, strlen(a->unit), NULL))) {
        util_fmt(err, errlen, "unit: not a unit's name (UTF-8 text of at most %d bytes)",
                 REPORT_UNIT_MAX);
        return HL_EXIT_USAGE;
    }
    f->unit = a->unit;
    f->kiosk = a->kiosk;
    if (!a->by || !*a->by)
        a->by = "kiosk";
    return 0;
}

static int days_in(int year, int month)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : d[month - 1];
}

/* Exactly n digits at s, as a number (no sign, no space). */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int report_period(const char *period, char first[11], char last[11], char *err, size_t errlen)
{
    const char *p = period;
    int nd09 = strncmp(p, "nd09-", 5) == 0;
    if (nd09)
        p += 5;
    int year, n = 0, y1, m1, d1, y2, m2, d2;
    size_t len = strlen(p);
    char kind = 0; /* 'y' year, 'm' month, 'q' quarter */
    if (len == 4 && digits(p, 4, &year) == 0)
        kind = 'y';
    else if (len == 7 && digits(p, 4, &year) == 0 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' &&
             p[6] <= '4')
        kind = 'q', n = p[6] - '0';
    else if (len == 7 && digits(p, 4, &year) == 0 && p[4] == '-' && digits(p + 5, 2, &n) == 0 &&
             n >= 1 && n <= 12)
        kind = 'm';
    if (!kind || year < 2020 || year > 2099) {
        util_fmt(err, errlen,
                 "period: \"%.40s\" is not a period; use YYYY, YYYY-MM, YYYY-Qn, or nd09-YYYY, "
                 "nd09-YYYY-MM, nd09-YYYY-Qn (decree 09/2019: the 15th to the 14th), years "
                 "2020 to 2099",
                 period);
        return HL_EXIT_USAGE;
    }
    /* The calendar period's first and last month. */
    int mfirst = kind == 'y' ? 1 : kind == 'q' ? 3 * n - 2 : n;
    int mlast = kind == 'y' ? 12 : kind == 'q' ? 3 * n : n;
    if (!nd09) {
        y1 = y2 = year, m1 = mfirst, d1 = 1, m2 = mlast, d2 = days_in(year, mlast);
    } else {
        /* From the 15th of the month before the first to the 14th of the last. */
        y1 = mfirst == 1 ? year - 1 : year;
        m1 = mfirst == 1 ? 12 : mfirst - 1;
        d1 = 15;
        y2 = year, m2 = mlast, d2 = 14;
    }
    snprintf(first, 11, "%04u-%02u-%02u", (unsigned)y1 % 10000u, (unsigned)m1 % 100u,
             (unsigned)d1 % 100u);
    snprintf(last, 11, "%04u-%02u-%02u", (unsigned)y2 % 10000u, (unsigned)m2 % 100u,
             (unsigned)d2 % 100u);
    return 0;
}

void report_local_time(int64_t utc_ms, char out[20])
{
    clk_local l = clk_to_local(utc_ms);
    snprintf(out, 20, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned)l.year % 10000u,
             (unsigned)l.month % 100u, (unsigned)l.day % 100u, (unsigned)l.hour % 100u,
             (unsigned)l.minute % 100u, (unsigned)l.second % 100u);
}

/* ---- summary ---- */

typedef struct {
    const char *by;
    int month; /* by month: days folded into their month */
    cJSON *groups;
    cJSON *last; /* by month: the group the next day may join */
    char last_key[8];
    db_summary_row total;
    db_summary_row group; /* by month: the counts of last */
} summary_ctx;

static void add_counts(cJSON *o, const db_summary_row *r)
{
    int64_t counted = r->rating3 + r->rating2 + r->rating1;
    cJSON_AddNumberToObject(o, "rating3", (double)r->rating3);
    cJSON_AddNumberToObject(o, "rating2", (double)r->rating2);
    cJSON_AddNumberToObject(o, "rating1", (double)r->rating1);
    cJSON_AddNumberToObject(o, "counted", (double)counted);
    if (counted > 0) {
        double share = (double)(r->rating3 + r->rating2) / (double)counted;
        cJSON_AddNumberToObject(o, "satisfaction", round(share * 10000.0) / 10000.0);
    } else {
        cJSON_AddNullToObject(o, "satisfaction");
    }
    cJSON_AddNumberToObject(o, "misuse", (double)r->misuse);
    cJSON_AddNumberToObject(o, "clock_suspect", (double)r->clock_suspect);
    cJSON_AddNumberToObject(o, "total", (double)r->total);
}

static void add_row(db_summary_row *to, const db_summary_row *r)
{
    to->rating3 += r->rating3;
    to->rating2 += r->rating2;
    to->rating1 += r->rating1;
    to->misuse += r->misuse;
    to->clock_suspect += r->clock_suspect;
    to->total += r->total;
}

/* The month group so far, written out (by month, before the next month starts and at the end). */
static void flush_month(summary_ctx *c)
{
    if (!c->last)
        return;
    add_counts(c->last, &c->group);
    c->last = NULL;
    memset(&c->group, 0, sizeof c->group);
}

static int summary_row(const db_summary_row *r, void *ctx)
{
    summary_ctx *c = ctx;
    add_row(&c->total, r);
    if (strcmp(c->by, "day") == 0 || c->month) {
        /* The key is the local day number; show it as the date IT staff filter by. */
        char day[11];
        clk_local l = clk_to_local(strtoll(r->key, NULL, 10) * DAY_MS - CLK_VN_OFFSET_MS);
        snprintf(day, sizeof day, "%04u-%02u-%02u", (unsigned)l.year % 10000u,
                 (unsigned)l.month % 100u, (unsigned)l.day % 100u);
        if (c->month) {
            /* Days come in order, so a month's days are consecutive rows. */
            day[7] = '\0';
            if (c->last && strcmp(c->last_key, day) == 0) {
                add_row(&c->group, r);
                return 0;
            }
            flush_month(c);
            c->last = cJSON_CreateObject();
            cJSON_AddStringToObject(c->last, "key", day);
            util_strlcpy(c->last_key, day, sizeof c->last_key);
            add_row(&c->group, r);
            cJSON_AddItemToArray(c->groups, c->last);
            return 0;
        }
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "key", day);
        add_counts(g, r);
        cJSON_AddItemToArray(c->groups, g);
        return 0;
    }
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "key", r->key);
    if (strcmp(c->by, "officer") == 0) {
        cJSON_AddStringToObject(g, "unit", r->unit);
        cJSON_AddStringToObject(g, "name", r->name);
    }
    add_counts(g, r);
    cJSON_AddItemToArray(c->groups, g);
    return 0;
}

static void add_opt(cJSON *root, const char *name, const char *v)
{
    if (v && *v)
        cJSON_AddStringToObject(root, name, v);
    else
        cJSON_AddNullToObject(root, name);
}

int report_summary(db *d, const char *by, const char *from, const char *to, const db_filter *f,
                   char **json, size_t *len, char *err, size_t errlen)
{
    *json = NULL;
    cJSON *root = cJSON_CreateObject();
    add_opt(root, "from", from);
    add_opt(root, "to", to);
    cJSON_AddStringToObject(root, "by", by);
    if (f->unit && *f->unit)
        cJSON_AddStringToObject(root, "unit", f->unit);
    if (f->kiosk && *f->kiosk)
        cJSON_AddStringToObject(root, "kiosk", f->kiosk);
    summary_ctx c;
    memset(&c, 0, sizeof c);
    c.by = by;
    c.month = strcmp(by, "month") == 0;
    c.groups = cJSON_AddArrayToObject(root, "groups");
    int rc = db_summary(d, c.month ? "day" : by, f, summary_row, &c, err, errlen);
    if (rc == HL_EXIT_USAGE)
        util_fmt(err, errlen, "by: \"%.40s\" is not unit, kiosk, officer, day or month", by);
    if (rc) {
        cJSON_Delete(root);
        return rc;
    }
    flush_month(&c);
    add_counts(cJSON_AddObjectToObject(root, "total"), &c.total);
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!s) {
        util_fmt(err, errlen, "summary: out of memory");
        return 1;
    }
    *json = xstrdup(s);
    cJSON_free(s);
    *len = strlen(*json);
    return 0;
}

/* ---- CSV ---- */

static void csv_cell(FILE *f, const char *s, int last)
{
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static void csv_int(FILE *f, int64_t v)
{
    fprintf(f, "%" PRId64 ",", v);
}

static int csv_row(const db_vote_row *v, void *ctx)
{
    FILE *f = ctx;
    char created[20], received[20], placed[20];
    report_local_time(v->created_at, created);
    report_local_time(v->received_at, received);
    report_local_time(v->placed_at, placed);
    csv_cell(f, v->uuid, 0);
    csv_cell(f, v->kiosk_id, 0);
    csv_cell(f, v->unit, 0);
    csv_int(f, v->seq);
    csv_cell(f, v->boot_id, 0);
    csv_cell(f, v->officer_code, 0);
    csv_int(f, v->rating);
    csv_cell(f, rating_label(v->rating), 0);
    csv_cell(f, v->reasons, 0);
    csv_cell(f, created, 0);
    csv_cell(f, received, 0);
    csv_int(f, v->misuse);
    csv_int(f, v->clock_suspect);
    fprintf(f, "%s\r\n", placed);
    return ferror(f) ? 1 : 0;
}

int report_votes_csv(db *d, const db_filter *f, FILE *out, char *err, size_t errlen)
{
    fputs("\xEF\xBB\xBF"
          "uuid,kiosk_id,unit,seq,boot_id,officer_code,rating,rating_label,reasons,"
          "created_at_local,received_at_local,misuse,clock_suspect,placed_at_local\r\n",
          out);
    int rc = db_votes(d, f, csv_row, out, err, errlen);
    if (rc == 0 && (fflush(out) != 0 || ferror(out))) {
        util_fmt(err, errlen, "votes.csv: cannot write the export (disk full?)");
        rc = 1;
    }
    return rc;
}
