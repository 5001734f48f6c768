/* test_report: the report (text, CSV, XLSX) read back from the export fixture's votes (xfx.h): its
 * document header and signatures, its layout in display columns, the reasons tally, the column
 * named "Tỷ lệ hài lòng (máy đánh giá)", the desk's row, the periods (calendar and Nghị định
 * 09/2019) on votes at their edges, and the summary API behind it. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "clock.h"
#include "export.h"
#include "rating.h"
#include "seed.h"
#include "store.h"
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

static char *report_of(const char *db, export_format f, export_period p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    export_report_opts o = {.db = db, .content = xfx.ct, .period = p, .format = f, .stream = mem};
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

static char *report_to_string(export_format f, int year, int month)
{
    return report_of(xfx.data_dir, f, (export_period){EXPORT_PERIOD_MONTH, year, month});
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
    /* The header: the body on the left, Quốc hiệu and tiêu ngữ on the right of the same lines. */
    char head[1024];
    const char *e1 = strchr(s, '\n');
    REQUIRE(e1);
    util_fmt(head, sizeof head, "%.*s", (int)(e1 - s), s);
    CHECK_CONTAINS(head, "UBND XÃ BOM BO ");
    CHECK_CONTAINS(head, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    CHECK(strstr(head, "UBND XÃ BOM BO") < strstr(head, "CỘNG HÒA"));
    const char *e2 = strchr(e1 + 1, '\n');
    REQUIRE(e2);
    util_fmt(head, sizeof head, "%.*s", (int)(e2 - e1 - 1), e1 + 1);
    CHECK_CONTAINS(head, "BỘ PHẬN MỘT CỬA ");
    CHECK_CONTAINS(head, "Độc lập - Tự do - Hạnh phúc");
    CHECK_CONTAINS(s, "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026\n");
    CHECK_CONTAINS(s, "Thời gian: từ 01/11/2026 đến 30/11/2026 (giờ Việt Nam)\n");
    CHECK_CONTAINS(s, "| STT | Họ và tên ");
    CHECK_CONTAINS(s, "| Tổng số phiếu | Rất hài lòng |");
    CHECK_CONTAINS(s, "| Tỷ lệ hài lòng (máy đánh giá) |");
    CHECK_CONTAINS(s, "+\nGhi chú: Tỷ lệ hài lòng (máy đánh giá) là số liệu nội bộ từ máy đánh giá "
                      "tại Bộ phận Một cửa, không phải chỉ số hài lòng chính thức theo Quyết định "
                      "766/QĐ-TTg.\n"); /* right under the table */
    CHECK_CONTAINS(s, "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không "
                      "tính: 1\n");
    CHECK_CONTAINS(s, "Lê Văn Cường"); /* the line break became a space */
    /* The signatures, the date left to fill in by hand (made_at_ms 0). */
    CHECK_CONTAINS(s, "Ngày ..... tháng ..... năm .......\n");
    CHECK_CONTAINS(s, "NGƯỜI LẬP BIỂU");
    CHECK_CONTAINS(s, "THỦ TRƯỞNG CƠ QUAN\n");
    CHECK_CONTAINS(s, "(Ký, ghi rõ họ tên)\n");
    CHECK(strstr(s, "NGƯỜI LẬP BIỂU") > strstr(s, "LÝ DO CHƯA HÀI LÒNG"));

    /* Every line of the officers' table has the same display width, and every '|' of a body row
     * sits at the same column as in the SL/% header row (the widths count characters, not
     * bytes). */
    size_t w0 = 0, nlines = 0;
    char sub[256] = "";
    int body = 0;
    for (const char *line = strstr(s, "\n+") + 1;
         *line && strncmp(line, "Ghi chú", strlen("Ghi chú")) != 0;) {
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
              "|TrầnThịBình|Côngchức|2|1|50,0%|1|50,0%|0|0,0%|100,0%|0|");
    CHECK_STR(squeezed_row(s, "| Tổng cộng", sq, sizeof sq),
              "|Tổngcộng||5|2|40,0%|2|40,0%|1|20,0%|80,0%|0|");
    CHECK_STR(squeezed_row(s, "| Đỗ Thị Dung", sq, sizeof sq),
              "|ĐỗThịDung|Côngchức|0|0||0||0|||0|");
    /* The reasons: vote c (the one "chưa hài lòng") gave both. */
    CHECK_CONTAINS(s, "\nLÝ DO CHƯA HÀI LÒNG\nSố phiếu chưa hài lòng: 1.");
    CHECK_STR(squeezed_row(s, "|   1 | Chậm", sq, sizeof sq), "|1|Chậm,\"rất\"chậm|1|100,0%|");
    CHECK_STR(squeezed_row(s, "|   2 | Khác", sq, sizeof sq), "|2|Khácnữa|1|100,0%|");
    CHECK_STR(squeezed_row(s, "|     | Không nêu lý do", sq, sizeof sq), "||Khôngnêulýdo|0|0,0%|");
    free(s);
}

/* The desk's name comes from the content, in the header and the note alike. */
static void test_report_desk_name(void)
{
    char *was = xfx.ct->desk_name;
    xfx.ct->desk_name = "Trung tâm Phục vụ hành chính công xã";
    char *s = report_to_string(EXPORT_FMT_TEXT, 2026, 11);
    xfx.ct->desk_name = was;
    REQUIRE(s);
    CHECK_CONTAINS(s, "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ");
    CHECK_CONTAINS(s, "máy đánh giá tại Trung tâm Phục vụ hành chính công xã, không phải");
    CHECK(strstr(s, "Một cửa") == NULL && strstr(s, "MỘT CỬA") == NULL);
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
    REQUIRE(d.n == 23);
    CHECK_REC(&d.recs[0], "UBND XÃ BOM BO", "", "", "", "", "",
              "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    CHECK_REC(&d.recs[1], "BỘ PHẬN MỘT CỬA", "", "", "", "", "", "Độc lập - Tự do - Hạnh phúc");
    CHECK_REC(&d.recs[2], "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_REC(&d.recs[3], "Thời gian: từ 01/11/2026 đến 30/11/2026 (giờ Việt Nam)");
    CHECK_REC(&d.recs[4], "");
    CHECK_REC(&d.recs[5], "STT", "Họ và tên", "Chức danh", "Tổng số phiếu", "Rất hài lòng", "",
              "Hài lòng", "", "Chưa hài lòng", "", "Tỷ lệ hài lòng (máy đánh giá)",
              "Đề nghị biểu dương");
    CHECK_REC(&d.recs[6], "", "", "", "", "SL", "%", "SL", "%", "SL", "%", "", "");
    CHECK_REC(&d.recs[7], "1", XFX_NAME_A, XFX_TITLE_A, "1", "1", "100,0%", "0", "0,0%", "0",
              "0,0%", "100,0%", "0");
    CHECK_REC(&d.recs[8], "2", "Trần Thị Bình", "Công chức", "2", "1", "50,0%", "1", "50,0%", "0",
              "0,0%", "100,0%", "0");
    CHECK_REC(&d.recs[9], "3", XFX_NAME_C, "Công chức", "1", "0", "0,0%", "0", "0,0%", "1",
              "100,0%", "0,0%", "0");
    CHECK_REC(&d.recs[10], "4", "Đỗ Thị Dung", "Công chức", "0", "0", "", "0", "", "0", "", "",
              "0");
    CHECK_REC(&d.recs[11], "5", XFX_GONE, "", "1", "0", "0,0%", "1", "100,0%", "0", "0,0%",
              "100,0%", "0");
    CHECK_REC(&d.recs[12], "", "Tổng cộng", "", "5", "2", "40,0%", "2", "40,0%", "1", "20,0%",
              "80,0%", "0");
    CHECK(strstr(d.recs[13].cells[0], "không phải chỉ số hài lòng chính thức theo Quyết định "
                                      "766/QĐ-TTg") != NULL);
    CHECK_REC(&d.recs[15],
              "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: 1");
    CHECK_REC(&d.recs[17], "LÝ DO CHƯA HÀI LÒNG");
    CHECK_REC(&d.recs[19], "STT", "Lý do chưa hài lòng", "Số phiếu",
              "Tỷ lệ trên số phiếu chưa hài lòng");
    CHECK_REC(&d.recs[20], "1", XFX_REASON_CHAM, "1", "100,0%");
    CHECK_REC(&d.recs[21], "2", XFX_REASON_KHAC, "1", "100,0%"); /* quoted, line break kept */
    CHECK_REC(&d.recs[22], "", "Không nêu lý do", "0", "0,0%");
    csv_free(&d);
    free(s);

    /* A month without votes: zeros, no shares, no misuse. */
    s = report_to_string(EXPORT_FMT_CSV, 2025, 2);
    REQUIRE(s);
    REQUIRE(csv_parse(s + 3, strlen(s) - 3, &d) == 0);
    REQUIRE(d.n == 22);
    CHECK_REC(&d.recs[2], "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 02/2025");
    CHECK_REC(&d.recs[3], "Thời gian: từ 01/02/2025 đến 28/02/2025 (giờ Việt Nam)");
    CHECK_REC(&d.recs[11], "", "Tổng cộng", "", "0", "0", "", "0", "", "0", "", "", "0");
    CHECK_REC(&d.recs[14],
              "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: 0");
    CHECK_REC(&d.recs[19], "1", XFX_REASON_CHAM, "0", "");
    csv_free(&d);
    free(s);
}

static void test_report_xlsx(void)
{
    char out[PATH_MAX], err[HL_ERR_MAX] = "";
    test_path(out, sizeof out, test_root, "bao-cao.xlsx");
    export_report_opts o = {.db = xfx.data_dir,
                            .content = xfx.ct,
                            .period = {EXPORT_PERIOD_MONTH, 2026, 11},
                            .format = EXPORT_FMT_XLSX,
                            .out = out,
                            .made_at_ms = xfx_ms("2026-12-02T08:00:00")};
    export_result res;
    REQUIRE(export_report(&o, &res, err, sizeof err) == 0);
    CHECK_INT(res.counted, 5);
    CHECK_INT(res.misuse, 1);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, out, 1) == 0);
    /* The header, merged and bold: body left (A..C), Quốc hiệu and tiêu ngữ right (F..K). */
    CHECK_XSTR(&x, 0, "A1", "UBND XÃ BOM BO");
    CHECK_XSTR(&x, 0, "A2", "BỘ PHẬN MỘT CỬA");
    CHECK_XSTR(&x, 0, "F1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    CHECK_XSTR(&x, 0, "F2", "Độc lập - Tự do - Hạnh phúc");
    CHECK_XSTR(&x, 0, "A4", "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Tháng 11/2026");
    CHECK_XSTR(&x, 0, "A5", "Thời gian: từ 01/11/2026 đến 30/11/2026 (giờ Việt Nam)");
    const char *merges[] = {"A1:C1",   "F1:K1",   "A2:C2",   "F2:K2",   "A4:L4",  "A5:L5",
                            "F26:K26", "A27:C27", "F27:K27", "A28:C28", "F28:K28"};
    for (size_t i = 0; i < HL_ARRAY_LEN(merges); i++) {
        char m[64];
        util_fmt(m, sizeof m, "<mergeCell ref=\"%s\"/>", merges[i]);
        CHECK_CONTAINS(x.sheet[0], m);
    }
    CHECK_CONTAINS(x.styles, "<b/>");
    CHECK_XSTR(&x, 0, "K7", "Tỷ lệ hài lòng (máy đánh giá)");
    CHECK_XSTR(&x, 0, "B10", "Trần Thị Bình");
    CHECK_XNUM(&x, 0, "H10", 0.5);
    CHECK_XSTR(&x, 0, "B14", "Tổng cộng");
    CHECK_XNUM(&x, 0, "K14", 0.8);
    xcell note = xlsx_cell(&x, 0, "A15");
    CHECK_CONTAINS(note.text, "Tỷ lệ hài lòng (máy đánh giá) là số liệu nội bộ");
    CHECK_CONTAINS(note.text, "766/QĐ-TTg");
    free(note.text);
    /* The reasons' table. */
    CHECK_XSTR(&x, 0, "A19", "LÝ DO CHƯA HÀI LÒNG");
    CHECK_XSTR(&x, 0, "E21", "Tỷ lệ trên số phiếu chưa hài lòng");
    CHECK_XSTR(&x, 0, "B22", XFX_REASON_CHAM);
    CHECK_XNUM(&x, 0, "D22", 1);
    CHECK_XNUM(&x, 0, "E22", 1);
    CHECK_XSTR(&x, 0, "B24", "Không nêu lý do");
    CHECK_XNUM(&x, 0, "D24", 0);
    CHECK_XNUM(&x, 0, "E24", 0);
    /* The signatures under the date made. */
    CHECK_XSTR(&x, 0, "F26", "Ngày 02 tháng 12 năm 2026");
    CHECK_XSTR(&x, 0, "A27", "NGƯỜI LẬP BIỂU");
    CHECK_XSTR(&x, 0, "F27", "THỦ TRƯỞNG CƠ QUAN");
    CHECK_XSTR(&x, 0, "A28", "(Ký, ghi rõ họ tên)");
    CHECK_XSTR(&x, 0, "F28", "(Ký, ghi rõ họ tên)");
    xlsx_close(&x);
    char *chart = xlsx_part(out, "xl/charts/chart1.xml");
    CHECK(chart != NULL);
    free(chart);

    /* XLSX needs a file. */
    o.out = NULL;
    CHECK_INT(export_report(&o, NULL, err, sizeof err), HL_EXIT_USAGE);
}

/* ---- periods, the desk's row and the reasons on votes made for them ---- */

static char pdir[PATH_MAX]; /* the votes below */

/* Votes around the edges of the periods (Vietnam time), cast in this order so that only the one
 * marked is misuse (5 s after the previous; a vote earlier than the previous never is). */
static const struct {
    const char *when, *code;
    int rating;
    const char *reasons[3];
    int misuse;
} pvotes[] = {
    {"2025-12-15T00:00:00", "a", 2, {NULL}, 0},              /* first of nd09:2026 */
    {"2025-12-14T23:59:50", "a", 2, {NULL}, 0},              /* before it */
    {"2026-09-30T12:00:00", "a", 3, {NULL}, 0},              /* nd09 Q4, not Q4 */
    {"2026-10-15T00:00:00", "b", 1, {"cham"}, 0},            /* first of nd09:2026-11 */
    {"2026-10-14T23:59:59", "a", 3, {NULL}, 0},              /* last before it */
    {"2026-11-01T10:00:00", "c", 1, {NULL}, 0},              /* no reason given */
    {"2026-11-02T10:00:00", RATING_DESK_CODE, 3, {NULL}, 0}, /* the desk as a whole */
    {"2026-11-03T10:00:00", "b", 1, {"old-code"}, 0},        /* a reason since removed */
    {"2026-11-03T10:00:02", "b", 1, {"cham"}, 1},            /* misuse: in no figure */
    {"2026-11-14T23:59:00", RATING_DESK_CODE, 1, {"cham", "khac", "cham"}, 0}, /* in */
    {"2026-11-15T00:00:00", "a", 1, {"khac"}, 0}, /* out of nd09:2026-11 */
    {"2026-11-14T23:59:59", "a", 2, {NULL}, 0},   /* last of nd09:2026-11 */
    {"2026-12-20T08:00:00", "a", 1, {NULL}, 0},   /* Q4, not nd09 Q4 */
};

static void make_period_votes(void)
{
    test_path(pdir, sizeof pdir, test_root, "periods");
    store *st = seed_open(pdir, 5000);
    REQUIRE(st);
    char err[HL_ERR_MAX];
    for (size_t i = 0; i < HL_ARRAY_LEN(pvotes); i++) {
        store_vote v;
        int pending = pvotes[i].reasons[0] != NULL;
        REQUIRE(store_add_vote(st, "test-02", "boot-1", pvotes[i].code, pvotes[i].rating,
                               xfx_ms(pvotes[i].when), pending, &v, err, sizeof err) == 0);
        CHECK_INT(v.misuse, pvotes[i].misuse);
        size_t n = 0;
        while (n < 3 && pvotes[i].reasons[n])
            n++;
        if (pending)
            REQUIRE(store_finish_vote(st, v.uuid, pvotes[i].reasons, n, err, sizeof err) == 0);
    }
    /* Commendations typed on the kiosk: two for b and one for a code since removed within
     * nd09:2026-11, one for b after it; a suggestion naming a is no commendation. */
    static const struct {
        const char *when, *code, *kind;
    } fb[] = {{"2026-11-05T09:00:00", "b", STORE_FB_BIEU_DUONG},
              {"2026-11-06T09:00:00", "b", STORE_FB_BIEU_DUONG},
              {"2026-11-07T09:00:00", "gone", STORE_FB_BIEU_DUONG},
              {"2026-11-20T09:00:00", "b", STORE_FB_BIEU_DUONG},
              {"2026-11-08T09:00:00", "a", STORE_FB_GOP_Y}};
    for (size_t i = 0; i < HL_ARRAY_LEN(fb); i++) {
        store_feedback_in in = {fb[i].kind, fb[i].code, NULL, "Cán bộ rất tận tình",
                                0,          NULL,       NULL, NULL};
        REQUIRE(store_add_feedback(st, "test-02", "cccccccc-0000-4000-8000-000000000001",
                                   xfx_ms(fb[i].when), &in, NULL, err, sizeof err) == STORE_OK);
    }
    store_close(st);
}

static csv_doc period_csv(export_period p)
{
    csv_doc d = {0};
    char *s = report_of(pdir, EXPORT_FMT_CSV, p);
    if (!s || csv_parse(s + 3, strlen(s) - 3, &d) != 0)
        CHECK(0);
    free(s);
    return d;
}

/* The record whose cell col is text, or NULL. */
static const csv_rec *find_rec(const csv_doc *d, size_t col, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->recs[i].n > col && strcmp(d->recs[i].cells[col], text) == 0)
            return &d->recs[i];
    return NULL;
}

static void test_period_parse(void)
{
    export_period p;
    int y, q;
    CHECK_INT(export_parse_nd09("nd09:2026-11", &p), 0);
    CHECK(p.kind == EXPORT_PERIOD_ND09_MONTH && p.year == 2026 && p.n == 11);
    CHECK_INT(export_parse_nd09("nd09:2026-Q4", &p), 0);
    CHECK(p.kind == EXPORT_PERIOD_ND09_QUARTER && p.year == 2026 && p.n == 4);
    CHECK_INT(export_parse_nd09("nd09:2026", &p), 0);
    CHECK(p.kind == EXPORT_PERIOD_ND09_YEAR && p.year == 2026);
    const char *bad[] = {"2026-11", "nd09:",        "nd09:2026-13",   "nd09:2026-Q5",
                         "nd09:26", "ND09:2026-11", "nd09:2026-11-01"};
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++)
        CHECK_INT(export_parse_nd09(bad[i], &p), -1);
    CHECK_INT(export_parse_quarter("2026-Q1", &y, &q), 0);
    CHECK(y == 2026 && q == 1);
    CHECK_INT(export_parse_quarter("2026-Q0", &y, &q), -1);
    CHECK_INT(export_parse_quarter("2026-4", &y, &q), -1);
    CHECK_INT(export_parse_year("2026", &y), 0);
    CHECK_INT(export_parse_year("1969", &y), -1);
    CHECK_INT(export_parse_year("2026-1", &y), -1);

    /* The days of each kind, across a year's turn. */
    static const struct {
        export_period p;
        export_date from, to;
        const char *name;
    } days[] = {
        {{EXPORT_PERIOD_ND09_MONTH, 2026, 11},
         {2026, 10, 15},
         {2026, 11, 14},
         "Kỳ báo cáo tháng 11/2026"},
        {{EXPORT_PERIOD_ND09_MONTH, 2026, 1},
         {2025, 12, 15},
         {2026, 1, 14},
         "Kỳ báo cáo tháng 01/2026"},
        {{EXPORT_PERIOD_ND09_QUARTER, 2026, 1},
         {2025, 12, 15},
         {2026, 3, 14},
         "Kỳ báo cáo quý I/2026"},
        {{EXPORT_PERIOD_ND09_QUARTER, 2026, 4},
         {2026, 9, 15},
         {2026, 12, 14},
         "Kỳ báo cáo quý IV/2026"},
        {{EXPORT_PERIOD_ND09_YEAR, 2026, 0}, {2025, 12, 15}, {2026, 12, 14}, "Kỳ báo cáo năm 2026"},
        {{EXPORT_PERIOD_QUARTER, 2024, 1}, {2024, 1, 1}, {2024, 3, 31}, "Quý I/2024"},
        {{EXPORT_PERIOD_QUARTER, 2026, 2}, {2026, 4, 1}, {2026, 6, 30}, "Quý II/2026"},
        {{EXPORT_PERIOD_YEAR, 2026, 0}, {2026, 1, 1}, {2026, 12, 31}, "Năm 2026"},
        {{EXPORT_PERIOD_MONTH, 2028, 2}, {2028, 2, 1}, {2028, 2, 29}, "Tháng 02/2028"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(days); i++) {
        export_date f, t;
        char name[64];
        REQUIRE(export_period_days(days[i].p, &f, &t) == 0);
        CHECK_INT(export_date_cmp(f, days[i].from), 0);
        CHECK_INT(export_date_cmp(t, days[i].to), 0);
        export_period_name(days[i].p, name, sizeof name);
        CHECK_STR(name, days[i].name);
    }
    export_date f, t;
    CHECK_INT(export_period_days((export_period){EXPORT_PERIOD_QUARTER, 2026, 5}, &f, &t), -1);
    CHECK_INT(export_period_days((export_period){EXPORT_PERIOD_ND09_MONTH, 2026, 0}, &f, &t), -1);
}

/* nd09:2026-11 is 15/10/2026 00:00 to 14/11/2026 23:59:59 Vietnam time; the desk's votes have a
 * row of their own after the officers; the reasons are counted once per vote. */
static void test_nd09_month(void)
{
    make_period_votes();
    csv_doc d = period_csv((export_period){EXPORT_PERIOD_ND09_MONTH, 2026, 11});
    REQUIRE(d.n > 20);
    CHECK_REC(&d.recs[2], "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — Kỳ báo cáo tháng 11/2026");
    CHECK_REC(&d.recs[3], "Thời gian: từ 15/10/2026 đến 14/11/2026 (giờ Việt Nam); kỳ báo cáo "
                          "theo Nghị định 09/2019/NĐ-CP");
    /* a: only 14/11 23:59:59 (not 14/10 23:59:59 nor 15/11 00:00). */
    CHECK_REC(&d.recs[7], "1", XFX_NAME_A, XFX_TITLE_A, "1", "0", "0,0%", "1", "100,0%", "0",
              "0,0%", "100,0%", "0");
    /* b: 15/10 00:00 and 03/11 (its misuse press left out); commended twice in the period. */
    CHECK_REC(&d.recs[8], "2", "Trần Thị Bình", "Công chức", "2", "0", "0,0%", "0", "0,0%", "2",
              "100,0%", "0,0%", "2");
    /* The desk, after the officers (d has none), never merged into one; 14/11 23:59 is in. */
    CHECK_REC(&d.recs[11], "5", "Không nhớ tên cán bộ", "", "2", "1", "50,0%", "0", "0,0%", "1",
              "50,0%", "50,0%", "0");
    /* The total counts the commendation of the code no longer in the content too. */
    CHECK_REC(&d.recs[12], "", "Tổng cộng", "", "6", "1", "16,7%", "1", "16,7%", "4", "66,7%",
              "33,3%", "3");
    CHECK_REC(&d.recs[15],
              "Số lượt bấm bị đánh dấu bất thường (bấm lặp trong thời gian ngắn), không tính: 1");
    /* Reasons of the 4 "chưa hài lòng" votes: cham twice (once in the desk's vote that named it
     * twice), khac once, a code no longer in the content, one vote without a reason. */
    CHECK_REC(&d.recs[18], "Số phiếu chưa hài lòng: 4. Một phiếu có thể nêu nhiều lý do, nên tổng "
                           "các tỷ lệ có thể vượt 100%.");
    CHECK_REC(&d.recs[20], "1", XFX_REASON_CHAM, "2", "50,0%");
    CHECK_REC(&d.recs[21], "2", XFX_REASON_KHAC, "1", "25,0%");
    CHECK_REC(&d.recs[22], "3", "old-code (không còn trong danh sách)", "1", "25,0%");
    CHECK_REC(&d.recs[23], "", "Không nêu lý do", "1", "25,0%");
    REQUIRE(d.n == 24);
    csv_free(&d);

    /* The text shows the desk's row too, under the officers. */
    char *s = report_of(pdir, EXPORT_FMT_TEXT, (export_period){EXPORT_PERIOD_ND09_MONTH, 2026, 11});
    REQUIRE(s);
    char sq[512];
    CHECK_STR(squeezed_row(s, "|   5 | Không nhớ tên cán bộ", sq, sizeof sq),
              "|5|Khôngnhớtêncánbộ||2|1|50,0%|0|0,0%|1|50,0%|50,0%|0|");
    CHECK(strstr(s, "Đỗ Thị Dung") < strstr(s, "Không nhớ tên cán bộ"));
    CHECK(strstr(s, RATING_DESK_CODE) == NULL);
    free(s);

    /* The summary API marks the row. */
    export_summary sum;
    char err[HL_ERR_MAX];
    REQUIRE(export_summary_get(pdir, xfx.ct, xfx_ms("2026-10-15T00:00:00"),
                               xfx_ms("2026-11-15T00:00:00"), &sum, err, sizeof err) == 0);
    REQUIRE(sum.n_rows == 5);
    CHECK_STR(sum.rows[4].code, RATING_DESK_CODE);
    CHECK_STR(sum.rows[4].name, "Không nhớ tên cán bộ");
    CHECK_INT(sum.rows[4].is_desk, 1);
    CHECK_INT(sum.rows[4].in_content, 0);
    export_summary_free(&sum);
}

/* Quarters and years, calendar and Nghị định 09: their totals tell which votes each took. */
static void test_quarter_year(void)
{
    static const struct {
        export_period p;
        const char *title, *period;
        const char *counted, *n3, *n2, *n1;
    } cases[] = {
        {{EXPORT_PERIOD_QUARTER, 2026, 4},
         "Quý IV/2026",
         "từ 01/10/2026 đến 31/12/2026",
         "9",
         "2",
         "1",
         "6"},
        {{EXPORT_PERIOD_ND09_QUARTER, 2026, 4},
         "Kỳ báo cáo quý IV/2026",
         "từ 15/09/2026 đến 14/12/2026",
         "9",
         "3",
         "1",
         "5"},
        {{EXPORT_PERIOD_YEAR, 2026, 0},
         "Năm 2026",
         "từ 01/01/2026 đến 31/12/2026",
         "10",
         "3",
         "1",
         "6"},
        {{EXPORT_PERIOD_ND09_YEAR, 2026, 0},
         "Kỳ báo cáo năm 2026",
         "từ 15/12/2025 đến 14/12/2026",
         "10",
         "3",
         "2",
         "5"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(cases); i++) {
        csv_doc d = period_csv(cases[i].p);
        REQUIRE(d.n > 12);
        char want[256];
        util_fmt(want, sizeof want, "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — %s",
                 cases[i].title);
        CHECK_STR(d.recs[2].cells[0], want);
        CHECK_CONTAINS(d.recs[3].cells[0], cases[i].period);
        const csv_rec *t = find_rec(&d, 1, "Tổng cộng");
        REQUIRE(t && t->n == 12);
        CHECK_STR(t->cells[3], cases[i].counted);
        CHECK_STR(t->cells[4], cases[i].n3);
        CHECK_STR(t->cells[6], cases[i].n2);
        CHECK_STR(t->cells[8], cases[i].n1);
        csv_free(&d);
    }
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

static const test_case cases[] = {TEST(test_report_text), TEST(test_report_desk_name),
                                  TEST(test_report_csv),  TEST(test_report_xlsx),
                                  TEST(test_summary_api), TEST(test_period_parse),
                                  TEST(test_nd09_month),  TEST(test_quarter_year)};

int main(void)
{
    return xfx_main("report", cases, HL_ARRAY_LEN(cases));
}
