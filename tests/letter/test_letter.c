/* test_letter: the Chairman's letters (letter.h). The PDFs are read back with poppler's tools, as
 * a reader of the file would see them: pdftotext -layout for the text of Nghị định 30's parts
 * (Quốc hiệu, Tiêu ngữ, the date line with its leading zeros, the recipient with diacritics,
 * the signature, "Nơi nhận"), pdfinfo for one A4 page, pdffonts for every font embedded and all of
 * them ours. Then what is refused (a body too long for the page, text that is not UTF-8, a
 * missing font file, a character Noto Serif lacks that a machine font would have drawn), the
 * templates (letter_fill and the two defaults of assets/letters) and the register read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter.h"
#include "test.h"
#include "util.h"
#include "xlsx_read.h"

static const char *const body_short =
    "Ủy ban nhân dân xã Bom Bo trân trọng cảm ơn Bà đã phản ánh.\n"
    "Dòng này nối vào đoạn đầu.\n"
    "\n"
    "Trân trọng!";

static letter_doc sample(letter_kind kind, const char *body)
{
    return (letter_doc){.kind = kind,
                        .font_dir = HL_LETTER_FONTS,
                        .unit = "Xã Bom Bo",
                        .number = 12,
                        .symbol = kind == LETTER_CAM_ON ? "TCO-UBND" : "TXL-UBND",
                        .place = "Bom Bo",
                        .year = 2026,
                        .month = 12,
                        .day = 5,
                        .recipient = "Bà Nguyễn Thị Hường",
                        .address = "Thôn Sơn Lang, xã Bom Bo",
                        .body = body,
                        .signer = "Điểu Văn Lợi"};
}

/* The default template of kind, filled with a value for every documented placeholder. */
static char *filled_template(letter_kind kind)
{
    char path[PATH_MAX];
    test_path(path, sizeof path, HL_LETTERS_DIR, letter_template_file(kind));
    char *tmpl = util_read_file(path, NULL);
    if (!tmpl)
        return NULL;
    static const letter_var vars[] = {
        {"danh_xung", "Bà"},
        {"nguoi_nhan", "Nguyễn Thị Hường"},
        {"ten_xa", "Bom Bo"},
        {"ngay_phan_anh", "20/11/2026"},
        {"noi_dung_tom_tat", "việc trả kết quả chứng thực chậm hai ngày so với giấy hẹn"},
        {"can_bo", "bà Lê Thị Mai, công chức Văn phòng - Thống kê"},
        {"bien_phap", "trả kết quả cho Bà ngày 28/11/2026 và bố trí thêm một công chức tiếp "
                      "nhận hồ sơ chứng thực vào buổi sáng"},
    };
    char *out = NULL, err[HL_ERR_MAX] = "";
    if (letter_fill(tmpl, vars, HL_ARRAY_LEN(vars), &out, err, sizeof err))
        fprintf(stderr, "letter_fill %s: %s\n", path, err);
    free(tmpl);
    return out;
}

/* Runs a poppler tool on pdf; its stdout (malloc'ed), NULL if it failed. */
static char *tool(const char *cmd, const char *pdf)
{
    char line[PATH_MAX + 64];
    if (util_fmt(line, sizeof line, "%s '%s'%s", cmd, pdf,
                 strncmp(cmd, "pdftotext", 9) == 0 ? " -" : "") < 0)
        return NULL;
    int st = -1;
    char *out = test_capture(line, &st);
    if (st != 0) {
        fprintf(stderr, "%s failed (%d)\n", line, st);
        free(out);
        return NULL;
    }
    return out;
}

/* One page, A4, every font embedded and none but our Noto Serif. */
static void check_pdf_shape(const char *pdf)
{
    char *info = tool("pdfinfo", pdf);
    REQUIRE(info);
    const char *pages = strstr(info, "\nPages:");
    int n_pages = 0;
    CHECK(pages && sscanf(pages + 7, "%d", &n_pages) == 1);
    CHECK_INT(n_pages, 1);
    CHECK_CONTAINS(info, "595.276 x 841.89 pts (A4)");
    free(info);
    char *fonts = tool("pdffonts", pdf);
    REQUIRE(fonts);
    /* the four faces: body, headings, the date line, "Nơi nhận:" */
    CHECK_CONTAINS(fonts, "+NotoSerif-Regular ");
    CHECK_CONTAINS(fonts, "+NotoSerif-Bold ");
    CHECK_CONTAINS(fonts, "+NotoSerif-Italic ");
    CHECK_CONTAINS(fonts, "+NotoSerif-BoldItalic ");
    /* name type encoding emb sub uni object ID: the two heading lines, then one per font */
    int n = 0;
    char *save = NULL;
    for (char *l = strtok_r(fonts, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, "name", 4) == 0 || strncmp(l, "----", 4) == 0)
            continue;
        n++;
        /* the columns from the end: emb sub uni object ID (the type has spaces in it) */
        char *tok[16];
        int k = 0;
        char *save2 = NULL;
        for (char *t = strtok_r(l, " ", &save2); t && k < 16; t = strtok_r(NULL, " ", &save2))
            tok[k++] = t;
        REQUIRE(k >= 7);
        if (!strstr(tok[0], "+NotoSerif-") || strcmp(tok[k - 5], "yes") != 0)
            fprintf(stderr, "a font not ours or not embedded: %s emb=%s\n", tok[0], tok[k - 5]);
        CHECK(strstr(tok[0], "+NotoSerif-") != NULL);
        CHECK_STR(tok[k - 5], "yes");
    }
    CHECK(n >= 4);
    free(fonts);
}

static void test_pdf_apology(void)
{
    char dir[PATH_MAX], pdf[PATH_MAX], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    test_path(pdf, sizeof pdf, dir, "xin-loi.pdf");
    char *body = filled_template(LETTER_XIN_LOI);
    REQUIRE(body);
    letter_doc d = sample(LETTER_XIN_LOI, body);
    int rc = letter_pdf(&d, pdf, err, sizeof err);
    if (rc)
        fprintf(stderr, "letter_pdf: %s\n", err);
    REQUIRE(rc == 0);
    char *text = tool("pdftotext -layout", pdf);
    REQUIRE(text);
    CHECK_CONTAINS(text, "ỦY BAN NHÂN DÂN");
    CHECK_CONTAINS(text, "XÃ BOM BO");
    CHECK_CONTAINS(text, "Số: 12/TXL-UBND");
    CHECK_CONTAINS(text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    CHECK_CONTAINS(text, "Độc lập - Tự do - Hạnh phúc");
    CHECK_CONTAINS(text, "Bom Bo, ngày 05 tháng 12 năm 2026");
    CHECK_CONTAINS(text, "THƯ XIN LỖI");
    CHECK_CONTAINS(text, "Kính gửi: Bà Nguyễn Thị Hường");
    CHECK_CONTAINS(text, "Địa chỉ: Thôn Sơn Lang, xã Bom Bo");
    CHECK_CONTAINS(text, "chân thành xin lỗi");
    CHECK_CONTAINS(text, "TM. ỦY BAN NHÂN DÂN");
    CHECK_CONTAINS(text, "CHỦ TỊCH");
    CHECK_CONTAINS(text, "Điểu Văn Lợi");
    CHECK_CONTAINS(text, "Nơi nhận:");
    CHECK_CONTAINS(text, "- Như trên;");
    CHECK_CONTAINS(text, "- Lưu: VT.");
    /* The header's two columns share lines: the issuing body left of Quốc hiệu. */
    const char *nation = strstr(text, "CỘNG HÒA");
    const char *eol = nation ? strchr(text, '\n') : NULL;
    CHECK(nation && eol && nation < eol && strstr(text, "ỦY BAN NHÂN DÂN") < nation);
    free(text);
    check_pdf_shape(pdf);
    free(body);
}

static void test_pdf_thanks(void)
{
    char dir[PATH_MAX], pdf[PATH_MAX], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    test_path(pdf, sizeof pdf, dir, "cam-on.pdf");
    char *body = filled_template(LETTER_CAM_ON);
    REQUIRE(body);
    letter_doc d = sample(LETTER_CAM_ON, body);
    d.number = 5;
    d.month = 2;
    d.day = 3;
    d.address = NULL;
    static const char *const cc[] = {"- Như trên;", "- TT. UBMTTQVN xã;", "- Lưu: VT."};
    d.cc = cc;
    d.n_cc = HL_ARRAY_LEN(cc);
    int rc = letter_pdf(&d, pdf, err, sizeof err);
    if (rc)
        fprintf(stderr, "letter_pdf: %s\n", err);
    REQUIRE(rc == 0);
    char *text = tool("pdftotext -layout", pdf);
    REQUIRE(text);
    CHECK_CONTAINS(text, "THƯ CẢM ƠN");
    CHECK_CONTAINS(text, "Số: 05/TCO-UBND");                   /* numbers below 10: a leading 0 */
    CHECK_CONTAINS(text, "Bom Bo, ngày 03 tháng 02 năm 2026"); /* day < 10 and month 2 */
    CHECK_CONTAINS(text, "Nguyễn Thị Hường");
    CHECK_CONTAINS(text, "bà Lê Thị Mai");
    CHECK_CONTAINS(text, "- TT. UBMTTQVN xã;");
    CHECK(strstr(text, "Địa chỉ:") == NULL);
    CHECK(strstr(text, "THƯ XIN LỖI") == NULL);
    free(text);
    check_pdf_shape(pdf);
    free(body);
}

static void test_date_line(void)
{
    char s[128];
    CHECK_INT(letter_date_line("Bom Bo", 2026, 12, 5, s, sizeof s), 0);
    CHECK_STR(s, "Bom Bo, ngày 05 tháng 12 năm 2026");
    CHECK_INT(letter_date_line("Bom Bo", 2026, 1, 31, s, sizeof s), 0);
    CHECK_STR(s, "Bom Bo, ngày 31 tháng 01 năm 2026");
    CHECK_INT(letter_date_line("Bom Bo", 2026, 3, 9, s, sizeof s), 0);
    CHECK_STR(s, "Bom Bo, ngày 09 tháng 3 năm 2026"); /* months 3-12: no leading 0 */
    CHECK_INT(letter_date_line("Bom Bo", 2028, 2, 29, s, sizeof s), 0);
    CHECK_STR(s, "Bom Bo, ngày 29 tháng 02 năm 2028");
    CHECK_INT(letter_date_line("Bom Bo", 2026, 2, 29, s, sizeof s), -1);
    CHECK_INT(letter_date_line("Bom Bo", 2026, 13, 1, s, sizeof s), -1);
    CHECK_INT(letter_date_line("Bom Bo", 2026, 4, 0, s, sizeof s), -1);
    CHECK_INT(letter_number(7, "TXL-UBND", s, sizeof s), 0);
    CHECK_STR(s, "07/TXL-UBND");
    CHECK_INT(letter_number(112, "TXL-UBND", s, sizeof s), 0);
    CHECK_STR(s, "112/TXL-UBND");
    CHECK_INT(letter_number(0, "TXL-UBND", s, sizeof s), -1);
}

/* A refused letter: rc -1, the message contains want, and no file is left at the path. */
static void check_refused(const letter_doc *d, const char *want)
{
    char dir[PATH_MAX], pdf[PATH_MAX], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    test_path(pdf, sizeof pdf, dir, "thu.pdf");
    CHECK_INT(letter_pdf(d, pdf, err, sizeof err), -1);
    CHECK_CONTAINS(err, want);
    CHECK(!util_file_exists(pdf));
    int n = -1;
    CHECK_INT(test_count_files(dir, NULL, &n), 0); /* no temp file either */
}

static void test_pdf_too_long(void)
{
    char *body = filled_template(LETTER_XIN_LOI);
    REQUIRE(body);
    /* The default letter four times over: far more than the room under the header. */
    size_t len = strlen(body);
    char *big = xmalloc(4 * (len + 2) + 1);
    big[0] = '\0';
    for (int i = 0; i < 4; i++) {
        memcpy(big + strlen(big), body, len + 1);
        memcpy(big + strlen(big), "\n\n", 3);
    }
    letter_doc d = sample(LETTER_XIN_LOI, big);
    check_refused(&d, "the letter's body is too long for one page: ");
    check_refused(&d, " lines over");
    /* The number of lines over is what must go: the letter with that many fewer lines fits.
     * Checked coarsely: one paragraph more than the default letter is a few lines over, not
     * dozens. */
    char dir[PATH_MAX], pdf[PATH_MAX], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    test_path(pdf, sizeof pdf, dir, "thu.pdf");
    CHECK_INT(letter_pdf(&d, pdf, err, sizeof err), -1);
    int over = 0;
    const char *p = strstr(err, "one page: ");
    CHECK(p && sscanf(p + 10, "%d", &over) == 1 && over > 20);
    free(big);
    free(body);
}

static void test_pdf_refused(void)
{
    letter_doc d = sample(LETTER_XIN_LOI, body_short);
    d.recipient = "Bà Nguy\xe1\xbb"; /* a cut-off UTF-8 sequence */
    check_refused(&d, "recipient is not valid UTF-8");
    d = sample(LETTER_XIN_LOI, "Kính gửi \xff\xfe");
    check_refused(&d, "body is not valid UTF-8");
    d = sample(LETTER_XIN_LOI, body_short);
    d.signer = "";
    check_refused(&d, "no signer");
    d = sample(LETTER_XIN_LOI, body_short);
    d.day = 31;
    d.month = 11;
    check_refused(&d, "2026-11-31 is not a real date");
    d = sample(LETTER_XIN_LOI, body_short);
    d.font_dir = "/nonexistent/fonts";
    check_refused(&d, "cannot read the letter's font /nonexistent/fonts/NotoSerif-Regular.ttf");
    /* U+263A is in DejaVu (on this machine) but not in Noto Serif: only our fonts are used. */
    d = sample(LETTER_XIN_LOI, "Xin cảm ơn ☺");
    check_refused(&d, "the body has characters the letter's font (Noto Serif) cannot draw");
}

static void check_fill(const char *tmpl, const letter_var *v, size_t n, const char *want)
{
    char *out = NULL, err[HL_ERR_MAX] = "";
    int rc = letter_fill(tmpl, v, n, &out, err, sizeof err);
    if (rc)
        fprintf(stderr, "letter_fill: %s\n", err);
    CHECK_INT(rc, 0);
    CHECK_STR(out ? out : "(null)", want);
    free(out);
}

static void check_fill_err(const char *tmpl, const letter_var *v, size_t n, const char *want)
{
    char *out = NULL, err[HL_ERR_MAX] = "";
    CHECK_INT(letter_fill(tmpl, v, n, &out, err, sizeof err), -1);
    CHECK(out == NULL);
    CHECK_CONTAINS(err, want);
}

static void test_fill(void)
{
    const letter_var v[] = {
        {"nguoi_nhan", "Nguyễn Thị Hường"}, {"ten_xa", "Bom Bo"}, {"trong", ""}, {"khong", NULL}};
    check_fill("Kính gửi {nguoi_nhan}, xã {ten_xa}.", v, 4,
               "Kính gửi Nguyễn Thị Hường, xã Bom Bo.");
    check_fill("{ten_xa}{ten_xa}{trong}!", v, 4, "Bom BoBom Bo!");
    check_fill("{{ten_xa} và {{{ten_xa}}", v, 4, "{ten_xa} và {Bom Bo}");
    check_fill("không có chỗ trống } nào", v, 4, "không có chỗ trống } nào");
    check_fill("", v, 4, "");
    check_fill_err("dòng 1\ndòng 2\nxin chào {ten_sai} và {ten_xa}", v, 4,
                   "line 3: unknown placeholder {ten_sai}");
    check_fill_err("{nguoi_nhan}\n\n\n\n{nguoi_nhan_x}", v, 4,
                   "line 5: unknown placeholder {nguoi_nhan_x}");
    check_fill_err("a\n{Ten_xa}", v, 4, "line 2: \"{\" starts no placeholder");
    check_fill_err("a {ten xa}", v, 4, "line 1: \"{\" starts no placeholder");
    check_fill_err("cuối {", v, 4, "line 1: \"{\" starts no placeholder");
    check_fill_err("x\n{khong}", v, 4, "line 2: placeholder {khong} has no value");
    check_fill_err("a\nb\xc3", v, 4, "line 2: the template is not valid UTF-8");
    const letter_var bad[] = {{"ten_xa", "Bom\xff"}};
    check_fill_err("{ten_xa}", bad, 1, "the value of {ten_xa} is not valid UTF-8");
}

/* The two templates the commune starts from: each fills with the documented placeholders (so it
 * uses no other), leaves no brace, is NFC, and carries the plan's words. */
static void test_default_templates(void)
{
    CHECK_INT(letter_n_placeholders, 7);
    letter_var vars[16];
    char vals[16][64];
    REQUIRE(letter_n_placeholders <= 16);
    for (size_t i = 0; i < letter_n_placeholders; i++) {
        util_fmt(vals[i], sizeof vals[i], "<%s>", letter_placeholders[i]);
        vars[i] = (letter_var){letter_placeholders[i], vals[i]};
    }
    const letter_kind kinds[] = {LETTER_XIN_LOI, LETTER_CAM_ON};
    for (size_t k = 0; k < 2; k++) {
        char path[PATH_MAX], err[HL_ERR_MAX] = "";
        test_path(path, sizeof path, HL_LETTERS_DIR, letter_template_file(kinds[k]));
        char *tmpl = util_read_file(path, NULL);
        REQUIRE(tmpl);
        size_t bad = 0;
        CHECK(util_utf8_is_nfc(tmpl, &bad));
        char *out = NULL;
        int rc = letter_fill(tmpl, vars, letter_n_placeholders, &out, err, sizeof err);
        if (rc)
            fprintf(stderr, "%s: %s\n", path, err);
        CHECK_INT(rc, 0);
        REQUIRE(out);
        CHECK(strchr(out, '{') == NULL && strchr(out, '}') == NULL);
        CHECK_CONTAINS(out, "<danh_xung>");
        CHECK_CONTAINS(out, "<ten_xa>");
        CHECK_CONTAINS(out, "<ngay_phan_anh>");
        CHECK_CONTAINS(out, "<noi_dung_tom_tat>");
        if (kinds[k] == LETTER_XIN_LOI) {
            CHECK_CONTAINS(out, "<bien_phap>");
            CHECK_CONTAINS(out, "xin lỗi");
            CHECK_CONTAINS(out, "sai sót, chậm trễ");
            CHECK_CONTAINS(out, "phiền hà");
        } else {
            CHECK_CONTAINS(out, "<can_bo>");
            CHECK_CONTAINS(out, "cảm ơn");
            CHECK_CONTAINS(out, "sức lực, trí tuệ");
            CHECK_CONTAINS(out, "tốt đẹp hơn, văn minh hơn");
        }
        free(out);
        /* Without one documented placeholder, a template using it names it. */
        rc = letter_fill(tmpl, vars + 1, letter_n_placeholders - 1, &out, err, sizeof err);
        CHECK_INT(rc, -1);
        CHECK_CONTAINS(err, "unknown placeholder {danh_xung}");
        free(out);
        free(tmpl);
    }
}

static void test_register(void)
{
    char dir[PATH_MAX], path[PATH_MAX], err[HL_ERR_MAX] = "";
    test_new_dir(dir, sizeof dir);
    test_path(path, sizeof path, dir, "so-dang-ky.xlsx");
    const letter_reg_row rows[] = {
        {12, "TXL-UBND", 2026, 12, 5, LETTER_XIN_LOI, "Nguyễn Thị Hường", "3f1c2a9e-phan-anh",
         "Điểu Văn Lợi"},
        {5, "TCO-UBND", 2026, 2, 3, LETTER_CAM_ON, "Trần Văn Bình", NULL, "Điểu Văn Lợi"},
        {13, "TXL-UBND", 2026, 12, 7, LETTER_XIN_LOI, "Lê Thị Mai", "gop-y-17", "Điểu Văn Lợi"},
    };
    int rc = letter_register_xlsx(path, rows, 3, "SỔ ĐĂNG KÝ THƯ NĂM 2026", err, sizeof err);
    if (rc)
        fprintf(stderr, "letter_register_xlsx: %s\n", err);
    REQUIRE(rc == 0);
    char *wbx = xlsx_part(path, "xl/workbook.xml");
    REQUIRE(wbx);
    CHECK_CONTAINS(wbx, "name=\"Sổ đăng ký thư\"");
    free(wbx);
    xlsx_doc x;
    REQUIRE(xlsx_open(&x, path, 1) == 0);
    CHECK_XSTR(&x, 0, "A1", "SỔ ĐĂNG KÝ THƯ NĂM 2026");
    const char *const heads[] = {"Số",         "Ký hiệu",        "Ngày",    "Loại thư",
                                 "Người nhận", "Phản ánh/góp ý", "Người ký"};
    for (int c = 0; c < 7; c++) {
        char ref[8] = {(char)('A' + c), '2', '\0'};
        CHECK_XSTR(&x, 0, ref, heads[c]);
    }
    CHECK_XNUM(&x, 0, "A3", 12);
    CHECK_XSTR(&x, 0, "B3", "TXL-UBND");
    CHECK_XNUM(&x, 0, "C3", 46361); /* 2026-12-05 as an Excel date */
    xcell c3 = xlsx_cell(&x, 0, "C3");
    char fmt[64];
    xlsx_style_format(&x, c3.style, fmt, sizeof fmt);
    CHECK_STR(fmt, "dd/mm/yyyy");
    free(c3.text);
    CHECK_XSTR(&x, 0, "D3", "Thư xin lỗi");
    CHECK_XSTR(&x, 0, "E3", "Nguyễn Thị Hường");
    CHECK_XSTR(&x, 0, "F3", "3f1c2a9e-phan-anh");
    CHECK_XSTR(&x, 0, "G3", "Điểu Văn Lợi");
    CHECK_XNUM(&x, 0, "C4", 46056); /* 2026-02-03 */
    CHECK_XSTR(&x, 0, "D4", "Thư cảm ơn");
    CHECK_XEMPTY(&x, 0, "F4");
    CHECK_XSTR(&x, 0, "E5", "Lê Thị Mai");
    CHECK(xlsx_has_cell(&x, 0, "A5"));
    CHECK(!xlsx_has_cell(&x, 0, "A6")); /* three letters, three rows */
    /* widths that fit: the column of names is wider than the one of numbers */
    CHECK_CONTAINS(x.sheet[0], "<cols>");
    xlsx_close(&x);

    const letter_reg_row bad[] = {
        {1, "TXL-UBND", 2026, 2, 30, LETTER_XIN_LOI, "A", NULL, "B"},
    };
    test_path(path, sizeof path, dir, "bad.xlsx");
    CHECK_INT(letter_register_xlsx(path, bad, 1, NULL, err, sizeof err), -1);
    CHECK_CONTAINS(err, "register row 1: the date 2026-02-30 is not a real date");
    CHECK(!util_file_exists(path));
    const letter_reg_row bad2[] = {
        rows[0],
        {2, "TXL-UBND", 2026, 2, 3, LETTER_XIN_LOI, "Nguy\xe1", NULL, "B"},
    };
    CHECK_INT(letter_register_xlsx(path, bad2, 2, NULL, err, sizeof err), -1);
    CHECK_CONTAINS(err, "register row 2: the recipient is not valid UTF-8");
}

int main(void)
{
    static const test_case cases[] = {
        TEST(test_pdf_apology),       TEST(test_pdf_thanks),  TEST(test_date_line),
        TEST(test_pdf_too_long),      TEST(test_pdf_refused), TEST(test_fill),
        TEST(test_default_templates), TEST(test_register),
    };
    return test_main("letter", TEST_KEEP_FAILED, cases, HL_ARRAY_LEN(cases));
}
