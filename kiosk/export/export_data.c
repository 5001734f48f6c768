/* export_data: what every export format shares: dates and numbers as the reports show them,
 * buffered output and CSV rows, one vote as text (the join with the content's officer names and
 * reason labels) and the per-officer summary. */
#include "export_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <utf8proc.h>

#include "clock.h"
#include "rating.h"
#include "util.h"

#define UNKNOWN_OFFICER " (không còn trong danh sách)"

/* ---- dates and numbers ---- */

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int export_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

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

int export_parse_month(const char *s, int *year, int *month)
{
    int y, m;
    if (!s || strlen(s) != 7 || s[4] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
        y < 1970 || m < 1 || m > 12)
        return -1;
    *year = y;
    *month = m;
    return 0;
}

int export_parse_date(const char *s, export_date *out)
{
    int y, m, d;
    if (!s || strlen(s) != 10 || s[7] != '-')
        return -1;
    char ym[8];
    memcpy(ym, s, 7);
    ym[7] = '\0';
    if (export_parse_month(ym, &y, &m) || digits(s + 8, 2, &d) || d < 1 ||
        d > export_days_in_month(y, m))
        return -1;
    out->year = y;
    out->month = m;
    out->day = d;
    return 0;
}

/* The formats by their command-line name and their file name's ending. */
static const struct {
    const char *name, *ext;
    export_format fmt;
} formats[] = {
    {"text", ".txt", EXPORT_FMT_TEXT},
    {"csv", ".csv", EXPORT_FMT_CSV},
    {"xlsx", ".xlsx", EXPORT_FMT_XLSX},
};

int export_parse_format(const char *s, export_format *out)
{
    for (size_t i = 0; s && i < HL_ARRAY_LEN(formats); i++)
        if (strcmp(s, formats[i].name) == 0) {
            *out = formats[i].fmt;
            return 0;
        }
    return -1;
}

int export_format_from_name(const char *path, export_format *out)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    for (size_t i = 0; dot && !strchr(dot, '/') && i < HL_ARRAY_LEN(formats); i++)
        if (strcasecmp(dot, formats[i].ext) == 0) {
            *out = formats[i].fmt;
            return 0;
        }
    return -1;
}

int export_date_cmp(export_date a, export_date b)
{
    long ka = a.year * 10000L + a.month * 100L + a.day,
         kb = b.year * 10000L + b.month * 100L + b.day;
    return ka < kb ? -1 : ka > kb;
}

int64_t export_date_start_ms(export_date d)
{
    char s[32];
    int64_t ms = 0;
    snprintf(s, sizeof s, "%04d-%02d-%02dT00:00", d.year % 10000, d.month % 100, d.day % 100);
    clk_parse_local(s, &ms);
    return ms;
}

void export_pct(int64_t num, int64_t den, char *out, size_t cap)
{
    if (den <= 0) {
        if (cap)
            out[0] = '\0';
        return;
    }
    int64_t pm = (num * 2000 + den) / (2 * den); /* tenths of a percent, rounded half up */
    snprintf(out, cap, "%lld,%lld%%", (long long)(pm / 10), (long long)(pm % 10));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Excel's serial date-time (days since 1899-12-30) of the Vietnam local time, whole seconds so it
 * shows the same second as the CSV. */
double export_excel_serial(int64_t utc_ms)
{
    int64_t s = floor_div(utc_ms + CLK_VN_OFFSET_MS, 1000);
    int64_t days = floor_div(s, 86400);
    return (double)(days + 25569) + (double)(s - days * 86400) / 86400.0;
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

/* "dd/mm/yyyy HH:MM:SS" in Vietnam time. */
void export_fmt_local_dt(int64_t utc_ms, char out[20])
{
    clk_local l = clk_to_local(utc_ms);
    memcpy(out, "00/00/0000 00:00:00", 20);
    put2(out, l.day);
    put2(out + 3, l.month);
    put2(out + 6, l.year / 100);
    put2(out + 8, l.year % 100);
    put2(out + 11, l.hour);
    put2(out + 14, l.minute);
    put2(out + 17, l.second);
}

void export_fmt_date(export_date d, char out[11])
{
    memcpy(out, "00/00/0000", 11);
    put2(out, d.day);
    put2(out + 3, d.month);
    put2(out + 6, d.year / 100);
    put2(out + 8, d.year % 100);
}

void export_period_text(export_date from, export_date to, char *out, size_t cap)
{
    char a[11], b[11];
    export_fmt_date(from, a);
    export_fmt_date(to, b);
    util_fmt(out, cap, "Thời gian: từ %s đến %s (giờ Việt Nam)", a, b);
}

void export_fmt_i64(char *out, size_t cap, int64_t v)
{
    snprintf(out, cap, "%lld", (long long)v);
}

/* ---- text ---- */

/* Display width of UTF-8 text in a terminal (Vietnamese letters are one column each). */
size_t export_text_width(const char *s)
{
    size_t w = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0) {
            p++;
            w++;
            continue;
        }
        int cw = utf8proc_charwidth(cp);
        w += cw > 0 ? (size_t)cw : 0;
        p += n;
    }
    return w;
}

/* ---- buffered output to a descriptor or a FILE, remembering the first error ---- */

void export_wb_init(export_wbuf *w, int fd, FILE *fp)
{
    w->fd = fd;
    w->fp = fp;
    w->cap = 1 << 18;
    w->buf = xmalloc(w->cap);
    w->len = 0;
    w->err = 0;
}

void export_wb_flush(export_wbuf *w)
{
    size_t off = 0;
    while (!w->err && off < w->len) {
        if (w->fp) {
            size_t n = fwrite(w->buf + off, 1, w->len - off, w->fp);
            if (n < w->len - off)
                w->err = errno ? errno : EIO;
            off += n;
        } else {
            ssize_t n = write(w->fd, w->buf + off, w->len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                w->err = n < 0 ? errno : EIO;
            else
                off += (size_t)n;
        }
    }
    w->len = 0;
    if (w->fp && !w->err && fflush(w->fp) != 0)
        w->err = errno ? errno : EIO;
}

void export_wb_put(export_wbuf *w, const char *s, size_t n)
{
    while (n) {
        if (w->len == w->cap)
            export_wb_flush(w);
        size_t k = w->cap - w->len < n ? w->cap - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

static void wb_puts(export_wbuf *w, const char *s)
{
    export_wb_put(w, s, strlen(s));
}

void export_wb_free(export_wbuf *w)
{
    free(w->buf);
    w->buf = NULL;
}

/* One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
static void csv_field(export_wbuf *w, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        wb_puts(w, s);
        return;
    }
    export_wb_put(w, "\"", 1);
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        export_wb_put(w, s, (size_t)(q - s) + 1);
        export_wb_put(w, "\"", 1);
    }
    wb_puts(w, s);
    export_wb_put(w, "\"", 1);
}

void export_csv_row(export_wbuf *w, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            export_wb_put(w, ",", 1);
        csv_field(w, cells[i] ? cells[i] : "");
    }
    export_wb_put(w, "\r\n", 2);
}

/* ---- the summary ---- */

static int cmp_row_code(const void *a, const void *b)
{
    return strcmp(((const export_officer_row *)a)->code, ((const export_officer_row *)b)->code);
}

static char *own(export_summary *s, char *str)
{
    s->owned = xrealloc(s->owned, (s->n_owned + 1) * sizeof *s->owned);
    s->owned[s->n_owned++] = str;
    return str;
}

typedef struct {
    export_summary *s;
    size_t cap;              /* rows allocated */
    export_officer_row desk; /* the votes for the desk as a whole, a row of its own at the end */
} summary_fill;

/* Adds one (officer, rating, misuse) group to its officer's row, adding a row for a code the
 * content no longer has. */
static int summary_add(void *ctx, const store_read_group *g)
{
    summary_fill *f = ctx;
    export_summary *s = f->s;
    const char *code = g->officer_code;
    int64_t n = g->n;
    export_officer_row *r = strcmp(code, RATING_DESK_CODE) == 0 ? &f->desk : NULL;
    for (size_t i = 0; i < s->n_rows && !r; i++)
        if (strcmp(s->rows[i].code, code) == 0)
            r = &s->rows[i];
    if (!r) {
        if (s->n_rows == f->cap) {
            f->cap *= 2;
            s->rows = xrealloc(s->rows, f->cap * sizeof *s->rows);
        }
        r = &s->rows[s->n_rows++];
        memset(r, 0, sizeof *r);
        r->code = own(s, xstrdup(code));
        buf d = {0};
        buf_str(&d, code);
        buf_str(&d, UNKNOWN_OFFICER);
        r->name = own(s, buf_take(&d));
        r->title = "";
    }
    if (g->misuse) {
        r->misuse += n;
        s->total.misuse += n;
    } else if (g->rating >= 1 && g->rating <= 3) {
        r->n[g->rating] += n;
        r->counted += n;
        s->total.n[g->rating] += n;
        s->total.counted += n;
    }
    return 0;
}

int export_db_open(store_reader **out, const char *db, int64_t from_ms, int64_t to_ms,
                   int64_t *total, char *err, size_t errlen)
{
    *out = NULL;
    if (!db || !db[0])
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "no data folder given; use --data-dir DIR or --config FILE");
    if (store_reader_open(out, db, err, errlen) != STORE_OK)
        return HL_EXIT_RUNTIME;
    if (total &&
        store_reader_count(*out, (store_range){from_ms, to_ms}, total, err, errlen) != STORE_OK)
        return HL_EXIT_RUNTIME;
    return 0;
}

/* One officer's commendations onto their row (a code no longer in the content: the total only). */
static int commend_add(void *ctx, const char *code, int64_t n)
{
    export_summary *s = ctx;
    for (size_t i = 0; i < s->n_rows; i++)
        if (strcmp(s->rows[i].code, code) == 0)
            s->rows[i].commended += n;
    s->total.commended += n;
    return 0;
}

int export_summary_read(store_reader *db, const content *c, int64_t from_ms, int64_t to_ms,
                        export_summary *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->from_ms = from_ms;
    s->to_ms = to_ms;
    size_t n_known = c ? c->n_officers : 0;
    summary_fill f = {.s = s, .cap = n_known + 8};
    s->rows = xcalloc(f.cap, sizeof *s->rows);
    for (size_t i = 0; i < n_known; i++) {
        export_officer_row *r = &s->rows[i];
        r->code = c->officers[i].code;
        r->name = rating_officer_name(r->code, c->officers[i].name);
        r->title = c->officers[i].title ? c->officers[i].title : "";
        r->in_content = 1;
    }
    s->n_rows = n_known;
    s->total.code = "";
    s->total.name = "Tổng cộng";
    s->total.title = "";

    f.desk.code = RATING_DESK_CODE;
    f.desk.name = rating_officer_name(RATING_DESK_CODE, NULL);
    f.desk.title = "";
    f.desk.is_desk = 1;
    if (store_reader_counts(db, (store_range){from_ms, to_ms}, summary_add, &f, err, errlen) !=
        STORE_OK)
        return HL_EXIT_RUNTIME;
    if (s->n_rows > n_known)
        qsort(s->rows + n_known, s->n_rows - n_known, sizeof *s->rows, cmp_row_code);
    if (f.desk.counted || f.desk.misuse) { /* after the officers, never merged into one */
        if (s->n_rows == f.cap)
            s->rows = xrealloc(s->rows, ++f.cap * sizeof *s->rows);
        s->rows[s->n_rows++] = f.desk;
    }
    if (store_reader_commendations(db, (store_range){from_ms, to_ms}, commend_add, s, err,
                                   errlen) != STORE_OK)
        return HL_EXIT_RUNTIME;
    return 0;
}

void export_summary_free(export_summary *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_owned; i++)
        free(s->owned[i]);
    free(s->owned);
    free(s->rows);
    free(s->reasons);
    memset(s, 0, sizeof *s);
}

int export_summary_get(const char *db, const content *c, int64_t from_ms, int64_t to_ms,
                       export_summary *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    store_reader *h;
    int rc = export_db_open(&h, db, from_ms, to_ms, NULL, err, errlen);
    if (rc)
        return rc;
    rc = export_summary_read(h, c, from_ms, to_ms, out, err, errlen);
    store_reader_close(h);
    if (rc)
        export_summary_free(out);
    return rc;
}

/* ---- the reasons given after "chưa hài lòng" ---- */

void export_reasons_begin(export_summary *s, const content *c)
{
    free(s->reasons);
    s->n_reasons = c ? c->n_reasons : 0;
    s->reasons = xcalloc(s->n_reasons + 1, sizeof *s->reasons);
    for (size_t i = 0; i < s->n_reasons; i++) {
        s->reasons[i].code = c->reasons[i].code;
        s->reasons[i].label = c->reasons[i].label;
        s->reasons[i].in_content = 1;
    }
    s->no_reason = 0;
}

/* The row of reason code, added (with the label of a code the content no longer has) if new. */
static export_reason_row *reason_row(export_summary *s, const char *code)
{
    for (size_t i = 0; i < s->n_reasons; i++)
        if (strcmp(s->reasons[i].code, code) == 0)
            return &s->reasons[i];
    s->reasons = xrealloc(s->reasons, (s->n_reasons + 1) * sizeof *s->reasons);
    export_reason_row *r = &s->reasons[s->n_reasons++];
    memset(r, 0, sizeof *r);
    r->code = own(s, xstrdup(code));
    buf d = {0};
    buf_str(&d, code);
    buf_str(&d, UNKNOWN_OFFICER);
    r->label = own(s, buf_take(&d));
    return r;
}

void export_reasons_add(export_summary *s, const store_read_vote *v)
{
    if (v->misuse || v->rating != RATING_UNHAPPY)
        return;
    cJSON *arr = v->reasons && v->reasons[0] ? cJSON_Parse(v->reasons) : NULL;
    int given = 0;
    for (const cJSON *it = cJSON_IsArray(arr) ? arr->child : NULL; it; it = it->next) {
        if (!cJSON_IsString(it) || !it->valuestring[0])
            continue;
        int seen = 0; /* a code twice in one vote counts once */
        for (const cJSON *p = arr->child; p != it && !seen; p = p->next)
            seen = cJSON_IsString(p) && strcmp(p->valuestring, it->valuestring) == 0;
        if (!seen)
            reason_row(s, it->valuestring)->n++;
        given = 1;
    }
    cJSON_Delete(arr);
    if (!given)
        s->no_reason++;
}

static int cmp_reason_code(const void *a, const void *b)
{
    return strcmp(((const export_reason_row *)a)->code, ((const export_reason_row *)b)->code);
}

void export_reasons_end(export_summary *s)
{
    size_t k = 0;
    while (k < s->n_reasons && s->reasons[k].in_content)
        k++;
    if (s->n_reasons > k)
        qsort(s->reasons + k, s->n_reasons - k, sizeof *s->reasons, cmp_reason_code);
}

static int reasons_vote(void *ctx, const store_read_vote *v)
{
    export_reasons_add(ctx, v);
    return 0;
}

int export_reasons_read(store_reader *r, const content *c, export_summary *s, char *err,
                        size_t errlen)
{
    export_reasons_begin(s, c);
    if (store_reader_votes(r, (store_range){s->from_ms, s->to_ms}, reasons_vote, s, err, errlen) !=
        STORE_OK)
        return HL_EXIT_RUNTIME;
    export_reasons_end(s);
    return 0;
}

/* ---- one vote row, as text ---- */

const char *const export_vote_headers[V_NCOLS] = {
    "Mã phiếu",
    "Mã máy",
    "Số thứ tự trên máy",
    "Mã cán bộ",
    "Họ và tên cán bộ",
    "Mức đánh giá (số)",
    "Mức đánh giá",
    "Lý do chưa hài lòng",
    "Thời gian (giờ Việt Nam)",
    "Bất thường (1 = bấm lặp, không tính)",
    "Trạng thái đồng bộ",
};

const char *export_officer_name(export_names *x, const char *code)
{
    if (x->last_name && strcmp(x->last_code, code) == 0)
        return x->last_name;
    const content_officer *o = content_find_officer(x->c, code);
    const char *name;
    if (o || strcmp(code, RATING_DESK_CODE) == 0) {
        name = rating_officer_name(code, o ? o->name : NULL);
    } else {
        buf_reset(&x->unknown);
        buf_str(&x->unknown, code);
        buf_str(&x->unknown, UNKNOWN_OFFICER);
        name = buf_cstr(&x->unknown);
    }
    if (util_strlcpy(x->last_code, code, sizeof x->last_code) == 0)
        x->last_name = name;
    else
        x->last_name = NULL;
    return name;
}

/* Reason codes (a JSON array) as their labels from the content, joined with "; ". A code the
 * content no longer has is shown as it is; anything that is not an array of strings, raw. */
const char *export_reasons_text(export_names *x, const char *json)
{
    if (!json || strcmp(json, "[]") == 0)
        return "";
    if (x->have_reasons && strcmp(buf_cstr(&x->last_json), json) == 0)
        return buf_cstr(&x->reasons);
    buf_reset(&x->reasons);
    cJSON *arr = cJSON_Parse(json);
    if (!cJSON_IsArray(arr)) {
        buf_str(&x->reasons, json);
    } else {
        int first = 1;
        for (const cJSON *it = arr->child; it; it = it->next) {
            const char *code = cJSON_IsString(it) ? it->valuestring : NULL;
            if (!code)
                continue;
            const content_reason *r = content_find_reason(x->c, code);
            if (!first)
                buf_str(&x->reasons, "; ");
            buf_str(&x->reasons, r ? r->label : code);
            first = 0;
        }
    }
    cJSON_Delete(arr);
    buf_reset(&x->last_json);
    buf_str(&x->last_json, json);
    x->have_reasons = 1;
    return buf_cstr(&x->reasons);
}

void export_names_free(export_names *x)
{
    buf_free(&x->unknown);
    buf_free(&x->reasons);
    buf_free(&x->last_json);
}

const char *export_sync_label(const char *state)
{
    static const char *const map[][2] = {{"sent", "Đã gửi"},
                                         {"unsent", "Chưa gửi"},
                                         {"pending", "Chờ hoàn tất"},
                                         {"quarantined", "Máy chủ từ chối"}};
    for (size_t i = 0; i < HL_ARRAY_LEN(map); i++)
        if (strcmp(state, map[i][0]) == 0)
            return map[i][1];
    return state;
}
