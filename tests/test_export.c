/* test_export: CSV/XLSX exports of the votes read back cell by cell (xlsx_read.h), period edges
 * in Vietnam time, misuse in and out, more sheets past the row limit, a folder that vanishes
 * mid-export, cancel, and the CLI's exit codes and messages. The monthly report: test_report. */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "content.h"
#include "export.h"
#include "store.h"
#include "test.h"
#include "util.h"
#include "xfx.h"
#include "xlsx_read.h"

/* ---- small helpers ---- */

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Excel serial of a Vietnam local time, computed here independently (timegm, 25569 = 1970-01-01
 * in Excel's calendar). */
static double serial_of(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d};
    time_t day = timegm(&tm);
    return (double)(day / 86400 + 25569) + (h * 3600 + mi * 60 + s) / 86400.0;
}

/* ---- fixtures ---- */

/* The options that export November 2026 of the votes in db to out. */
static export_votes_opts nov_opts(const char *db, const char *out, export_format f)
{
    export_votes_opts o = {.db = db,
                           .content = xfx.ct,
                           .from = {2026, 11, 1},
                           .to = {2026, 11, 30},
                           .format = f,
                           .out = out};
    return o;
}

/* The hand-made votes (the misuse press too when misuse) to test_root/name; out (PATH_MAX bytes)
 * gets the path. */
static export_votes_opts votes_opts(char *out, const char *name, export_format f, int misuse)
{
    test_path(out, PATH_MAX, test_root, name);
    export_votes_opts o = nov_opts(xfx.data_dir, out, f);
    o.include_misuse = misuse;
    return o;
}

/* The bulk set (made on first use) to out. */
static export_votes_opts bulk_opts(const char *out, export_format f)
{
    xfx_make_bulk();
    return nov_opts(xfx.bulk_dir, out, f);
}

/* export_votes: the rows written, or -1 after printing its message; res (may be NULL) gets the
 * result. */
static int64_t export_rows(const export_votes_opts *o, export_result *res)
{
    char err[HL_ERR_MAX] = "";
    export_result r;
    if (export_votes(o, &r, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (res)
        *res = r;
    return r.rows;
}

/* Runs the export, which must write rows votes, counted of them counted and misuse flagged as
 * misuse; 0, or -1 when it failed (the figures are then not checked). */
static int export_figures(const export_votes_opts *o, int64_t rows, int64_t counted, int64_t misuse)
{
    export_result res;
    if (export_rows(o, &res) < 0)
        return -1;
    CHECK_INT(res.rows, rows);
    CHECK_INT(res.counted, counted);
    CHECK_INT(res.misuse, misuse);
    CHECK_INT(res.cancelled, 0);
    return 0;
}

/* ---- tests ---- */

static void test_parse_helpers(void)
{
    export_date d;
    CHECK_INT(export_parse_date("2026-11-30", &d), 0);
    CHECK(d.year == 2026 && d.month == 11 && d.day == 30);
    CHECK_INT(export_parse_date("2024-02-29", &d), 0);
    CHECK_INT(export_parse_date("2026-02-29", &d), -1);
    CHECK_INT(export_parse_date("2026-02-30", &d), -1);
    CHECK_INT(export_parse_date("2026-04-31", &d), -1);
    CHECK_INT(export_parse_date("2026-13-01", &d), -1);
    CHECK_INT(export_parse_date("2026-1-01", &d), -1);
    CHECK_INT(export_parse_date("2026-11-01x", &d), -1);
    CHECK_INT(export_parse_date("", &d), -1);
    int y, m;
    CHECK_INT(export_parse_month("2026-12", &y, &m), 0);
    CHECK(y == 2026 && m == 12);
    CHECK_INT(export_parse_month("2026-13", &y, &m), -1);
    CHECK_INT(export_parse_month("2026-00", &y, &m), -1);
    CHECK_INT(export_parse_month("2026-1", &y, &m), -1);
    char p[16];
    export_pct(2, 3, p, sizeof p);
    CHECK_STR(p, "66,7%");
    export_pct(1, 6, p, sizeof p);
    CHECK_STR(p, "16,7%");
    export_pct(1, 8, p, sizeof p);
    CHECK_STR(p, "12,5%");
    export_pct(3, 3, p, sizeof p);
    CHECK_STR(p, "100,0%");
    export_pct(0, 0, p, sizeof p);
    CHECK_STR(p, "");
    /* 00:00 Vietnam time is 17:00 UTC the day before. */
    export_date nov1 = {2026, 11, 1};
    CHECK_INT(export_date_start_ms(nov1), 1793466000000LL);
    export_format f;
    CHECK(export_format_from_name("/x/y.XLSX", &f) == 0 && f == EXPORT_FMT_XLSX);
    CHECK(export_format_from_name("a.csv", &f) == 0 && f == EXPORT_FMT_CSV);
    CHECK_INT(export_format_from_name("a.csv/b", &f), -1);
}

/* The header row as the spec gives it: written out here, not taken from export_data.c, so that a
 * change there has to show up as a failing test. */
static const char *const csv_header[] = {"Mã phiếu",
                                         "Mã máy",
                                         "Số thứ tự trên máy",
                                         "Mã cán bộ",
                                         "Họ và tên cán bộ",
                                         "Mức đánh giá (số)",
                                         "Mức đánh giá",
                                         "Lý do chưa hài lòng",
                                         "Thời gian (giờ Việt Nam)",
                                         "Bất thường (1 = bấm lặp, không tính)",
                                         "Trạng thái đồng bộ"};

/* The CSV row a vote must become. */
static void check_vote_rec(const csv_rec *r, const xfx_vote *mv, const char *name,
                           const char *reasons, const char *when, int line)
{
    char seq[24], rating[4];
    snprintf(seq, sizeof seq, "%lld", (long long)mv->v.seq);
    snprintf(rating, sizeof rating, "%d", mv->v.rating);
    const char *label = mv->v.rating == 3   ? "Rất hài lòng"
                        : mv->v.rating == 2 ? "Hài lòng"
                                            : "Chưa hài lòng";
    const char *want[] = {mv->v.uuid, "test-01", seq,  mv->v.officer_code,       name,      rating,
                          label,      reasons,   when, mv->v.misuse ? "1" : "0", "Chưa gửi"};
    csv_check_rec(r, want, HL_ARRAY_LEN(want), line);
}

static void test_csv(void)
{
    char out[PATH_MAX];
    export_votes_opts o = votes_opts(out, "phieu.csv", EXPORT_FMT_CSV, 0);
    CHECK_INT(export_figures(&o, 5, 5, 1), 0);

    /* Raw bytes: BOM, CRLF, quoting as RFC 4180 wants it. */
    size_t n;
    char *raw = util_read_file(out, &n);
    REQUIRE(raw);
    CHECK(n > 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0);
    CHECK_CONTAINS(raw, ",\"Nguyễn Văn \"\"Tư\"\", Jr\",");
    CHECK_CONTAINS(raw, ",\"Lê Văn\nCường\",");
    CHECK_CONTAINS(raw, ",\"Chậm, \"\"rất\"\" chậm; Khác\r\nnữa\",");
    CHECK_CONTAINS(raw, ",Chưa gửi\r\n"); /* issue 13: in words, not "unsent" */
    free(raw);

    csv_doc d;
    REQUIRE(csv_read(out, &d) == 0);
    REQUIRE(d.n == 6);
    csv_check_rec(&d.recs[0], csv_header, HL_ARRAY_LEN(csv_header), __LINE__);
    /* In time order; the misuse press and the votes outside the period are not there. */
    check_vote_rec(&d.recs[1], &xfx.first, XFX_NAME_A, "", "01/11/2026 00:00:00", __LINE__);
    check_vote_rec(&d.recs[2], &xfx.c, XFX_NAME_C, XFX_REASON_CHAM "; " XFX_REASON_KHAC,
                   "05/11/2026 09:00:00", __LINE__);
    check_vote_rec(&d.recs[3], &xfx.b, "Trần Thị Bình", "", "10/11/2026 10:00:00", __LINE__);
    check_vote_rec(&d.recs[4], &xfx.gone, XFX_GONE, "", "12/11/2026 08:00:00", __LINE__);
    check_vote_rec(&d.recs[5], &xfx.last, "Trần Thị Bình", "", "30/11/2026 23:59:59", __LINE__);
    csv_free(&d);
}

static void test_csv_with_misuse(void)
{
    char out[PATH_MAX];
    export_votes_opts o = votes_opts(out, "phieu-all.csv", EXPORT_FMT_CSV, 1);
    CHECK_INT(export_figures(&o, 6, 5, 1), 0);
    csv_doc d;
    REQUIRE(csv_read(out, &d) == 0);
    REQUIRE(d.n == 7);
    check_vote_rec(&d.recs[1], &xfx.first, XFX_NAME_A, "", "01/11/2026 00:00:00", __LINE__);
    check_vote_rec(&d.recs[2], &xfx.misuse, XFX_NAME_A, "", "01/11/2026 00:00:02", __LINE__);
    CHECK_STR(d.recs[2].cells[9], "1");
    check_vote_rec(&d.recs[6], &xfx.last, "Trần Thị Bình", "", "30/11/2026 23:59:59", __LINE__);
    csv_free(&d);

    /* One day only: the first second is in, the last second of the day before is out. */
    o.from = o.to = (export_date){2026, 10, 31};
    REQUIRE(export_rows(&o, NULL) == 1);
    REQUIRE(csv_read(out, &d) == 0);
    REQUIRE(d.n == 2);
    check_vote_rec(&d.recs[1], &xfx.before, XFX_NAME_A, "", "31/10/2026 23:59:59", __LINE__);
    csv_free(&d);
}

static void test_csv_empty_period(void)
{
    char out[PATH_MAX];
    export_votes_opts o = votes_opts(out, "empty.csv", EXPORT_FMT_CSV, 1);
    o.from = (export_date){2025, 1, 1};
    o.to = (export_date){2025, 1, 31};
    CHECK_INT(export_rows(&o, NULL), 0);
    csv_doc d;
    REQUIRE(csv_read(out, &d) == 0);
    CHECK_INT(d.n, 1);
    if (d.n)
        csv_check_rec(&d.recs[0], csv_header, HL_ARRAY_LEN(csv_header), __LINE__);
    csv_free(&d);
}

/* Cell col,r of the summary sheet: the share count / total, or empty when total is 0. */
static void check_share(const xlsx_doc *x, char col, int r, int count, int total, int line)
{
    char ref[16];
    util_fmt(ref, sizeof ref, "%c%d", col, r);
    if (total)
        xlsx_check_num(x, 1, ref, (double)count / total, line);
    else
        xlsx_check_empty(x, 1, ref, line);
}

/* Row r of the summary sheet: the name (B), the counted votes (D) and those rated 3, 2 and 1 (E,
 * G, I) with their shares (F, H, J), and K, the share rated 3 or 2. line: the caller's. */
static void check_summary_row(const xlsx_doc *x, int r, const char *name, int n3, int n2, int n1,
                              int line)
{
    char ref[16];
    util_fmt(ref, sizeof ref, "B%d", r);
    xlsx_check_str(x, 1, ref, name, line);
    const int n[3] = {n3, n2, n1}, total = n3 + n2 + n1;
    util_fmt(ref, sizeof ref, "D%d", r);
    xlsx_check_num(x, 1, ref, total, line);
    for (int k = 0; k < 3; k++) {
        util_fmt(ref, sizeof ref, "%c%d", "EGI"[k], r);
        xlsx_check_num(x, 1, ref, n[k], line);
        check_share(x, "FHJ"[k], r, n[k], total, line);
    }
    check_share(x, 'K', r, n3 + n2, total, line);
}

static void test_xlsx(void)
{
    char out[PATH_MAX];
    export_votes_opts o = votes_opts(out, "phieu.xlsx", EXPORT_FMT_XLSX, 1);
    CHECK_INT(export_rows(&o, NULL), 6);

    char listing_cmd[PATH_MAX + 32];
    util_fmt(listing_cmd, sizeof listing_cmd, "unzip -v '%s'", out);
    int st;
    char *listing = test_capture(listing_cmd, &st);
    REQUIRE(listing && st == 0);
    CHECK_CONTAINS(listing, "xl/charts/chart1.xml");
    CHECK_CONTAINS(listing, "xl/drawings/drawing1.xml");
    free(listing);
    char *wb = xlsx_part(out, "xl/workbook.xml");
    REQUIRE(wb);
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá\" sheetId=\"1\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Tổng hợp\" sheetId=\"2\"");
    free(wb);

    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 2) == 0);
    /* Votes sheet: a title row, the header, rows from row 3; frozen under the header. */
    CHECK_CONTAINS(x.sheet[0], "<pane ySplit=\"2\" topLeftCell=\"A3\" activePane=\"bottomLeft\" "
                               "state=\"frozen\"/>");
    CHECK_CONTAINS(x.sheet[0], "<col min=\"5\" max=\"5\" width=\"26");
    xcell title = xlsx_cell(&x, 0, "A1");
    CHECK_CONTAINS(title.text, "UBND xã Bom Bo");
    CHECK_CONTAINS(title.text, "từ 01/11/2026 đến 30/11/2026");
    free(title.text);
    static const char cols[] = "ABCDEFGHIJK";
    for (int i = 0; i < 11; i++) {
        char ref[8] = {cols[i], '2', '\0'};
        CHECK_XSTR(&x, 0, ref, csv_header[i]);
    }
    const xfx_vote *rows[] = {&xfx.first, &xfx.misuse, &xfx.c, &xfx.b, &xfx.gone, &xfx.last};
    const char *names[] = {XFX_NAME_A,      XFX_NAME_A, XFX_NAME_C,
                           "Trần Thị Bình", XFX_GONE,   "Trần Thị Bình"};
    const double when[] = {serial_of(2026, 11, 1, 0, 0, 0),  serial_of(2026, 11, 1, 0, 0, 2),
                           serial_of(2026, 11, 5, 9, 0, 0),  serial_of(2026, 11, 10, 10, 0, 0),
                           serial_of(2026, 11, 12, 8, 0, 0), serial_of(2026, 11, 30, 23, 59, 59)};
    for (int k = 0; k < 6; k++) {
        const store_vote *v = &rows[k]->v;
        char ref[8];
#define REF(col) (snprintf(ref, sizeof ref, "%c%d", col, k + 3), ref)
        CHECK_XSTR(&x, 0, REF('A'), v->uuid);
        CHECK_XSTR(&x, 0, REF('B'), "test-01");
        CHECK_XNUM(&x, 0, REF('C'), (double)v->seq);
        CHECK_XSTR(&x, 0, REF('D'), v->officer_code);
        CHECK_XSTR(&x, 0, REF('E'), names[k]);
        CHECK_XNUM(&x, 0, REF('F'), v->rating);
        CHECK_XSTR(&x, 0, REF('G'),
                   v->rating == 3   ? "Rất hài lòng"
                   : v->rating == 2 ? "Hài lòng"
                                    : "Chưa hài lòng");
        if (rows[k] == &xfx.c)
            CHECK_XSTR(&x, 0, REF('H'), XFX_REASON_CHAM "; " XFX_REASON_KHAC);
        else
            CHECK_XEMPTY(&x, 0, REF('H'));
        /* A real date: a number in the date-time style. */
        CHECK_XNUM(&x, 0, REF('I'), when[k]);
        xcell dc = xlsx_cell(&x, 0, REF('I'));
        char fmt[64];
        xlsx_style_format(&x, dc.style, fmt, sizeof fmt);
        CHECK_STR(fmt, "dd/mm/yyyy hh:mm:ss");
        free(dc.text);
        CHECK_XNUM(&x, 0, REF('J'), v->misuse);
        CHECK_XSTR(&x, 0, REF('K'), "Chưa gửi");
#undef REF
    }
    CHECK(!xlsx_has_cell(&x, 0, "A9"));

    /* Summary: officers in content order, the unknown code last, then the total. */
    /* Laid out as an administrative document (test_report checks the rest). */
    CHECK_XSTR(&x, 1, "A1", "UBND XÃ BOM BO");
    CHECK_XSTR(&x, 1, "F1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    CHECK_XSTR(&x, 1, "A4",
               "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — từ 01/11/2026 đến 30/11/2026");
    CHECK_XSTR(&x, 1, "A5", "Thời gian: từ 01/11/2026 đến 30/11/2026 (giờ Việt Nam)");
    CHECK_XSTR(&x, 1, "B7", "Họ và tên");
    CHECK_XSTR(&x, 1, "E7", "Rất hài lòng");
    CHECK_XSTR(&x, 1, "I7", "Chưa hài lòng");
    CHECK_XSTR(&x, 1, "K7", "Tỷ lệ hài lòng (máy đánh giá)");
    CHECK_XSTR(&x, 1, "E8", "SL");
    CHECK_XSTR(&x, 1, "F8", "%");
    CHECK_XNUM(&x, 1, "A9", 1);
    CHECK_XSTR(&x, 1, "C9", XFX_TITLE_A);
    check_summary_row(&x, 9, XFX_NAME_A, 1, 0, 0, __LINE__); /* the misuse press is not counted */
    xcell pc = xlsx_cell(&x, 1, "F9");
    char fmt[64];
    xlsx_style_format(&x, pc.style, fmt, sizeof fmt);
    CHECK_STR(fmt, "0.0%");
    free(pc.text);
    check_summary_row(&x, 10, "Trần Thị Bình", 1, 1, 0, __LINE__);
    check_summary_row(&x, 11, XFX_NAME_C, 0, 0, 1, __LINE__);
    check_summary_row(&x, 12, "Đỗ Thị Dung", 0, 0, 0, __LINE__); /* counts 0, shares empty */
    check_summary_row(&x, 13, XFX_GONE, 0, 1, 0, __LINE__);
    check_summary_row(&x, 14, "Tổng cộng", 2, 2, 1, __LINE__);
    xcell note = xlsx_cell(&x, 1, "A15");
    CHECK_CONTAINS(note.text, "không phải chỉ số hài lòng chính thức theo Quyết định 766/QĐ-TTg");
    free(note.text);
    CHECK_XSTR(&x, 1, "A17",
               "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), "
               "không tính: 1");
    /* The reasons, tallied while the votes were written: vote c gave both. */
    CHECK_XSTR(&x, 1, "A19", "LÝ DO CHƯA HÀI LÒNG");
    CHECK_XSTR(&x, 1, "B22", XFX_REASON_CHAM);
    CHECK_XNUM(&x, 1, "D22", 1);
    CHECK_XNUM(&x, 1, "E22", 1);
    CHECK_XSTR(&x, 1, "B23", XFX_REASON_KHAC);
    CHECK_XSTR(&x, 1, "B24", "Không nêu lý do");
    CHECK_XNUM(&x, 1, "D24", 0);
    xlsx_close(&x);

    char *chart = xlsx_part(out, "xl/charts/chart1.xml");
    REQUIRE(chart);
    CHECK_CONTAINS(chart, "<c:barChart>");
    CHECK_CONTAINS(chart, "<c:grouping val=\"percentStacked\"/>");
    CHECK_CONTAINS(chart, "'Tổng hợp'!$B$9:$B$13");
    CHECK_CONTAINS(chart, "'Tổng hợp'!$E$9:$E$13");
    free(chart);
}

/* A real reader: LibreOffice (Debian: libreoffice-calc-nogui, ~300 MB, so not installed by the
 * test command) opens the export and writes each sheet as CSV the way it shows the cells. Run
 * only on request (HL_TEST_LIBREOFFICE=1, see docs/TESTING.md), and then it must be there:
 * the XML checks above are what every run relies on. */
static void test_xlsx_libreoffice(void)
{
    if (system("command -v soffice >/dev/null 2>&1") != 0) {
        fprintf(stderr, "     HL_TEST_LIBREOFFICE=1 but soffice is not installed: apt-get install "
                        "libreoffice-calc-nogui\n");
        CHECK(0);
        return;
    }
    char src[PATH_MAX], dir[PATH_MAX], cmd[PATH_MAX * 4], f[PATH_MAX * 2];
    test_path(src, sizeof src, test_root, "phieu.xlsx"); /* made by test_xlsx */
    test_path(dir, sizeof dir, test_root, "lo");
    util_fmt(cmd, sizeof cmd,
             "timeout 300 soffice -env:UserInstallation=file://%s/profile --headless "
             "--convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,"
             "false,-1' --outdir '%s' '%s' >/dev/null 2>&1",
             dir, dir, src);
    REQUIRE(system(cmd) == 0);
    test_path(f, sizeof f, dir, "phieu-Phiếu đánh giá.csv");
    size_t n;
    char *s = util_read_file(f, &n);
    REQUIRE(s);
    csv_doc d;
    REQUIRE(csv_parse_ex(s, n, &d, 1) == 0);
    free(s);
    REQUIRE(d.n >= 8);
    csv_check_rec(&d.recs[1], csv_header, HL_ARRAY_LEN(csv_header), __LINE__);
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)xfx.first.v.seq);
    const char *first[] = {
        xfx.first.v.uuid,      "test-01", seq,       "a", XFX_NAME_A, "3", "Rất hài lòng", "",
        "01/11/2026 00:00:00", "0",       "Chưa gửi"};
    csv_check_rec(&d.recs[2], first, HL_ARRAY_LEN(first), __LINE__);
    CHECK_STR(d.recs[4].cells[4], XFX_NAME_C);
    CHECK_STR(d.recs[7].cells[8], "30/11/2026 23:59:59"); /* the date as Excel shows it */
    csv_free(&d);
    test_path(f, sizeof f, dir, "phieu-Tổng hợp.csv");
    s = util_read_file(f, &n);
    REQUIRE(s);
    REQUIRE(csv_parse_ex(s, n, &d, 1) == 0);
    free(s);
    REQUIRE(d.n >= 14);
    CHECK_STR(d.recs[8].cells[1], XFX_NAME_A);
    CHECK_STR(d.recs[13].cells[1], "Tổng cộng");
    CHECK_STR(d.recs[13].cells[3], "5");
    csv_free(&d);
}

static void test_xlsx_empty_period(void)
{
    char out[PATH_MAX];
    export_votes_opts o = votes_opts(out, "empty.xlsx", EXPORT_FMT_XLSX, 0);
    o.from = o.to = (export_date){2025, 3, 3};
    CHECK_INT(export_rows(&o, NULL), 0);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 2) == 0);
    CHECK_XSTR(&x, 0, "A2", "Mã phiếu");
    CHECK(!xlsx_has_cell(&x, 0, "A3"));
    check_summary_row(&x, 13, "Tổng cộng", 0, 0, 0, __LINE__); /* four officers, no unknown code */
    xlsx_close(&x);
}

/* Past a sheet's row limit the votes go on in "Phiếu đánh giá (2)", ... (the limit is Excel's
 * 1 048 574 rows; lowered here through the tests-only option). */
static void test_xlsx_more_sheets(void)
{
    char out[PATH_MAX];
    test_path(out, sizeof out, test_root, "many.xlsx");
    export_votes_opts o = bulk_opts(out, EXPORT_FMT_XLSX);
    o.xlsx_rows_per_sheet = 4000;
    CHECK_INT(export_rows(&o, NULL), 10000);
    char *wb = xlsx_part(out, "xl/workbook.xml");
    REQUIRE(wb);
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá\" sheetId=\"1\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá (2)\" sheetId=\"2\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Phiếu đánh giá (3)\" sheetId=\"3\"");
    CHECK_CONTAINS(wb, "<sheet name=\"Tổng hợp\" sheetId=\"4\"");
    free(wb);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 4) == 0);
    /* seq 1..4000, 4001..8000, 8001..10000, each sheet with its own title and header */
    CHECK_XNUM(&x, 0, "C3", 1);
    CHECK_XNUM(&x, 0, "C4002", 4000);
    CHECK(!xlsx_has_cell(&x, 0, "A4003"));
    CHECK_XSTR(&x, 1, "A2", "Mã phiếu");
    CHECK_XNUM(&x, 1, "C3", 4001);
    CHECK_XNUM(&x, 1, "C4002", 8000);
    CHECK_XNUM(&x, 2, "C3", 8001);
    CHECK_XNUM(&x, 2, "C2002", 10000);
    CHECK(!xlsx_has_cell(&x, 2, "A2003"));
    CHECK_CONTAINS(x.sheet[2], "<pane ySplit=\"2\"");
    CHECK_XNUM(&x, 3, "D9", 10000);
    xlsx_close(&x);
}

/* ---- faults: the folder vanishes mid-export, cancel, usage errors ---- */

typedef enum { VANISH_RENAME, VANISH_REMOVE, VANISH_REPLACE } vanish_mode;

typedef struct {
    vanish_mode mode;
    const char *dir;
    char moved[PATH_MAX + 16];
    int fired;
    int64_t at;
} vanish_ctx;

static int vanish_progress(void *p, int64_t done, int64_t total)
{
    vanish_ctx *v = p;
    (void)total;
    if (v->fired || done < 4096)
        return 0;
    v->fired = 1;
    v->at = done;
    if (v->mode == VANISH_REMOVE) {
        /* The stick's files are gone with it: the temp file, then the folder. */
        DIR *d = opendir(v->dir);
        for (struct dirent *e; d && (e = readdir(d));)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                char f[PATH_MAX * 2];
                test_path(f, sizeof f, v->dir, e->d_name);
                unlink(f);
            }
        if (d)
            closedir(d);
        rmdir(v->dir);
    } else {
        util_fmt(v->moved, sizeof v->moved, "%s-gone", v->dir);
        rename(v->dir, v->moved);
        if (v->mode == VANISH_REPLACE) /* plugged in again: an empty folder at the same path */
            mkdir(v->dir, 0755);
    }
    return 0;
}

static void vanish_case(export_format f, vanish_mode mode)
{
    static int n;
    char dir[PATH_MAX], out[PATH_MAX + 16], err[HL_ERR_MAX] = "";
    util_fmt(dir, sizeof dir, "%s/usb%d", test_root, ++n);
    REQUIRE(mkdir(dir, 0755) == 0);
    util_fmt(out, sizeof out, "%s/%s", dir, f == EXPORT_FMT_CSV ? "phieu.csv" : "phieu.xlsx");
    vanish_ctx v = {.mode = mode, .dir = dir};
    export_votes_opts o = bulk_opts(out, f);
    o.progress = vanish_progress;
    o.progress_ctx = &v;
    export_result res;
    int rc = export_votes(&o, &res, err, sizeof err);
    CHECK_INT(v.fired, 1);
    CHECK(v.at > 0 && v.at < 10000); /* it happened mid-export */
    CHECK_INT(rc, HL_EXIT_RUNTIME);
    CHECK_CONTAINS(err, "disappeared");
    CHECK_CONTAINS(err, dir);
    /* Nothing at the path, and nothing left behind in the folder wherever it went. */
    CHECK(!exists(out));
    if (mode == VANISH_REPLACE)
        CHECK_INT(test_count_files(dir, NULL, NULL), 0);
    if (mode != VANISH_REMOVE)
        CHECK_INT(test_count_files(v.moved, NULL, NULL), 0);
}

static void test_vanish_csv(void)
{
    vanish_case(EXPORT_FMT_CSV, VANISH_RENAME);
    vanish_case(EXPORT_FMT_CSV, VANISH_REMOVE);
    vanish_case(EXPORT_FMT_CSV, VANISH_REPLACE);
}

static void test_vanish_xlsx(void)
{
    vanish_case(EXPORT_FMT_XLSX, VANISH_RENAME);
    vanish_case(EXPORT_FMT_XLSX, VANISH_REMOVE);
    vanish_case(EXPORT_FMT_XLSX, VANISH_REPLACE);
}

static int cancel_progress(void *p, int64_t done, int64_t total)
{
    (void)p;
    (void)total;
    return done >= 4096;
}

static void test_cancel_keeps_old_file(void)
{
    export_format fmts[] = {EXPORT_FMT_CSV, EXPORT_FMT_XLSX};
    for (size_t i = 0; i < HL_ARRAY_LEN(fmts); i++) {
        char dir[PATH_MAX], out[PATH_MAX + 16], err[HL_ERR_MAX] = "";
        util_fmt(dir, sizeof dir, "%s/cancel%zu", test_root, i);
        REQUIRE(mkdir(dir, 0755) == 0);
        test_path(out, sizeof out, dir, "old.out");
        test_write_text(out, "the previous export\n");
        export_votes_opts o = bulk_opts(out, fmts[i]);
        o.progress = cancel_progress;
        export_result res;
        CHECK_INT(export_votes(&o, &res, err, sizeof err), HL_EXIT_RUNTIME);
        CHECK_INT(res.cancelled, 1);
        CHECK_CONTAINS(err, "cancelled");
        char *s = util_read_file(out, NULL);
        CHECK_STR(s, "the previous export\n");
        free(s);
        CHECK_INT(test_count_files(dir, NULL, NULL), 1); /* no temp file left */

        /* Without cancel the old file is replaced whole, and no temp file stays. */
        o.progress = NULL;
        CHECK_INT(export_votes(&o, &res, err, sizeof err), 0);
        CHECK_INT(res.rows, 10000);
        CHECK_INT(test_count_files(dir, NULL, NULL), 1);
        struct stat st;
        CHECK(stat(out, &st) == 0 && st.st_size > 1000);
    }
}

static void test_usage_errors(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    export_votes_opts o = votes_opts(out, "no-such-folder/x.csv", EXPORT_FMT_CSV, 0);
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "no-such-folder");
    CHECK_CONTAINS(err, "does not exist");
    o.out = test_root; /* a folder */
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "is a folder");
    o = votes_opts(out, "x.csv", EXPORT_FMT_CSV, 0);
    o.from = (export_date){2026, 12, 1};
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK(!exists(out));
    /* No votes.db: a runtime failure that names the file; no output file appears. */
    o = votes_opts(out, "x.csv", EXPORT_FMT_CSV, 0);
    o.db = xfx.content_dir;
    CHECK_INT(export_votes(&o, NULL, err, sizeof err), HL_EXIT_RUNTIME);
    CHECK_CONTAINS(err, "votes.db");
    CHECK(!exists(out));
}

/* ---- the real binary ---- */

static int run_cli(char **output, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_cli(char **output, const char *fmt, ...)
{
    char args[PATH_MAX * 3], cmd[PATH_MAX * 4];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    test_kiosk_cmd(cmd, sizeof cmd, args);
    int st = -1;
    char *s = test_capture(cmd, &st);
    if (output)
        *output = s;
    else
        free(s);
    return st;
}

static void test_cli(void)
{
    char cfgp[PATH_MAX], text[PATH_MAX * 3], out[PATH_MAX], *s;
    test_path(cfgp, sizeof cfgp, test_root, "kiosk.ini");
    util_fmt(text, sizeof text, "[kiosk]\ndata_dir = %s\ncontent_dir = %s\n", xfx.data_dir,
             xfx.content_dir);
    test_write_text(cfgp, text);

    CHECK_INT(run_cli(&s, "export --help"), 0);
    CHECK_CONTAINS(s, "Usage: hailong-kiosk export --from YYYY-MM-DD");
    free(s);
    CHECK_INT(run_cli(&s, "report --help"), 0);
    CHECK_CONTAINS(s, "Usage: hailong-kiosk report (--month YYYY-MM | --period nd09:YYYY-MM |");
    CHECK_CONTAINS(s, "nd09:2026-11 = 15/10/2026 to 14/11/2026");
    free(s);

    test_path(out, sizeof out, test_root, "cli.csv");
    CHECK_INT(
        run_cli(&s, "export --config '%s' --from 2026-02-30 --to 2026-03-01 --out '%s'", cfgp, out),
        2);
    CHECK_CONTAINS(s, "--from 2026-02-30: not a real date");
    free(s);
    CHECK_INT(
        run_cli(&s, "export --config '%s' --from 2026-11-30 --to 2026-11-01 --out '%s'", cfgp, out),
        2);
    CHECK_CONTAINS(s, "--from 2026-11-30 is after --to 2026-11-01");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-13", cfgp), 2);
    CHECK_CONTAINS(s, "--month 2026-13: not a month");
    free(s);
    /* The period: exactly one option, each refused with an example. */
    CHECK_INT(run_cli(&s, "report --config '%s'", cfgp), 2);
    CHECK_CONTAINS(s, "which period? Add one of --month YYYY-MM, --period nd09:YYYY-MM");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-11 --year 2026", cfgp), 2);
    CHECK_CONTAINS(s, "give only one period");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --period 2026-11", cfgp), 2);
    CHECK_CONTAINS(s, "--period 2026-11: not a reporting period; use nd09:YYYY-MM");
    CHECK_CONTAINS(s, "e.g. --period nd09:2026-11");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --period nd09:2026-13", cfgp), 2);
    CHECK_CONTAINS(s, "--period nd09:2026-13: not a reporting period");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --quarter 2026-Q5", cfgp), 2);
    CHECK_CONTAINS(s, "--quarter 2026-Q5: not a quarter; use YYYY-QN with N 1 to 4, e.g. "
                      "--quarter 2026-Q4");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --year 26", cfgp), 2);
    CHECK_CONTAINS(s, "--year 26: not a year; use YYYY, e.g. --year 2026");
    free(s);
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out "
                      "'%s/missing/x.csv'",
                      cfgp, test_root),
              2);
    CHECK_CONTAINS(s, "--out ");
    CHECK_CONTAINS(s, "/missing does not exist");
    free(s);
    /* A folder nobody may create files in (as test_root too). */
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out "
                      "/proc/hl-export.csv",
                      cfgp),
              2);
    CHECK_CONTAINS(s, "cannot create a file in folder /proc");
    free(s);
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out '%s' "
                      "--format pdf",
                      cfgp, out),
              2);
    CHECK_CONTAINS(s, "--format pdf");
    free(s);
    CHECK_INT(run_cli(&s, "export --config '%s' --from 2026-11-01 --to 2026-11-30 --bogus", cfgp),
              2);
    CHECK_CONTAINS(s, "unknown argument \"--bogus\"");
    free(s);
    /* No votes.db in the data folder: a runtime failure. */
    CHECK_INT(run_cli(&s,
                      "export --config '%s' --data-dir '%s' --from 2026-11-01 --to "
                      "2026-11-30 --out '%s'",
                      cfgp, xfx.content_dir, out),
              1);
    CHECK_CONTAINS(s, "votes.db");
    free(s);
    CHECK(!exists(out));

    CHECK_INT(run_cli(&s,
                      "export --config '%s' --from 2026-11-01 --to 2026-11-30 --out '%s' "
                      "--include-misuse",
                      cfgp, out),
              0);
    CHECK_CONTAINS(s, "Wrote 6 votes");
    free(s);
    csv_doc d;
    REQUIRE(csv_read(out, &d) == 0);
    CHECK_INT(d.n, 7);
    csv_free(&d);

    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-11", cfgp), 0);
    CHECK_CONTAINS(s, "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_CONTAINS(s, "không tính: 1");
    CHECK_CONTAINS(s, "NGƯỜI LẬP BIỂU");
    CHECK_CONTAINS(s, "Ngày "); /* the date above the signatures: today's */
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --period nd09:2026-11", cfgp), 0);
    CHECK_CONTAINS(s, "— Kỳ báo cáo tháng 11/2026");
    CHECK_CONTAINS(s, "Thời gian: từ 15/10/2026 đến 14/11/2026");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --quarter 2026-q4 --format csv", cfgp), 0);
    CHECK_CONTAINS(s, "— Quý IV/2026");
    free(s);
    CHECK_INT(run_cli(&s, "report --config '%s' --year 2026", cfgp), 0);
    CHECK_CONTAINS(s, "Thời gian: từ 01/01/2026 đến 31/12/2026");
    free(s);
    test_path(out, sizeof out, test_root, "cli-report.xlsx");
    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-11 --out '%s'", cfgp, out), 0);
    free(s);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 1) == 0);
    CHECK_XSTR(&x, 0, "B9", XFX_NAME_A);
    xlsx_close(&x);
    CHECK_INT(run_cli(&s, "report --config '%s' --month 2026-11 --format xlsx", cfgp), 2);
    CHECK_CONTAINS(s, "needs --out");
    free(s);
}

static const test_case cases[] = {TEST(test_parse_helpers),
                                  TEST(test_csv),
                                  TEST(test_csv_with_misuse),
                                  TEST(test_csv_empty_period),
                                  TEST(test_xlsx),
                                  TEST_IF_SET("HL_TEST_LIBREOFFICE", test_xlsx_libreoffice),
                                  TEST(test_xlsx_empty_period),
                                  TEST(test_xlsx_more_sheets),
                                  TEST(test_vanish_csv),
                                  TEST(test_vanish_xlsx),
                                  TEST(test_cancel_keeps_old_file),
                                  TEST(test_usage_errors),
                                  TEST(test_cli)};

int main(void)
{
    return xfx_main("export", cases, HL_ARRAY_LEN(cases));
}
