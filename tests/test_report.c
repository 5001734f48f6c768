/* test_report: the monthly report (text, CSV, XLSX) read back from the export fixture's votes
 * (xfx.h), its layout in display columns, and the summary API behind it. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "export.h"
#include "test.h"
#include "util.h"
#include "xfx.h"
#include "xlsx_read.h"

/* Display width of a UTF-8 line. */
static size_t width_of(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            return (size_t)-1;
        w += (size_t)utf8proc_charwidth(cp);
        i += (size_t)k;
    }
    return w;
}

static char *report_to_string(export_format f, int year, int month)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    export_report_opts o = {.db = xfx.data_dir,
                            .content = xfx.ct,
                            .year = year,
                            .month = month,
                            .format = f,
                            .stream = mem};
    char err[HL_ERR_MAX] = "";
    int rc = export_report(&o, NULL, err, sizeof err);
    fclose(mem);
    if (rc) {
        fprintf(stderr, "export_report: %s\n", err);
        free(buf);
        return NULL;
    }
    return buf;
}

/* The line of text that starts with start, its padding (spaces) squeezed out to compare the
 * figures, in out; NULL when there is no such line. */
static const char *squeezed_row(const char *text, const char *start, char *out, size_t cap)
{
    const char *p = strstr(text, start);
    if (!p)
        return NULL;
    size_t k = 0;
    for (; *p && *p != '\n' && k + 1 < cap; p++)
        if (*p != ' ')
            out[k++] = *p;
    out[k] = '\0';
    return out;
}

static void test_report_text(void)
{
    char *s = report_to_string(EXPORT_FMT_TEXT, 2026, 11);
    REQUIRE(s);
    CHECK(strncmp(s,
                  "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026\n"
                  "UBND xã Bom Bo — Bộ phận Một cửa\n",
                  strlen("BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026\n"
                         "UBND xã Bom Bo — Bộ phận Một cửa\n")) == 0);
    CHECK_CONTAINS(s, "| STT | Họ và tên ");
    CHECK_CONTAINS(s, "| Tổng số phiếu | Rất hài lòng |");
    CHECK_CONTAINS(s, "| Tỷ lệ hài lòng |");
    CHECK_CONTAINS(s, "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không "
                      "tính: 1\n");
    CHECK_CONTAINS(s, "Số liệu nội bộ từ máy đánh giá tại Bộ phận Một cửa; không phải chỉ số "
                      "chính thức.");
    CHECK_CONTAINS(s, "Lê Văn Cường"); /* the line break became a space */

    /* Every table line has the same display width, and every '|' of a body row sits at the
     * same column as in the SL/% header row (the widths count characters, not bytes). */
    size_t w0 = 0, nlines = 0;
    char sub[256] = "";
    int body = 0;
    for (const char *line = s; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (line[0] == '|' || line[0] == '+') {
            size_t w = width_of(line, n);
            if (!w0)
                w0 = w;
            CHECK_INT(w, w0);
            nlines++;
            if (line[0] == '|') {
                char pos[256] = "";
                size_t pl = 0;
                for (size_t i = 0, col = 0; i < n; col++) {
                    utf8proc_int32_t cp;
                    utf8proc_ssize_t k =
                        utf8proc_iterate((const utf8proc_uint8_t *)line + i, -1, &cp);
                    if (k <= 0)
                        break;
                    if (cp == '|' && pl + 8 < sizeof pos)
                        pl += (size_t)snprintf(pos + pl, sizeof pos - pl, "%zu,", col);
                    i += (size_t)k;
                }
                if (body == 1)
                    util_strlcpy(sub, pos, sizeof sub); /* the SL / % header row */
                else if (body > 1)
                    CHECK_STR(pos, sub);
                body++;
            }
        }
        line = nl ? nl + 1 : line + n;
    }
    CHECK_INT(nlines, 12); /* 4 rules, 2 header rows, 5 officers, the total */
    CHECK(w0 > 0);

    /* Officer b: 1 x Rất hài lòng, 1 x Hài lòng -> 50,0% / 50,0% / 0,0%, tỷ lệ 100,0%. */
    char sq[512];
    CHECK_STR(squeezed_row(s, "| Trần Thị Bình", sq, sizeof sq),
              "|TrầnThịBình|Côngchức|2|1|50,0%|1|50,0%|0|0,0%|100,0%|");
    CHECK_STR(squeezed_row(s, "| Tổng cộng", sq, sizeof sq),
              "|Tổngcộng||5|2|40,0%|2|40,0%|1|20,0%|80,0%|");
    CHECK_STR(squeezed_row(s, "| Đỗ Thị Dung", sq, sizeof sq), "|ĐỗThịDung|Côngchức|0|0||0||0|||");
    free(s);
}

static void test_report_csv(void)
{
    char *s = report_to_string(EXPORT_FMT_CSV, 2026, 11);
    REQUIRE(s);
    size_t n = strlen(s);
    REQUIRE(n > 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0);
    csv_doc d;
    REQUIRE(csv_parse(s + 3, n - 3, &d) == 0);
    REQUIRE(d.n == 16);
    CHECK_REC(&d.recs[0], "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_REC(&d.recs[1], "UBND xã Bom Bo — Bộ phận Một cửa");
    CHECK_REC(&d.recs[2], "Thời gian: từ 01/11/2026 đến 30/11/2026 (giờ Việt Nam)");
    CHECK_REC(&d.recs[3], "");
    CHECK_REC(&d.recs[4], "STT", "Họ và tên", "Chức danh", "Tổng số phiếu", "Rất hài lòng", "",
              "Hài lòng", "", "Chưa hài lòng", "", "Tỷ lệ hài lòng");
    CHECK_REC(&d.recs[5], "", "", "", "", "SL", "%", "SL", "%", "SL", "%", "");
    CHECK_REC(&d.recs[6], "1", XFX_NAME_A, XFX_TITLE_A, "1", "1", "100,0%", "0", "0,0%", "0",
              "0,0%", "100,0%");
    CHECK_REC(&d.recs[7], "2", "Trần Thị Bình", "Công chức", "2", "1", "50,0%", "1", "50,0%", "0",
              "0,0%", "100,0%");
    CHECK_REC(&d.recs[8], "3", XFX_NAME_C, "Công chức", "1", "0", "0,0%", "0", "0,0%", "1",
              "100,0%", "0,0%");
    CHECK_REC(&d.recs[9], "4", "Đỗ Thị Dung", "Công chức", "0", "0", "", "0", "", "0", "", "");
    CHECK_REC(&d.recs[10], "5", XFX_GONE, "", "1", "0", "0,0%", "1", "100,0%", "0", "0,0%",
              "100,0%");
    CHECK_REC(&d.recs[11], "", "Tổng cộng", "", "5", "2", "40,0%", "2", "40,0%", "1", "20,0%",
              "80,0%");
    CHECK_REC(&d.recs[12], "");
    CHECK_REC(&d.recs[13],
              "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: 1");
    CHECK(strstr(d.recs[15].cells[0], "không phải chỉ số chính thức") != NULL);
    csv_free(&d);
    free(s);

    /* A month without votes: zeros, no shares, no misuse. */
    s = report_to_string(EXPORT_FMT_CSV, 2025, 2);
    REQUIRE(s);
    REQUIRE(csv_parse(s + 3, strlen(s) - 3, &d) == 0);
    REQUIRE(d.n == 15);
    CHECK_REC(&d.recs[0], "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 02/2025");
    CHECK_REC(&d.recs[2], "Thời gian: từ 01/02/2025 đến 28/02/2025 (giờ Việt Nam)");
    CHECK_REC(&d.recs[10], "", "Tổng cộng", "", "0", "0", "", "0", "", "0", "", "");
    CHECK_REC(&d.recs[12],
              "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: 0");
    csv_free(&d);
    free(s);
}

static void test_report_xlsx(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    test_path(out, sizeof out, test_root, "bao-cao.xlsx");
    export_report_opts o = {.db = xfx.data_dir,
                            .content = xfx.ct,
                            .year = 2026,
                            .month = 11,
                            .format = EXPORT_FMT_XLSX,
                            .out = out,
                            .made_at_ms = xfx_ms("2026-12-02T08:00:00")};
    export_result res;
    REQUIRE(export_report(&o, &res, err, sizeof err) == 0);
    CHECK_INT(res.counted, 5);
    CHECK_INT(res.misuse, 1);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 1) == 0);
    CHECK_XSTR(&x, 0, "A1", "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_XSTR(&x, 0, "B7", "Trần Thị Bình");
    CHECK_XNUM(&x, 0, "H7", 0.5);
    CHECK_XNUM(&x, 0, "K11", 0.8);
    CHECK_XSTR(&x, 0, "A16", "Ngày lập: 02/12/2026");
    CHECK_CONTAINS(x.sheet[0], "<pane ySplit=\"5\"");
    xlsx_close(&x);
    char *chart = xlsx_part(out, "xl/charts/chart1.xml");
    CHECK(chart != NULL);
    free(chart);

    /* XLSX needs a file. */
    o.out = NULL;
    CHECK_INT(export_report(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
}

static void test_summary_api(void)
{
    export_summary s;
    char err[HL_ERR_MAX];
    export_date from = {2026, 11, 1}, to = {2026, 12, 1};
    REQUIRE(export_summary_get(xfx.data_dir, xfx.ct, export_date_start_ms(from),
                               export_date_start_ms(to), &s, err, sizeof err) == 0);
    REQUIRE(s.n_rows == 5);
    CHECK_STR(s.rows[0].code, "a");
    CHECK_INT(s.rows[0].counted, 1);
    CHECK_INT(s.rows[0].misuse, 1);
    CHECK_STR(s.rows[4].code, "gone");
    CHECK_STR(s.rows[4].name, XFX_GONE);
    CHECK_INT(s.rows[4].in_content, 0);
    CHECK_INT(s.total.counted, 5);
    CHECK_INT(s.total.n[3], 2);
    export_summary_free(&s);
}

static const test_case cases[] = {TEST(test_report_text), TEST(test_report_csv),
                                  TEST(test_report_xlsx), TEST(test_summary_api)};

int main(void)
{
    return xfx_main("report", cases, HL_ARRAY_LEN(cases));
}
