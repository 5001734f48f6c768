/* export_report: the report of a period as text (for a terminal or a printer) and as CSV: the same
 * parts as the XLSX sheet: the document's header, the per-officer table with its total and notes,
 * the reasons given after "chưa hài lòng", and (text) the signatures. */
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

enum {
    R_STT,
    R_NAME,
    R_TITLE,
    R_TOTAL,
    R_N3,
    R_P3,
    R_N2,
    R_P2,
    R_N1,
    R_P1,
    R_SHARE,
    R_COMMEND,
    R_NCOLS
};

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
        export_fmt_i64(num, sizeof num, o->commended);
        c[R_COMMEND] = xstrdup(num);
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
    "STT", "Họ và tên",     "Chức danh", "Tổng số phiếu",   "Rất hài lòng",     NULL, "Hài lòng",
    NULL,  "Chưa hài lòng", NULL,        EXPORT_SHARE_HEAD, EXPORT_COMMEND_HEAD};

enum { Q_STT, Q_LABEL, Q_N, Q_SHARE, Q_NCOLS };
static const char *const reasons_head[Q_NCOLS] = {"STT", "Lý do chưa hài lòng", "Số phiếu",
                                                  EXPORT_REASON_HEAD};

/* The reasons' table as text cells, row-major: each reason, then the votes without one. */
static char **reasons_build(const export_summary *s, int one_line_labels, size_t *n_rows)
{
    *n_rows = s->n_reasons + 1;
    char **c = xcalloc(*n_rows * Q_NCOLS, sizeof *c), num[32];
    for (size_t k = 0; k < *n_rows; k++) {
        int last = k == s->n_reasons;
        int64_t n = last ? s->no_reason : s->reasons[k].n;
        char **row = c + k * Q_NCOLS;
        export_fmt_i64(num, sizeof num, (int64_t)k + 1);
        row[Q_STT] = xstrdup(last ? "" : num);
        const char *label = last ? EXPORT_NO_REASON : s->reasons[k].label;
        row[Q_LABEL] = one_line_labels ? one_line(label) : xstrdup(label);
        export_fmt_i64(num, sizeof num, n);
        row[Q_N] = xstrdup(num);
        export_pct(n, s->total.n[1], num, sizeof num);
        row[Q_SHARE] = xstrdup(num);
    }
    return c;
}

static void cells_free(char **c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i]);
    free(c);
}

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

/* A line of text, spaces at its end left out. */
static void line_end(buf *d)
{
    while (d->len && buf_cstr(d)[d->len - 1] == ' ')
        d->len--;
    buf_str(d, "\n");
}

static void rule(buf *d, const size_t *w, int n)
{
    buf_str(d, "+");
    for (int i = 0; i < n; i++) {
        for (size_t k = 0; k < w[i] + 2; k++)
            buf_add(d, "-", 1);
        buf_str(d, "+");
    }
    buf_str(d, "\n");
}

/* The width of a table whose columns are w[0..n) wide: "| a | b |". */
static size_t table_width(const size_t *w, int n)
{
    size_t t = 1;
    for (int i = 0; i < n; i++)
        t += w[i] + 3;
    return t;
}

/* Two blocks on one line: l centred in the first lw columns, r centred in the last rw of width. */
static void two_blocks(buf *d, const char *l, size_t lw, const char *r, size_t rw, size_t width)
{
    pad(d, l, lw, 0);
    pad(d, "", width - lw - rw, -1);
    pad(d, r, rw, 0);
    line_end(d);
}

static void centred(buf *d, const char *s, size_t width)
{
    pad(d, s, width, 0);
    line_end(d);
}

/* The reasons' table, under its title and the line that says what the shares are of. */
static void reasons_text(buf *d, const export_summary *s)
{
    size_t n;
    char **c = reasons_build(s, 1, &n), intro[256];
    size_t w[Q_NCOLS];
    for (int i = 0; i < Q_NCOLS; i++) {
        w[i] = export_text_width(reasons_head[i]);
        for (size_t k = 0; k < n; k++) {
            size_t cw = export_text_width(c[k * Q_NCOLS + i]);
            w[i] = cw > w[i] ? cw : w[i];
        }
    }
    export_reasons_intro(s, intro, sizeof intro);
    buf_printf(d, "\n%s\n%s\n", EXPORT_REASONS_TITLE, intro);
    rule(d, w, Q_NCOLS);
    buf_str(d, "|");
    for (int i = 0; i < Q_NCOLS; i++) {
        buf_str(d, " ");
        pad(d, reasons_head[i], w[i], -1);
        buf_str(d, " |");
    }
    buf_str(d, "\n");
    rule(d, w, Q_NCOLS);
    for (size_t k = 0; k < n; k++) {
        if (k == n - 1)
            rule(d, w, Q_NCOLS);
        buf_str(d, "|");
        for (int i = 0; i < Q_NCOLS; i++) {
            buf_str(d, " ");
            pad(d, c[k * Q_NCOLS + i], w[i], i == Q_LABEL ? -1 : 1);
            buf_str(d, " |");
        }
        buf_str(d, "\n");
    }
    rule(d, w, Q_NCOLS);
    cells_free(c, n * Q_NCOLS);
}

void export_report_text(buf *d, const export_report_opts *o, const export_summary *s,
                        const char *title, const char *period)
{
    report_table t;
    table_build(s, 1, &t);
    size_t w[R_NCOLS];
    for (int i = 0; i < R_NCOLS; i++) {
        w[i] = report_head[i] && (i < R_N3 || i >= R_SHARE) ? export_text_width(report_head[i]) : 0;
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
    /* The header: the body on the left, Quốc hiệu and tiêu ngữ on the right, over the table's
     * width (or wider when a long name needs it). */
    export_head h;
    export_head_init(&h, o->content, o->made_at_ms);
    char *l0 = one_line(h.left[0]), *l1 = one_line(h.left[1]);
    size_t lw = export_text_width(l0), rw = export_text_width(EXPORT_QUOC_HIEU);
    size_t cands[] = {export_text_width(l1), export_text_width(EXPORT_SIGN_MAKER),
                      export_text_width(EXPORT_SIGN_NOTE)};
    for (size_t i = 0; i < HL_ARRAY_LEN(cands); i++)
        lw = cands[i] > lw ? cands[i] : lw;
    size_t dw = export_text_width(h.date);
    rw = (dw > rw ? dw : rw) + 2;
    lw += 2;
    size_t width = table_width(w, R_NCOLS);
    if (width < lw + rw + 4)
        width = lw + rw + 4;
    two_blocks(d, l0, lw, h.right[0], rw, width);
    two_blocks(d, l1, lw, h.right[1], rw, width);
    buf_str(d, "\n");
    centred(d, title, width);
    centred(d, period, width);
    buf_str(d, "\n");

    rule(d, w, R_NCOLS);
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
    rule(d, w, R_NCOLS);
    for (size_t k = 0; k < t.n; k++) {
        if (k == t.n - 1)
            rule(d, w, R_NCOLS);
        buf_str(d, "|");
        for (int i = 0; i < R_NCOLS; i++) {
            buf_str(d, " ");
            pad(d, t.cells[k][i], w[i], i == R_NAME || i == R_TITLE ? -1 : 1);
            buf_str(d, " |");
        }
        buf_str(d, "\n");
    }
    rule(d, w, R_NCOLS);
    char *notes[EXPORT_N_NOTES];
    export_note_lines(o->content, s, notes);
    for (int i = 0; i < EXPORT_N_NOTES; i++) {
        buf_printf(d, "%s\n", notes[i]);
        free(notes[i]);
    }
    reasons_text(d, s);

    /* The signatures: the maker on the left, the head of the office on the right. */
    buf_str(d, "\n");
    two_blocks(d, "", lw, h.date, rw, width);
    two_blocks(d, EXPORT_SIGN_MAKER, lw, EXPORT_SIGN_HEAD, rw, width);
    two_blocks(d, EXPORT_SIGN_NOTE, lw, EXPORT_SIGN_NOTE, rw, width);
    free(l0);
    free(l1);
    export_head_free(&h);
    table_free(&t);
}

/* The report as CSV, to be read by programs as well as by Excel: the header as leading rows
 * (the body in the first cell, Quốc hiệu and tiêu ngữ in the seventh, where Excel shows them on
 * the right), the title and period, then the tables, each starting at its "STT" row. No
 * signatures: the paper to sign is the text or the XLSX. */
void export_report_csv(export_wbuf *w, const export_report_opts *o, const export_summary *s,
                       const char *title, const char *period)
{
    report_table t;
    table_build(s, 0, &t);
    export_head h;
    export_head_init(&h, o->content, 0);
    char line[512];
    export_wb_put(w, "\xEF\xBB\xBF", 3);
    for (int i = 0; i < 2; i++) {
        const char *row[7] = {h.left[i], NULL, NULL, NULL, NULL, NULL, h.right[i]};
        export_csv_row(w, row, 7);
    }
    const char *one[1] = {title};
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
    const char *sub[R_NCOLS] = {NULL, NULL, NULL, NULL, "SL", "%",
                                "SL", "%",  "SL", "%",  NULL, NULL};
    export_csv_row(w, sub, R_NCOLS);
    for (size_t k = 0; k < t.n; k++)
        export_csv_row(w, (const char *const *)t.cells[k], R_NCOLS);
    char *notes[EXPORT_N_NOTES];
    export_note_lines(o->content, s, notes);
    for (int i = 0; i < EXPORT_N_NOTES; i++) {
        one[0] = notes[i];
        export_csv_row(w, one, 1);
        free(notes[i]);
    }
    export_wb_put(w, "\r\n", 2);
    one[0] = EXPORT_REASONS_TITLE;
    export_csv_row(w, one, 1);
    export_reasons_intro(s, line, sizeof line);
    one[0] = line;
    export_csv_row(w, one, 1);
    export_csv_row(w, reasons_head, Q_NCOLS);
    size_t n;
    char **c = reasons_build(s, 0, &n);
    for (size_t k = 0; k < n; k++)
        export_csv_row(w, (const char *const *)c + k * Q_NCOLS, Q_NCOLS);
    cells_free(c, n * Q_NCOLS);
    export_head_free(&h);
    table_free(&t);
}
