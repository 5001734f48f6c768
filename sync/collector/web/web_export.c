/* web_export: the dashboard's downloads, in the layout of the kiosk's own export: the view's
 * table (communes, or a commune's officers) and its votes, as CSV (UTF-8 with a byte order mark,
 * CRLF, for Excel) or XLSX (libxlsxwriter), with Vietnamese headers, officers' names and the
 * reasons' labels. Written to an unlinked temporary file, sent from there. */
#include "web_int.h"

#include "log.h"
#include "rating.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Excel's last row is 1 048 576; one is the header. */
#define XLSX_MAX_ROWS 1048575

/* ---- one output, CSV or XLSX, cell by cell ---- */

typedef struct {
    int xlsx;
    FILE *csv;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *pct;
    lxw_row_t row;
    lxw_col_t col;
} out;

static void csv_text(FILE *f, const char *s)
{
    /* RFC 4180, and a leading = + - @ neutralised so that Excel never runs a kiosk's text as a
     * formula. */
    int quote = strpbrk(s, ",\"\r\n") != NULL || strchr("=+-@", s[0]) != NULL;
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (strchr("=+-@", s[0]) && s[0])
        fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void cell_s(out *o, const char *s)
{
    if (o->xlsx) {
        worksheet_write_string(o->ws, o->row, o->col, s, o->row == 0 ? o->bold : NULL);
    } else {
        if (o->col)
            fputc(',', o->csv);
        csv_text(o->csv, s);
    }
    o->col++;
}

static void cell_n(out *o, double v, int pct)
{
    if (o->xlsx) {
        worksheet_write_number(o->ws, o->row, o->col, v, pct ? o->pct : NULL);
    } else {
        if (o->col)
            fputc(',', o->csv);
        if (pct)
            fprintf(o->csv, "%.1f%%", v * 100.0);
        else
            fprintf(o->csv, "%.0f", v);
    }
    o->col++;
}

static void end_row(out *o)
{
    if (!o->xlsx)
        fputs("\r\n", o->csv);
    o->row++;
    o->col = 0;
}

/* ---- names and labels, looked up by (unit, code) ---- */

typedef struct {
    char *key; /* unit "\x1f" code */
    char *text;
} named;

typedef struct {
    named *e;
    size_t n, cap;
} names;

static void names_add(names *l, const char *unit, const char *code, const char *text)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->e = xrealloc(l->e, l->cap * sizeof *l->e);
    }
    size_t a = strlen(unit), b = strlen(code);
    char *k = xmalloc(a + b + 2);
    memcpy(k, unit, a);
    k[a] = '\x1f';
    memcpy(k + a + 1, code, b + 1);
    l->e[l->n++] = (named){k, xstrdup(text)};
}

static int named_cmp(const void *a, const void *b)
{
    return strcmp(((const named *)a)->key, ((const named *)b)->key);
}

static const char *names_find(const names *l, const char *unit, const char *code)
{
    char k[320];
    util_fmt(k, sizeof k, "%s\x1f%s", unit, code);
    named key = {k, NULL};
    if (l->n == 0)
        return NULL;
    const named *f = bsearch(&key, l->e, l->n, sizeof *l->e, named_cmp);
    return f ? f->text : NULL;
}

static void names_free(names *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->e[i].key);
        free(l->e[i].text);
    }
    free(l->e);
}

static int officer_name_cb(const db_officer_row *r, void *ctx)
{
    names_add(ctx, r->unit, r->code, r->name);
    return 0;
}

static int label_cb(const char *unit, const char *code, const char *label, void *ctx)
{
    names_add(ctx, unit, code, label);
    return 0;
}

/* ---- the votes ---- */

typedef struct {
    out *o;
    names *officers, *labels;
} votes_ctx;

static const char *const vote_heads[] = {"Mã phiếu",
                                         "Xã, phường",
                                         "Mã máy",
                                         "Số thứ tự trên máy",
                                         "Mã cán bộ",
                                         "Họ và tên cán bộ",
                                         "Mức đánh giá (số)",
                                         "Mức đánh giá",
                                         "Lý do chưa hài lòng",
                                         "Thời gian (giờ Việt Nam)",
                                         "Bất thường (1 = bấm lặp, không tính)",
                                         "Giờ máy đáng ngờ (1 = có)",
                                         "Thời gian nhận (giờ Việt Nam)",
                                         NULL};

/* The reasons' JSON array ["a","b"] as "Label a; Label b". */
static void reason_labels(const names *labels, const char *unit, const char *json, buf *b)
{
    const char *p = json;
    while ((p = strchr(p, '"')) != NULL) {
        const char *q = strchr(p + 1, '"');
        if (!q)
            break;
        char code[32];
        size_t n = (size_t)(q - p - 1);
        if (n < sizeof code) {
            memcpy(code, p + 1, n);
            code[n] = '\0';
            const char *l = names_find(labels, unit, code);
            if (b->len)
                buf_str(b, "; ");
            buf_str(b, l ? l : code);
        }
        p = q + 1;
    }
}

static int vote_cb(const db_vote_row *v, void *ctx)
{
    votes_ctx *c = ctx;
    out *o = c->o;
    char t[20];
    cell_s(o, v->uuid);
    cell_s(o, v->unit);
    cell_s(o, v->kiosk_id);
    cell_n(o, (double)v->seq, 0);
    cell_s(o, v->officer_code);
    const char *name = names_find(c->officers, v->unit, v->officer_code);
    if (!name && strcmp(v->officer_code, RATING_DESK_CODE) == 0)
        name = RATING_DESK_LABEL; /* the kiosk's "Không nhớ tên cán bộ" */
    cell_s(o, name ? name : "");
    cell_n(o, v->rating, 0);
    cell_s(o, rating_label(v->rating));
    buf r = {0};
    reason_labels(c->labels, v->unit, v->reasons, &r);
    cell_s(o, buf_cstr(&r));
    buf_free(&r);
    report_local_time(v->placed_at, t);
    cell_s(o, t);
    cell_n(o, v->misuse, 0);
    cell_n(o, v->clock_suspect, 0);
    report_local_time(v->received_at, t);
    cell_s(o, t);
    end_row(o);
    return 0;
}

/* ---- the table ---- */

typedef struct {
    out *o;
    names *officers;
    int by_officer, n;
    web_counts total;
} table_ctx;

static void count_row(out *o, const web_counts *c)
{
    int64_t n = web_counted(c);
    cell_n(o, (double)n, 0);
    int64_t v[3] = {c->r3, c->r2, c->r1};
    for (int k = 0; k < 3; k++) {
        cell_n(o, (double)v[k], 0);
        cell_n(o, n ? (double)v[k] / (double)n : 0, 1);
    }
    double rate, lo, hi;
    if (web_rate(c, &rate, &lo, &hi)) {
        cell_n(o, rate, 1);
        cell_n(o, lo, 1);
        cell_n(o, hi, 1);
    } else {
        cell_s(o, "");
        cell_s(o, "");
        cell_s(o, "");
    }
    cell_n(o, (double)c->misuse, 0);
}

static int table_cb(const db_summary_row *r, void *ctx)
{
    table_ctx *c = ctx;
    out *o = c->o;
    web_counts w = {r->rating3, r->rating2, r->rating1, r->misuse, r->clock_suspect, r->total};
    c->total.r3 += w.r3;
    c->total.r2 += w.r2;
    c->total.r1 += w.r1;
    c->total.misuse += w.misuse;
    cell_n(o, ++c->n, 0);
    if (c->by_officer) {
        cell_s(o, rating_officer_name(r->key, r->name));
        cell_s(o, r->key);
    } else {
        cell_s(o, r->key[0] ? r->key : "(máy chưa gán xã)");
    }
    count_row(o, &w);
    end_row(o);
    return 0;
}

static const char *const count_heads[] = {"Tổng số phiếu",
                                          "Rất hài lòng (SL)",
                                          "Rất hài lòng (%)",
                                          "Hài lòng (SL)",
                                          "Hài lòng (%)",
                                          "Chưa hài lòng (SL)",
                                          "Chưa hài lòng (%)",
                                          "Tỷ lệ hài lòng (máy đánh giá)",
                                          "Khoảng tin cậy 95% (từ)",
                                          "Khoảng tin cậy 95% (đến)",
                                          "Lượt bấm lặp (không tính)",
                                          NULL};

/* ---- the request ---- */

static int total_cb(const db_summary_row *r, void *ctx)
{
    *(int64_t *)ctx += r->total;
    return 0;
}

static int open_out(out *o, int xlsx, char *path, size_t cap)
{
    const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    util_fmt(path, cap, "%s/hailong-dl-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    if (!xlsx) {
        o->csv = fdopen(fd, "w+b");
        if (!o->csv) {
            close(fd);
            unlink(path);
            return -1;
        }
        fputs("\xef\xbb\xbf", o->csv); /* the BOM: Excel then reads UTF-8 */
        return 0;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = 1, .tmpdir = (char *)dir, .use_zip64 = 0};
    o->xlsx = 1;
    o->wb = workbook_new_opt(path, &opt);
    if (!o->wb) {
        unlink(path);
        return -1;
    }
    o->ws = workbook_add_worksheet(o->wb, "Số liệu");
    o->bold = workbook_add_format(o->wb);
    format_set_bold(o->bold);
    format_set_text_wrap(o->bold);
    o->pct = workbook_add_format(o->wb);
    format_set_num_format(o->pct, "0.0%");
    return 0;
}

/* Finishes o and gives its bytes as a FILE at their start (NULL on failure). */
static FILE *close_out(out *o, const char *path)
{
    FILE *f = NULL;
    if (o->xlsx) {
        if (workbook_close(o->wb) == LXW_NO_ERROR)
            f = fopen(path, "rb");
    } else if (fflush(o->csv) == 0 && !ferror(o->csv)) {
        f = o->csv;
        rewind(f);
    } else {
        fclose(o->csv);
    }
    unlink(path);
    return f;
}

void web_download(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp)
{
    (void)w;
    const char *name = req->path + 5; /* after "/tai/" */
    int xlsx = strcmp(name, "tong-hop.xlsx") == 0 || strcmp(name, "phieu.xlsx") == 0;
    int votes = strncmp(name, "phieu.", 6) == 0;
    if (!xlsx && strcmp(name, "tong-hop.csv") != 0 && strcmp(name, "phieu.csv") != 0) {
        web_error(resp, 404, "Không có tệp này.");
        return;
    }
    web_view v;
    char msg[200], err[HL_ERR_MAX];
    if (web_view_parse(req, w->o.now_ms(), &v, msg, sizeof msg)) {
        web_error(resp, 400, msg);
        return;
    }
    if (web_scope(who, &v, resp))
        return;
    v.f.officer = v.officer[0] ? v.officer : NULL;
    if (votes && xlsx) {
        /* Excel holds about a million rows: a longer list is refused before any work. */
        int64_t n = 0;
        if (db_summary(d, "unit", &v.f, total_cb, &n, err, sizeof err) == 0 && n > XLSX_MAX_ROWS) {
            web_error(resp, 413,
                      "Kỳ này có quá nhiều phiếu cho một tệp Excel (tối đa 1.048.575 dòng). Hãy "
                      "chọn kỳ ngắn hơn, hoặc tải tệp CSV.");
            return;
        }
    }
    names officers = {0}, labels = {0};
    int rc = db_officers(d, v.unit, officer_name_cb, &officers, err, sizeof err) ||
             db_reason_labels(d, v.unit, label_cb, &labels, err, sizeof err);
    if (officers.n > 1) /* qsort of NULL (nothing) is undefined */
        qsort(officers.e, officers.n, sizeof *officers.e, named_cmp);
    if (labels.n > 1)
        qsort(labels.e, labels.n, sizeof *labels.e, named_cmp);
    out o = {0};
    char path[512];
    if (!rc && open_out(&o, xlsx, path, sizeof path)) {
        util_fmt(err, sizeof err, "cannot create a temporary file: %s", strerror(errno));
        rc = 1;
    }
    if (!rc && votes) {
        for (int i = 0; vote_heads[i]; i++)
            cell_s(&o, vote_heads[i]);
        end_row(&o);
        votes_ctx c = {&o, &officers, &labels};
        rc = db_votes(d, &v.f, vote_cb, &c, err, sizeof err);
    } else if (!rc) {
        table_ctx c = {&o, &officers, v.unit[0] != 0, 0, {0}};
        cell_s(&o, "STT");
        if (c.by_officer) {
            cell_s(&o, "Họ và tên");
            cell_s(&o, "Mã cán bộ");
        } else {
            cell_s(&o, "Xã, phường");
        }
        for (int i = 0; count_heads[i]; i++)
            cell_s(&o, count_heads[i]);
        end_row(&o);
        rc = db_summary(d, c.by_officer ? "officer" : "unit", &v.f, table_cb, &c, err, sizeof err);
        if (!rc) {
            cell_s(&o, "");
            cell_s(&o, "Tổng cộng");
            if (c.by_officer)
                cell_s(&o, "");
            count_row(&o, &c.total);
            end_row(&o);
        }
    }
    names_free(&officers);
    names_free(&labels);
    FILE *f = NULL;
    if (o.csv || o.wb) {
        if (rc) {
            if (o.wb)
                lxw_workbook_free(o.wb);
            else
                fclose(o.csv);
            unlink(path);
        } else {
            f = close_out(&o, path);
        }
    }
    if (rc || !f) {
        log_error("dashboard: download %s: %s", name, rc ? err : "cannot write the file");
        web_error(resp, 503, "Không tạo được tệp tải về; hãy thử lại sau.");
        return;
    }
    resp->status = 200;
    resp->file = f;
    resp->ctype = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                       : "text/csv; charset=utf-8";
    /* An ASCII file name: the unit's name may be anything; the dates say which period. */
    util_fmt(resp->disposition, sizeof resp->disposition,
             "attachment; filename=\"hailong-%s-%s-%s.%s\"", votes ? "phieu" : "tong-hop", v.from,
             v.to, xlsx ? "xlsx" : "csv");
}
