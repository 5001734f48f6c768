/* letter_register: the register of the Chairman's letters sent ("Sổ đăng ký thư"), one XLSX sheet
 * the office clerk (văn thư) can print or keep adding to: a title, the Vietnamese headers, one row
 * per letter with its date as a real Excel date (sortable and filterable), columns as wide as
 * their longest text. Every row is checked before a file is started, and the file is replaced
 * atomically (the temp file's name through atomic_file, since libxlsxwriter opens a path). */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "atomic_file.h"
#include "letter.h"
#include "util.h"

enum { COLS = 7, HEAD_ROW = 1, FIRST_ROW = 2 };

static const char *const heads[COLS] = {"Số",         "Ký hiệu",        "Ngày",    "Loại thư",
                                        "Người nhận", "Phản ánh/góp ý", "Người ký"};
/* The narrowest each column may be (Excel's width unit: about one digit). */
static const double min_w[COLS] = {6, 12, 12, 13, 20, 16, 20};

static int row_text(size_t i, const char *field, const char *s, int required, char *err,
                    size_t errlen)
{
    if (!s || !*s)
        return required ? util_fail(err, errlen, -1, "register row %zu: no %s", i + 1, field) : 0;
    if (!g_utf8_validate(s, -1, NULL))
        return util_fail(err, errlen, -1, "register row %zu: the %s is not valid UTF-8", i + 1,
                         field);
    return 0;
}

static int check_rows(const letter_reg_row *rows, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const letter_reg_row *r = &rows[i];
        char tmp[64];
        if (r->number < 1)
            return util_fail(err, errlen, -1, "register row %zu: the number %d is not 1 or more",
                             i + 1, r->number);
        if (r->kind != LETTER_XIN_LOI && r->kind != LETTER_CAM_ON)
            return util_fail(err, errlen, -1, "register row %zu: unknown kind of letter %d", i + 1,
                             (int)r->kind);
        if (letter_date_line("", r->year, r->month, r->day, tmp, sizeof tmp))
            return util_fail(err, errlen, -1,
                             "register row %zu: the date %04d-%02d-%02d is not a real date", i + 1,
                             r->year, r->month, r->day);
        if (row_text(i, "symbol", r->symbol, 1, err, errlen) ||
            row_text(i, "recipient", r->recipient, 1, err, errlen) ||
            row_text(i, "item id", r->item_id, 0, err, errlen) ||
            row_text(i, "signer", r->signer, 1, err, errlen))
            return -1;
    }
    return 0;
}

/* Grows the column's width to fit s (in characters: Vietnamese letters count as one). */
static void fit(double *w, const char *s)
{
    double len = (double)g_utf8_strlen(s, -1) + 2;
    if (len > *w)
        *w = len > 60 ? 60 : len;
}

int letter_register_xlsx(const char *path, const letter_reg_row *rows, size_t n, const char *title,
                         char *err, size_t errlen)
{
    if (!path || !*path || (n && !rows))
        return util_fail(err, errlen, -1, "letter_register_xlsx: no path or no rows");
    if (!title || !*title)
        title = "SỔ ĐĂNG KÝ THƯ XIN LỖI, THƯ CẢM ƠN";
    if (!g_utf8_validate(title, -1, NULL))
        return util_fail(err, errlen, -1, "the register's title is not valid UTF-8");
    if (check_rows(rows, n, err, errlen))
        return -1;

    atomic_file af;
    if (af_begin(&af, path, "write the register again", err, errlen))
        return -1;
    char name[64];
    lxw_workbook *wb = workbook_new(af_open_name(&af, name, sizeof name));
    lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, "Sổ đăng ký thư") : NULL;
    if (!ws) {
        if (wb)
            lxw_workbook_free(wb);
        af_abort(&af);
        return util_fail(err, errlen, -1,
                         "could not start the workbook %s (out of memory or no temporary space)",
                         path);
    }
    workbook_set_properties(wb,
                            &(lxw_doc_properties){.title = "Sổ đăng ký thư", .author = "Hài lòng"});
    lxw_format *f_title = workbook_add_format(wb), *f_head = workbook_add_format(wb);
    lxw_format *f_cell = workbook_add_format(wb), *f_num = workbook_add_format(wb);
    lxw_format *f_date = workbook_add_format(wb);
    format_set_bold(f_title);
    format_set_font_size(f_title, 14);
    format_set_align(f_title, LXW_ALIGN_CENTER);
    lxw_format *boxed[] = {f_head, f_cell, f_num, f_date};
    for (size_t i = 0; i < HL_ARRAY_LEN(boxed); i++) {
        format_set_border(boxed[i], LXW_BORDER_THIN);
        format_set_align(boxed[i], LXW_ALIGN_VERTICAL_CENTER);
    }
    format_set_bold(f_head);
    format_set_align(f_head, LXW_ALIGN_CENTER);
    format_set_text_wrap(f_head);
    format_set_align(f_num, LXW_ALIGN_CENTER);
    format_set_align(f_date, LXW_ALIGN_CENTER);
    format_set_num_format(f_date, "dd/mm/yyyy");

    worksheet_merge_range(ws, 0, 0, 0, COLS - 1, title, f_title);
    worksheet_set_row(ws, 0, 24, NULL);
    double w[COLS];
    for (int c = 0; c < COLS; c++) {
        w[c] = min_w[c];
        worksheet_write_string(ws, HEAD_ROW, (lxw_col_t)c, heads[c], f_head);
        fit(&w[c], heads[c]);
    }
    for (size_t i = 0; i < n; i++) {
        const letter_reg_row *r = &rows[i];
        lxw_row_t row = (lxw_row_t)(FIRST_ROW + i);
        lxw_datetime dt = {.year = r->year, .month = r->month, .day = r->day};
        const char *cells[COLS] = {NULL,         r->symbol,
                                   NULL,         letter_kind_name(r->kind),
                                   r->recipient, r->item_id ? r->item_id : "",
                                   r->signer};
        worksheet_write_number(ws, row, 0, r->number, f_num);
        worksheet_write_datetime(ws, row, 2, &dt, f_date);
        for (int c = 1; c < COLS; c++) {
            if (!cells[c])
                continue;
            if (*cells[c])
                worksheet_write_string(ws, row, (lxw_col_t)c, cells[c], f_cell);
            else
                worksheet_write_blank(ws, row, (lxw_col_t)c, f_cell);
            fit(&w[c], cells[c]);
        }
    }
    for (int c = 0; c < COLS; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c], NULL);
    worksheet_freeze_panes(ws, FIRST_ROW, 0);
    worksheet_repeat_rows(ws, HEAD_ROW, HEAD_ROW);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);

    errno = 0;
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        int saved = errno;
        af_abort(&af);
        return util_fail(err, errlen, -1, "could not write the register %s: %s%s%s", path,
                         lxw_strerror(e), saved ? ": " : "", saved ? strerror(saved) : "");
    }
    if (af_commit(&af, err, errlen)) {
        af_abort(&af);
        return -1;
    }
    return 0;
}
