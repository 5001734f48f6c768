/* export_report: the monthly per-officer report as a text table (for a terminal or a printer) and
 * as CSV: the same rows as the XLSX sheet, the total, the misuse count and the notes. */
#include "export_int.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "util.h"

/* A cell for the text table: line breaks and other control characters become spaces. */
static char *one_line(const char *s)
{
    char *t = xstrdup(s ? s : "");
    for (char *p = t; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return t;
}

enum { R_STT, R_NAME, R_TITLE, R_TOTAL, R_N3, R_P3, R_N2, R_P2, R_N1, R_P1, R_SHARE, R_NCOLS };

/* The table as text cells: rows[k][col]; the last row is the total. */
typedef struct {
    char *(*cells)[R_NCOLS];
    size_t n;
} report_table;

static void table_build(const export_summary *s, int one_line_names, report_table *t)
{
    t->n = s->n_rows + 1;
    t->cells = xcalloc(t->n, sizeof *t->cells);
    for (size_t k = 0; k < t->n; k++) {
        const export_officer_row *o = k < s->n_rows ? &s->rows[k] : &s->total;
        char **c = t->cells[k], num[32];
        if (k < s->n_rows)
            export_fmt_i64(num, sizeof num, (int64_t)k + 1);
        else
            num[0] = '\0';
        c[R_STT] = xstrdup(num);
        c[R_NAME] = one_line_names ? one_line(o->name) : xstrdup(o->name);
        c[R_TITLE] = one_line_names ? one_line(o->title) : xstrdup(o->title);
        export_fmt_i64(num, sizeof num, o->counted);
        c[R_TOTAL] = xstrdup(num);
        for (int lvl = 3, col = R_N3; lvl >= 1; lvl--, col += 2) {
            export_fmt_i64(num, sizeof num, o->n[lvl]);
            c[col] = xstrdup(num);
            export_pct(o->n[lvl], o->counted, num, sizeof num);
            c[col + 1] = xstrdup(num);
        }
        export_pct(o->n[3] + o->n[2], o->counted, num, sizeof num);
        c[R_SHARE] = xstrdup(num);
    }
}

static void table_free(report_table *t)
{
    for (size_t k = 0; k < t->n; k++)
        for (int i = 0; i < R_NCOLS; i++)
            free(t->cells[k][i]);
    free(t->cells);
}

static const char *const report_head[R_NCOLS] = {
    "STT", "Họ và tên",     "Chức danh", "Tổng số phiếu", "Rất hài lòng", NULL, "Hài lòng",
    NULL,  "Chưa hài lòng", NULL,        "Tỷ lệ hài lòng"};

static void pad(buf *d, const char *s, size_t width, int align /* -1 left, 0 centre, 1 right */)
{
    size_t w = export_text_width(s), gap = width > w ? width - w : 0;
    size_t before = align > 0 ? gap : align == 0 ? gap / 2 : 0;
    for (size_t i = 0; i < before; i++)
        buf_add(d, " ", 1);
    buf_str(d, s);
    for (size_t i = before; i < gap; i++)
        buf_add(d, " ", 1);
}

static void rule(buf *d, const size_t *w)
{
    buf_str(d, "+");
    for (int i = 0; i < R_NCOLS; i++) {
        for (size_t k = 0; k < w[i] + 2; k++)
            buf_add(d, "-", 1);
        buf_str(d, "+");
    }
    buf_str(d, "\n");
}

static void report_header_lines(buf *d, const export_report_opts *o, const char *title,
                                const char *period)
{
    const content *c = o->content;
    buf_printf(d, "%s\n%s — %s\n%s\n", title, c->commune_name ? c->commune_name : "",
               c->desk_name ? c->desk_name : "", period);
    if (o->made_at_ms) {
        char date[11];
        clk_format_date(o->made_at_ms, date);
        buf_printf(d, "Ngày lập: %s\n", date);
    }
}

static void report_footer_lines(const export_report_opts *o, const export_summary *s,
                                char *lines[3])
{
    buf a = {0}, b = {0}, c = {0};
    buf_printf(&a, EXPORT_MISUSE_LINE "%lld", (long long)s->total.misuse);
    buf_str(&b, EXPORT_NOTE_FORMULA);
    buf_printf(&c, "Số liệu nội bộ từ máy đánh giá tại %s; không phải chỉ số chính thức.",
               o->content->desk_name ? o->content->desk_name : "Bộ phận Một cửa");
    lines[0] = buf_take(&a);
    lines[1] = buf_take(&b);
    lines[2] = buf_take(&c);
}

void export_report_text(buf *d, const export_report_opts *o, const export_summary *s,
                        const char *title, const char *period)
{
    report_table t;
    table_build(s, 1, &t);
    size_t w[R_NCOLS];
    for (int i = 0; i < R_NCOLS; i++) {
        w[i] = report_head[i] && (i < R_N3 || i == R_SHARE) ? export_text_width(report_head[i]) : 0;
        if (i >= R_N3 && i <= R_P1)
            w[i] = export_text_width(i % 2 == R_N3 % 2 ? "SL" : "%");
        for (size_t k = 0; k < t.n; k++) {
            size_t cw = export_text_width(t.cells[k][i]);
            w[i] = cw > w[i] ? cw : w[i];
        }
    }
    for (int i = R_N3; i <= R_N1; i += 2) { /* the level's name spans its SL and % columns */
        size_t need = export_text_width(report_head[i]), have = w[i] + 3 + w[i + 1];
        if (need > have) {
            w[i] += (need - have) / 2;
            w[i + 1] += need - have - (need - have) / 2;
        }
    }
    report_header_lines(d, o, title, period);
    buf_str(d, "\n");
    rule(d, w);
    /* Header row 1: column names, the levels centred over their two columns. */
    buf_str(d, "|");
    for (int i = 0; i < R_NCOLS; i++) {
        buf_str(d, " ");
        if (i >= R_N3 && i <= R_N1 && i % 2 == R_N3 % 2) {
            pad(d, report_head[i], w[i] + 3 + w[i + 1], 0);
            i++;
        } else {
            pad(d, report_head[i], w[i], -1);
        }
        buf_str(d, " |");
    }
    buf_str(d, "\n|");
    for (int i = 0; i < R_NCOLS; i++) {
        buf_str(d, " ");
        pad(d, i >= R_N3 && i <= R_P1 ? (i % 2 == R_N3 % 2 ? "SL" : "%") : "", w[i], 1);
        buf_str(d, " |");
    }
    buf_str(d, "\n");
    rule(d, w);
    for (size_t k = 0; k < t.n; k++) {
        if (k == t.n - 1)
            rule(d, w);
        buf_str(d, "|");
        for (int i = 0; i < R_NCOLS; i++) {
            buf_str(d, " ");
            pad(d, t.cells[k][i], w[i], i == R_NAME || i == R_TITLE ? -1 : 1);
            buf_str(d, " |");
        }
        buf_str(d, "\n");
    }
    rule(d, w);
    char *foot[3];
    report_footer_lines(o, s, foot);
    buf_printf(d, "\n%s\n%s\n%s\n", foot[0], foot[1], foot[2]);
    for (int i = 0; i < 3; i++)
        free(foot[i]);
    table_free(&t);
}

/* The report as CSV: the same rows as the text, one cell per column. */
void export_report_csv(export_wbuf *w, const export_report_opts *o, const export_summary *s,
                       const char *title, const char *period)
{
    report_table t;
    table_build(s, 0, &t);
    const content *c = o->content;
    char line[512];
    export_wb_put(w, "\xEF\xBB\xBF", 3);
    const char *one[1] = {title};
    export_csv_row(w, one, 1);
    util_fmt(line, sizeof line, "%s — %s", c->commune_name ? c->commune_name : "",
             c->desk_name ? c->desk_name : "");
    one[0] = line;
    export_csv_row(w, one, 1);
    one[0] = period;
    export_csv_row(w, one, 1);
    if (o->made_at_ms) {
        char date[11];
        clk_format_date(o->made_at_ms, date);
        util_fmt(line, sizeof line, "Ngày lập: %s", date);
        one[0] = line;
        export_csv_row(w, one, 1);
    }
    export_wb_put(w, "\r\n", 2);
    export_csv_row(w, report_head, R_NCOLS);
    const char *sub[R_NCOLS] = {NULL, NULL, NULL, NULL, "SL", "%", "SL", "%", "SL", "%", NULL};
    export_csv_row(w, sub, R_NCOLS);
    for (size_t k = 0; k < t.n; k++)
        export_csv_row(w, (const char *const *)t.cells[k], R_NCOLS);
    export_wb_put(w, "\r\n", 2);
    char *foot[3];
    report_footer_lines(o, s, foot);
    for (int i = 0; i < 3; i++) {
        one[0] = foot[i];
        export_csv_row(w, one, 1);
        free(foot[i]);
    }
    table_free(&t);
}
