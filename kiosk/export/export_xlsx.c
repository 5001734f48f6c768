/* export_xlsx: workbooks through libxlsxwriter: the votes (one sheet per Excel's row limit, in
 * constant memory) with the per-officer summary sheet and its chart, and the monthly report's one
 * sheet. The workbook is written into the atomic file's temp file. */
#include "export_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "clock.h"
#include "rating.h"
#include "util.h"

static const double vote_widths[V_NCOLS] = {38, 18, 10, 12, 26, 10, 14, 36, 20, 14, 12};

typedef struct {
    lxw_workbook *wb;
    lxw_format *title, *subtitle, *header, *date, *text, *num, *pct, *tot_text, *tot_num, *tot_pct,
        *note, *vheader;
    /* The document's header and signatures: centred, bold, italic; the centred title. */
    lxw_format *centre, *centre_bold, *centre_italic, *centre_title;
} xl_book;

static lxw_format *xl_fmt(lxw_workbook *wb, int bold, int border, const char *num_format)
{
    lxw_format *f = workbook_add_format(wb);
    if (bold)
        format_set_bold(f);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    if (num_format)
        format_set_num_format(f, num_format);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    return f;
}

static void xl_formats(xl_book *x)
{
    lxw_workbook *wb = x->wb;
    x->title = xl_fmt(wb, 1, 0, NULL);
    format_set_font_size(x->title, 14);
    x->subtitle = xl_fmt(wb, 1, 0, NULL);
    x->header = xl_fmt(wb, 1, 1, NULL);
    format_set_text_wrap(x->header);
    format_set_align(x->header, LXW_ALIGN_CENTER);
    format_set_align(x->header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(x->header, 0xE8EEF4);
    x->vheader = xl_fmt(wb, 1, 0, NULL);
    format_set_text_wrap(x->vheader);
    format_set_bottom(x->vheader, LXW_BORDER_THIN);
    format_set_bg_color(x->vheader, 0xE8EEF4);
    x->date = workbook_add_format(wb);
    format_set_num_format(x->date, "dd/mm/yyyy hh:mm:ss");
    x->text = xl_fmt(wb, 0, 1, NULL);
    format_set_text_wrap(x->text);
    x->num = xl_fmt(wb, 0, 1, "0");
    x->pct = xl_fmt(wb, 0, 1, "0.0%");
    x->tot_text = xl_fmt(wb, 1, 1, NULL);
    x->tot_num = xl_fmt(wb, 1, 1, "0");
    x->tot_pct = xl_fmt(wb, 1, 1, "0.0%");
    x->note = workbook_add_format(wb);
    format_set_italic(x->note);
    x->centre = xl_fmt(wb, 0, 0, NULL);
    x->centre_bold = xl_fmt(wb, 1, 0, NULL);
    x->centre_italic = xl_fmt(wb, 0, 0, NULL);
    format_set_italic(x->centre_italic);
    x->centre_title = xl_fmt(wb, 1, 0, NULL);
    format_set_font_size(x->centre_title, 14);
    lxw_format *cf[4] = {x->centre, x->centre_bold, x->centre_italic, x->centre_title};
    for (int i = 0; i < 4; i++) {
        format_set_align(cf[i], LXW_ALIGN_CENTER);
        format_set_text_wrap(cf[i]);
    }
}

static int xl_open(xl_book *x, const atomic_file *af, int constant_memory, char *err, size_t errlen)
{
    /* constant_memory: each row goes to a temp file as it is written, so 1M votes take a few
     * MB; rows must come in order, which they do. */
    lxw_workbook_options opt = {.constant_memory = (uint8_t)(constant_memory ? 1 : 0),
                                .tmpdir = getenv("TMPDIR"),
                                .use_zip64 = 0};
    char name[64];
    x->wb = workbook_new_opt(af_open_name(af, name, sizeof name), &opt);
    if (!x->wb)
        return util_fail(err, errlen, HL_EXIT_RUNTIME,
                         "could not start the workbook %s (out of memory or no temporary space)",
                         af->out);
    workbook_set_properties(x->wb, &(lxw_doc_properties){.title = "Đánh giá mức độ hài lòng",
                                                         .author = "Hài lòng",
                                                         .company = ""});
    xl_formats(x);
    return 0;
}

/* Writes the workbook into the temp file; the temp file is then synced and renamed. */
static int xl_close(xl_book *x, atomic_file *af, char *err, size_t errlen)
{
    errno = 0;
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    if (e == LXW_NO_ERROR)
        return 0;
    int saved = errno;
    if (af_check(af, err, errlen) != 0)
        return HL_EXIT_RUNTIME;
    return util_fail(
        err, errlen, HL_EXIT_RUNTIME,
        "could not write %s: %s%s%s; nothing was saved; check free space on that disk and "
        "in the temporary folder (%s) and repeat the export",
        af->out, lxw_strerror(e), saved ? ": " : "", saved ? strerror(saved) : "",
        getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
}

static void xl_discard(xl_book *x)
{
    if (x->wb)
        lxw_workbook_free(x->wb);
    x->wb = NULL;
}

/* The columns of the header's and the signatures' two blocks: A..C on the left, F..K on the
 * right. */
enum { XL_LEFT0 = 0, XL_LEFT1 = 2, XL_RIGHT0 = 5, XL_RIGHT1 = 10, XL_TABLE_ROW = 6 };

static void xl_left_right(lxw_worksheet *ws, lxw_row_t r, const char *l, lxw_format *lf,
                          const char *rt, lxw_format *rf)
{
    worksheet_merge_range(ws, r, XL_LEFT0, r, XL_LEFT1, l, lf);
    worksheet_merge_range(ws, r, XL_RIGHT0, r, XL_RIGHT1, rt, rf);
}

/* The reasons given after "chưa hài lòng", from row r; returns the row below. */
static lxw_row_t xl_reasons(xl_book *x, lxw_worksheet *ws, lxw_row_t r, const export_summary *s)
{
    char line[256];
    worksheet_write_string(ws, r++, 0, EXPORT_REASONS_TITLE, x->subtitle);
    export_reasons_intro(s, line, sizeof line);
    worksheet_write_string(ws, r++, 0, line, NULL);
    worksheet_set_row(ws, r, 30, NULL);
    worksheet_write_string(ws, r, 0, "STT", x->header);
    worksheet_merge_range(ws, r, 1, r, 2, "Lý do chưa hài lòng", x->header);
    worksheet_write_string(ws, r, 3, "Số phiếu", x->header);
    worksheet_merge_range(ws, r, 4, r, 6, EXPORT_REASON_HEAD, x->header);
    r++;
    for (size_t k = 0; k <= s->n_reasons; k++, r++) {
        int last = k == s->n_reasons;
        int64_t n = last ? s->no_reason : s->reasons[k].n;
        if (last)
            worksheet_write_blank(ws, r, 0, x->num);
        else
            worksheet_write_number(ws, r, 0, (double)(k + 1), x->num);
        worksheet_merge_range(ws, r, 1, r, 2, last ? EXPORT_NO_REASON : s->reasons[k].label,
                              x->text);
        worksheet_write_number(ws, r, 3, (double)n, x->num);
        worksheet_merge_range(ws, r, 4, r, 6, "", x->pct);
        if (s->total.n[1])
            worksheet_write_number(ws, r, 4, (double)n / (double)s->total.n[1], x->pct);
    }
    return r;
}

/* The summary sheet as an administrative document: the body and the Quốc hiệu on top, the title
 * and the period; per officer the counted votes, the count and share of each level, the share
 * (máy đánh giá); a total row and the notes; the reasons given after "chưa hài lòng"; the
 * signatures; a chart. */
static void xl_summary_sheet(xl_book *x, const char *sheet_name, const char *title,
                             const content *c, const char *period, const export_summary *s,
                             int64_t made_at_ms)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, sheet_name);
    if (!ws)
        return;
    double widths[12] = {5, 24, 24, 10, 8, 8, 8, 8, 8, 8, 16, 11};
    for (size_t k = 0; k < s->n_rows; k++) { /* names and titles fit, within reason */
        double wn = (double)export_text_width(s->rows[k].name) + 2,
               wt = (double)export_text_width(s->rows[k].title) + 2;
        widths[1] = wn > widths[1] ? (wn < 50 ? wn : 50) : widths[1];
        widths[2] = wt > widths[2] ? (wt < 45 ? wt : 45) : widths[2];
    }
    for (int i = 0; i < 12; i++)
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i], NULL);
    export_head h;
    export_head_init(&h, c, made_at_ms);
    xl_left_right(ws, 0, h.left[0], x->centre, h.right[0], x->centre_bold);
    xl_left_right(ws, 1, h.left[1], x->centre_bold, h.right[1], x->centre_bold);
    worksheet_set_row(ws, 3, 22, NULL);
    worksheet_merge_range(ws, 3, 0, 3, 11, title, x->centre_title);
    worksheet_merge_range(ws, 4, 0, 4, 11, period, x->centre_italic);

    /* Two header rows: the level names over their SL and % columns. */
    static const char *const head[12] = {
        "STT",           "Họ và tên", "Chức danh",       "Tổng số phiếu",
        "Rất hài lòng",  NULL,        "Hài lòng",        NULL,
        "Chưa hài lòng", NULL,        EXPORT_SHARE_HEAD, EXPORT_COMMEND_HEAD};
    lxw_row_t r = XL_TABLE_ROW;
    worksheet_set_row(ws, r, 45, NULL);
    for (int i = 0; i < 12; i++) {
        if (i >= 4 && i <= 8 && i % 2 == 0)
            worksheet_merge_range(ws, r, (lxw_col_t)i, r, (lxw_col_t)(i + 1), head[i], x->header);
        else if (head[i])
            worksheet_write_string(ws, r, (lxw_col_t)i, head[i], x->header);
    }
    for (int i = 0; i < 12; i++) {
        if (i >= 4 && i <= 9)
            worksheet_write_string(ws, r + 1, (lxw_col_t)i, i % 2 ? "%" : "SL", x->header);
        else
            worksheet_write_blank(ws, r + 1, (lxw_col_t)i, x->header);
    }
    worksheet_repeat_rows(ws, r, r + 1); /* on every printed page */
    r += 2;
    lxw_row_t first = r;
    for (size_t k = 0; k <= s->n_rows; k++, r++) {
        int is_total = k == s->n_rows;
        const export_officer_row *o = is_total ? &s->total : &s->rows[k];
        lxw_format *ft = is_total ? x->tot_text : x->text, *fn = is_total ? x->tot_num : x->num,
                   *fp = is_total ? x->tot_pct : x->pct;
        if (is_total)
            worksheet_write_blank(ws, r, 0, fn);
        else
            worksheet_write_number(ws, r, 0, (double)(k + 1), fn);
        worksheet_write_string(ws, r, 1, o->name, ft);
        worksheet_write_string(ws, r, 2, o->title, ft);
        worksheet_write_number(ws, r, 3, (double)o->counted, fn);
        for (int lvl = 3, col = 4; lvl >= 1; lvl--, col += 2) {
            worksheet_write_number(ws, r, (lxw_col_t)col, (double)o->n[lvl], fn);
            if (o->counted)
                worksheet_write_number(ws, r, (lxw_col_t)(col + 1),
                                       (double)o->n[lvl] / (double)o->counted, fp);
            else
                worksheet_write_blank(ws, r, (lxw_col_t)(col + 1), fp);
        }
        if (o->counted)
            worksheet_write_number(ws, r, 10, (double)(o->n[3] + o->n[2]) / (double)o->counted, fp);
        else
            worksheet_write_blank(ws, r, 10, fp);
        worksheet_write_number(ws, r, 11, (double)o->commended, fn);
    }
    char *notes[EXPORT_N_NOTES];
    export_note_lines(c, s, notes);
    for (int i = 0; i < EXPORT_N_NOTES; i++) {
        worksheet_write_string(ws, r++, 0, notes[i], i < 2 ? x->note : NULL);
        free(notes[i]);
    }
    r = xl_reasons(x, ws, r + 1, s);

    /* The signatures. */
    r++;
    worksheet_merge_range(ws, r, XL_RIGHT0, r, XL_RIGHT1, h.date, x->centre_italic);
    r++;
    xl_left_right(ws, r++, EXPORT_SIGN_MAKER, x->centre_bold, EXPORT_SIGN_HEAD, x->centre_bold);
    xl_left_right(ws, r++, EXPORT_SIGN_NOTE, x->centre_italic, EXPORT_SIGN_NOTE, x->centre_italic);
    r += 4; /* room to sign */
    export_head_free(&h);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);

    /* Each officer's bar split into the three levels, as shares of that officer's votes. */
    if (s->n_rows == 0)
        return;
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_BAR_STACKED_PERCENT);
    if (!ch)
        return;
    static const lxw_color_t colors[3] = {0x2E7D32, 0x9CCC65, 0xEF6C00};
    lxw_row_t last = (lxw_row_t)(first + s->n_rows - 1);
    for (int i = 0; i < 3; i++) { /* levels 3, 2, 1: the SL columns 4, 6, 8 */
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(se, sheet_name, first, 1, last, 1);
        chart_series_set_values(se, sheet_name, first, (lxw_col_t)(4 + 2 * i), last,
                                (lxw_col_t)(4 + 2 * i));
        chart_series_set_name(se, rating_label(RATING_VERY_HAPPY - i));
        lxw_chart_fill fill = {.color = colors[i]};
        chart_series_set_fill(se, &fill);
    }
    chart_title_set_name(ch, "Tỷ lệ các mức đánh giá theo cán bộ");
    /* In a bar chart x_axis is the horizontal value axis and y_axis the officers. */
    chart_axis_set_num_format(ch->x_axis, "0%");
    chart_axis_set_reverse(ch->y_axis);      /* first officer at the top ... */
    chart_axis_set_crossing_max(ch->y_axis); /* ... and the percentages still at the bottom */
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options co = {.x_offset = 0,
                            .y_offset = 10,
                            .x_scale = 1.9,
                            .y_scale = 0.6 + 0.1 * (double)(s->n_rows > 20 ? 20 : s->n_rows)};
    worksheet_insert_chart_opt(ws, r, 1, ch, &co);
}

static lxw_worksheet *xl_votes_sheet(xl_book *x, int part, const char *title)
{
    char name[64];
    if (part == 1)
        util_strlcpy(name, "Phiếu đánh giá", sizeof name);
    else
        util_fmt(name, sizeof name, "Phiếu đánh giá (%d)", part);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        return NULL;
    for (int i = 0; i < V_NCOLS; i++)
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, vote_widths[i],
                             i == V_TIME ? x->date : NULL);
    worksheet_write_string(ws, 0, 0, title, x->title);
    worksheet_set_row(ws, 1, 30, NULL);
    for (int i = 0; i < V_NCOLS; i++)
        worksheet_write_string(ws, 1, (lxw_col_t)i, export_vote_headers[i], x->vheader);
    worksheet_freeze_panes(ws, 2, 0);
    return ws;
}

/* The state of the votes sheets while the reader walks the votes. */
typedef struct {
    export_walk walk;
    xl_book *x;
    lxw_worksheet *ws;
    lxw_row_t r, per_sheet;
    int part;
    const char *title;
    export_summary *sum; /* its reasons tallied as the votes go by */
} xl_votes;

static int xl_vote(void *ctx, const store_read_vote *v)
{
    xl_votes *s = ctx;
    export_job *j = s->walk.j;
    export_reasons_add(s->sum, v);
    if (export_job_take(j, v)) {
        if (s->r - 2 >= s->per_sheet) {
            worksheet_autofilter(s->ws, 1, 0, s->r - 1, V_NCOLS - 1);
            s->ws = xl_votes_sheet(s->x, ++s->part, s->title);
            s->r = 2;
            if (!s->ws)
                return 1; /* stop: no sheet could be added, reported after the walk */
        }
        lxw_worksheet *ws = s->ws;
        lxw_row_t r = s->r;
        worksheet_write_string(ws, r, V_UUID, v->uuid, NULL);
        worksheet_write_string(ws, r, V_KIOSK, v->kiosk_id, NULL);
        worksheet_write_number(ws, r, V_SEQ, (double)v->seq, NULL);
        worksheet_write_string(ws, r, V_CODE, v->officer_code, NULL);
        worksheet_write_string(ws, r, V_NAME, export_officer_name(&j->rx, v->officer_code), NULL);
        worksheet_write_number(ws, r, V_RATING, v->rating, NULL);
        worksheet_write_string(ws, r, V_LABEL, rating_label(v->rating), NULL);
        const char *reasons = export_reasons_text(&j->rx, v->reasons);
        if (reasons[0])
            worksheet_write_string(ws, r, V_REASONS, reasons, NULL);
        worksheet_write_number(ws, r, V_TIME, export_excel_serial(v->created_at), s->x->date);
        worksheet_write_number(ws, r, V_MISUSE, v->misuse, NULL);
        worksheet_write_string(ws, r, V_SYNC, export_sync_label(v->sync_state), NULL);
        s->r++;
        j->res.rows++;
    }
    return export_walk_tick(&s->walk);
}

int export_xlsx_votes(export_job *j, char *err, size_t errlen)
{
    const export_votes_opts *o = j->o;
    const content *c = o->content;
    export_summary s;
    int rc = export_summary_read(j->db, c, j->from_ms, j->to_ms, &s, err, errlen);
    if (rc) {
        export_summary_free(&s);
        return rc;
    }
    xl_book x = {0};
    if ((rc = xl_open(&x, &j->af, 1, err, errlen)) != 0) {
        export_summary_free(&s);
        return rc;
    }
    char period[128], title[512], a[11], b[11];
    export_period_text(o->from, o->to, period, sizeof period);
    export_fmt_date(o->from, a);
    export_fmt_date(o->to, b);
    util_fmt(title, sizeof title, "Phiếu đánh giá — %s — từ %s đến %s%s",
             c && c->commune_name ? c->commune_name : "", a, b,
             o->include_misuse ? " (gồm cả lượt bấm bất thường)" : "");

    /* The votes first (the sheet a reader opens), then the summary. */
    xl_votes vs = {.walk = {.j = j, .err = err, .errlen = errlen},
                   .x = &x,
                   .r = 2,
                   .per_sheet = LXW_ROW_MAX - 2, /* Excel's rows less the title and header */
                   .part = 1,
                   .title = title,
                   .sum = &s};
    export_reasons_begin(&s, c);
    if (o->xlsx_rows_per_sheet > 0 && o->xlsx_rows_per_sheet < (int64_t)vs.per_sheet)
        vs.per_sheet = (lxw_row_t)o->xlsx_rows_per_sheet;
    vs.ws = xl_votes_sheet(&x, vs.part, title);
    store_range range = {j->from_ms, j->to_ms};
    if (vs.ws && store_reader_votes(j->db, range, xl_vote, &vs, err, errlen) != STORE_OK)
        rc = HL_EXIT_RUNTIME;
    else
        rc = vs.walk.rc;
    if (!vs.ws && !rc)
        rc = util_fail(err, errlen, HL_EXIT_RUNTIME,
                       "could not add a sheet to %s (no temporary space?); nothing was saved",
                       j->af.out);
    if (!rc) {
        worksheet_autofilter(vs.ws, 1, 0, vs.r > 2 ? vs.r - 1 : 2, V_NCOLS - 1);
        char sum_title[256];
        if (o->period_name)
            util_fmt(sum_title, sizeof sum_title, EXPORT_REPORT_TITLE " — %s", o->period_name);
        else
            util_fmt(sum_title, sizeof sum_title, EXPORT_REPORT_TITLE " — từ %s đến %s", a, b);
        export_reasons_end(&s);
        xl_summary_sheet(&x, "Tổng hợp", sum_title, c, period, &s, 0);
        rc = xl_close(&x, &j->af, err, errlen);
    }
    xl_discard(&x);
    export_summary_free(&s);
    return rc;
}

int export_xlsx_report(atomic_file *af, const char *sheet, const char *title, const content *c,
                       const char *period, const export_summary *s, int64_t made_at_ms, char *err,
                       size_t errlen)
{
    xl_book x = {0};
    int rc = xl_open(&x, af, 0, err, errlen);
    if (!rc) {
        xl_summary_sheet(&x, sheet, title, c, period, s, made_at_ms);
        rc = xl_close(&x, af, err, errlen);
    }
    xl_discard(&x);
    return rc;
}
