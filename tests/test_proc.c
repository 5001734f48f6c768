/* test_proc: procedures: folding for search, procedures.json validation (every kind of mistake
 * named by file, record and field), the CSV reader (RFC 4180, Excel's BOM/CRLF, line numbers),
 * FTS5 search and highlight spans. The import into procedures.json: test_proc_import. */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pfx.h"
#include "proc.h"
#include "test.h"
#include "util.h"

static int fold_is(const char *in, const char *want)
{
    char *f = proc_fold(in);
    int ok = strcmp(f, want) == 0;
    if (!ok)
        fprintf(stderr, "  proc_fold(\"%s\") == \"%s\", expected \"%s\"\n", in, f, want);
    free(f);
    return ok;
}

static void test_fold(void)
{
    CHECK(fold_is("Đăng ký khai sinh", "dang ky khai sinh"));
    CHECK(fold_is("DANG KY KHAI SINH", "dang ky khai sinh"));
    CHECK(fold_is("dang ky khai sinh", "dang ky khai sinh"));
    CHECK(fold_is("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"));
    /* đ/Đ have no decomposition; utf8proc keeps them, proc_fold must not. */
    CHECK(fold_is("đ", "d"));
    CHECK(fold_is("Đ", "d"));
    CHECK(fold_is("đường Đồng Xoài", "duong dong xoai"));
    /* Decomposed input (ă = a + U+0306, ý = y + U+0301, ồ = o + U+0302 + U+0300). */
    CHECK(fold_is("Đa\xcc\x86ng ky\xcc\x81 khai sinh", "dang ky khai sinh"));
    CHECK(fold_is("Đo\xcc\x82\xcc\x80ng", "dong"));
    CHECK(fold_is("Thủ tục hành chính: Ưu tiên người cao tuổi", "thu tuc hanh chinh uu tien "
                                                                "nguoi cao tuoi"));
    /* Punctuation and runs of spaces become one space; ends are trimmed. */
    CHECK(fold_is("  Khai-sinh, (bản sao)!!  Nghị định 123/2015/NĐ-CP. ",
                  "khai sinh ban sao nghi dinh 123 2015 nd cp"));
    CHECK(fold_is("1.001193", "1 001193"));
    CHECK(fold_is("", ""));
    CHECK(fold_is(" -- !! ", ""));
    /* Invalid UTF-8 (only from outside the validated files) is a separator, not a failure. */
    CHECK(fold_is("ab\xff"
                  "cd",
                  "ab cd"));
}

/* ---- JSON ---- */

#define DOC(...)                                                                                   \
    "{\n  \"format\": 1,\n  " PFX_FIELDS ",\n  \"procedures\": [\n" __VA_ARGS__ "\n]}\n"

typedef int (*parse_fn)(proc_set **out, const char *text, size_t len, const char *name, char *err,
                        size_t errlen);

/* text (len bytes, as file name) must be refused with exit code 2 and every piece of want. */
static void expect_bad(parse_fn parse, const char *name, const char *text, size_t len,
                       const char *const *want)
{
    char err[HL_ERR_MAX] = "";
    proc_set *s = (proc_set *)&s; /* not NULL, so the test sees the parser clear it */
    int rc = parse(&s, text, len, name, err, sizeof err);
    CHECK_INT(rc, HL_EXIT_USAGE);
    CHECK(s == NULL);
    if (rc == 0)
        proc_free(s);
    for (size_t i = 0; want[i]; i++)
        CHECK_CONTAINS(err, want[i]);
}

static void expect_json_bad(const char *text, const char *const *want)
{
    expect_bad(proc_parse_json, "procs.json", text, strlen(text), want);
}
#define JSON_BAD(text, ...) expect_json_bad(text, (const char *const[]){__VA_ARGS__, NULL})

static void test_json_good(void)
{
    /* Byte order mark, a comment key, a document without copies, and a second field. */
    const char *text =
        "\xEF\xBB\xBF{\"format\": 1, \"_note\": \"ghi chú\", \"fields\": [{\"id\": \"ho-tich\", "
        "\"name\": \"Hộ tịch\"}, {\"id\": \"dat-dai\", \"name\": \"Đất đai\"}],\n"
        "\"procedures\": [" PFX_PROC(
            "a", "Đăng ký khai sinh") ",\n"
                                      "{\"_why\": \"x\", \"id\": \"b\", \"code\": \"1.000894\", "
                                      "\"name\": \"Đăng ký kết hôn\", "
                                      "\"field\": \"ho-tich\", \"level\": \"Cấp xã\", "
                                      "\"time_limit\": \"Trong ngày\\nhoặc 5 "
                                      "ngày\", \"fees\": \"Miễn phí\", \"documents\": [{\"name\": "
                                      "\"Tờ khai\"}], \"steps\": "
                                      "[\"Nộp\", \"Nhận\"], \"where\": \"Một cửa\", "
                                      "\"legal_basis\": [], \"online\": "
                                      "\"partial\", \"url\": \"http://dichvucong.gov.vn/x\"}]}";
    char err[HL_ERR_MAX] = "";
    proc_set *s = NULL;
    int rc = proc_parse_json(&s, text, strlen(text), "procs.json", err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    REQUIRE(rc == 0 && s);
    CHECK_STR(s->note, "ghi chú");
    CHECK_INT(s->n_fields, 2);
    CHECK_INT(s->fields[0].n_items, 2);
    CHECK_INT(s->fields[1].n_items, 0);
    CHECK_INT(s->n_items, 2);
    const proc_item *b = proc_find(s, "b");
    REQUIRE(b == &s->items[1]);
    CHECK(proc_find(s, "c") == NULL);
    CHECK_STR(b->docs[0].copies, "");
    CHECK_INT(b->n_steps, 2);
    CHECK_INT(b->n_legal, 0);
    CHECK_INT(b->online, PROC_ONLINE_PARTIAL);
    CHECK_INT(s->items[0].online, PROC_ONLINE_FULL);
    CHECK_STR(b->time_limit, "Trong ngày\nhoặc 5 ngày");
    CHECK_STR(b->channels, ""); /* optional: left out */
    proc_free(s);
}

/* s with its first `from` replaced by `to` (which must be there). */
static char *replace1(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    CHECK(at);
    if (!at)
        return xstrdup(s);
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *out = xmalloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

/* Issue 13: how a procedure may be submitted is data ("channels", optional), and its QR code opens
 * its own page: its url, else the national portal's page of its code, else (said so on screen)
 * the portal's home page. */
static void test_channels_and_qr(void)
{
    const char *text = "{\"format\": 1, \"fields\": [{\"id\": \"ho-tich\", \"name\": \"Hộ tịch\"}],"
                       "\"procedures\": [" PFX_PROC("a", "Chứng thực chữ ký") "]}";
    char *with = replace1(text, "\"where\": ", "\"channels\": \"Trực tiếp\", \"where\": ");
    char err[HL_ERR_MAX] = "";
    proc_set *s = NULL;
    int rc = proc_parse_json(&s, with, strlen(with), "procs.json", err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    REQUIRE(rc == 0 && s);
    proc_item *it = &s->items[0];
    CHECK_STR(it->channels, "Trực tiếp");
    char url[512];
    free(it->url);
    it->url = xstrdup("https://dichvucong.gov.vn/");
    free(it->code);
    it->code = xstrdup("2.000884");
    CHECK_INT(proc_qr_target(it, url, sizeof url), PROC_QR_BY_CODE);
    CHECK_STR(url, "https://dichvucong.gov.vn/p/home/"
                   "dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=2.000884");
    free(it->url);
    it->url = xstrdup("https://dichvucong.tinh.gov.vn/thu-tuc/42");
    CHECK_INT(proc_qr_target(it, url, sizeof url), PROC_QR_OWN_URL);
    CHECK_STR(url, "https://dichvucong.tinh.gov.vn/thu-tuc/42");
    free(it->url);
    it->url = xstrdup("");
    free(it->code);
    it->code = xstrdup("");
    CHECK_INT(proc_qr_target(it, url, sizeof url), PROC_QR_HOME_PAGE);
    CHECK_STR(url, "https://dichvucong.gov.vn");
    /* The JSON written back keeps it. */
    char *out = proc_to_json(s);
    CHECK_CONTAINS(out, "\"channels\":\t\"Trực tiếp\"");
    free(out);
    proc_free(s);
    free(with);
    /* A code that could not be one still loads (a kiosk must start on last year's file), but
     * makes no address: the QR opens the home page and says so. */
    char *odd = replace1(text, "\"code\": \"\"", "\"code\": \"1.001 193&x\"");
    rc = proc_parse_json(&s, odd, strlen(odd), "procs.json", err, sizeof err);
    REQUIRE(rc == 0 && s);
    CHECK_INT(proc_qr_target(&s->items[0], url, sizeof url), PROC_QR_HOME_PAGE);
    CHECK_STR(url, "https://dichvucong.gov.vn");
    proc_free(s);
    free(odd);
    /* In a spreadsheet, an optional "channels" column. */
    const char *csv = "id,code,name,field_id,field_name,level,time_limit,fees,documents,steps,"
                      "where,legal_basis,online,url,channels\n"
                      "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một "
                      "cửa,,full,,Trực tiếp hoặc qua bưu chính\n";
    rc = proc_parse_csv(&s, csv, strlen(csv), "t.csv", err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    REQUIRE(rc == 0 && s);
    CHECK_STR(s->items[0].channels, "Trực tiếp hoặc qua bưu chính");
    proc_free(s);
}

static void test_json_errors(void)
{
    /* Syntax: line and column, as an editor shows them. */
    JSON_BAD("{\n  \"format\": 1,\n  \"fields\": [} \n}", "procs.json:3:14: JSON syntax error");
    JSON_BAD("[]", "procs.json: the top level is a list");
    JSON_BAD("{\"format\": 2}", "procs.json: format: must be 1");
    JSON_BAD(DOC(PFX_PROC("a", "Khai sinh")) "x", "procs.json:7:1: JSON syntax error near \"x\"");
    /* Top level. */
    JSON_BAD("{\"format\": 1, " PFX_FIELDS "}", "procs.json: procedures: missing");
    JSON_BAD("{\"format\": 1, " PFX_FIELDS ", \"procedures\": []}",
             "procs.json: procedures: empty");
    JSON_BAD("{\"format\": 1, \"procedures\": [" PFX_PROC("a", "A") "]}",
             "procs.json: fields: missing");
    JSON_BAD("{\"format\": 1, " PFX_FIELDS
             ", \"procedures\": [" PFX_PROC("a", "A") "], \"extra\": 1}",
             "procs.json: extra: unknown field");
    JSON_BAD("{\"format\": 1, \"fields\": [{\"id\": \"x\", \"name\": \"X\"}, {\"id\": \"x\", "
             "\"name\": \"Y\"}], \"procedures\": [" PFX_PROC("a", "A") "]}",
             "procs.json: fields[1].id: \"x\" is already used by fields[0]");
    JSON_BAD("{\"format\": 1, \"fields\": [{\"id\": \"Hộ tịch\", \"name\": \"X\"}], "
             "\"procedures\": [" PFX_PROC("a", "A") "]}",
             "procs.json: fields[0].id: \"Hộ tịch\" is not a valid id");
    /* Records: index, id and field in every message. */
    JSON_BAD(
        DOC(PFX_PROC("a", "A") ",\n{\"id\": \"b\", \"code\": \"\", \"name\": \"B\", \"field\": "
                               "\"ho-tich\", \"level\": \"Cấp xã\"}"),
        "procs.json: procedures[1] (b).time_limit: missing");
    JSON_BAD(
        DOC("{\"id\": \"a\", \"code\": \"\", \"name\": 42, \"field\": \"ho-tich\", " PFX_PROC_TAIL
            "}"),
        "procs.json: procedures[0] (a).name: is a number; write it as text");
    JSON_BAD(DOC(PFX_PROC("a", "  ")), "procs.json: procedures[0] (a).name: empty; every procedure "
                                       "needs its name");
    JSON_BAD(DOC(PFX_PROC("Đăng ký", "A")),
             "procs.json: procedures[0].id: \"Đăng ký\" is not a valid id; use 1 to 63 lowercase");
    JSON_BAD(DOC(PFX_PROC("a", "A") ",\n" PFX_PROC("b", "B") ",\n" PFX_PROC("a", "C")),
             "procs.json: procedures[2] (a).id: \"a\" is already used by procedures[0]; ids must "
             "be unique");
    JSON_BAD(DOC("{\"id\": \"a\", \"code\": \"\", \"name\": \"A\", \"field\": "
                 "\"dat-dai\", " PFX_PROC_TAIL "}"),
             "procs.json: procedures[0] (a).field: \"dat-dai\" is not one of the fields",
             "(ho-tich)");
    JSON_BAD(DOC("{\"id\": \"a\", \"code\": \"\", \"name\": \"A\", \"field\": "
                 "\"ho-tich\", " PFX_PROC_TAIL ", \"phnoe\": \"1\"}"),
             "procs.json: procedures[0] (a).phnoe: unknown field");
    /* online, url, documents, steps, legal_basis. */
    {
        static const char *const cases[][2] = {
            {"\"online\": \"full\"", "\"online\": \"yes\""},
            {"\"url\": \"\"", "\"url\": \"www.dichvucong.gov.vn\""},
            {"\"url\": \"\"", "\"url\": \"https://x.vn/a b\""},
            {"\"documents\": [" PFX_DOC_A "]", "\"documents\": []"},
            {"\"documents\": [" PFX_DOC_A "]", "\"documents\": [\"Tờ khai\"]"},
            {"\"documents\": [" PFX_DOC_A "]", "\"documents\": [{\"name\": \"\"}]"},
            {"\"documents\": [" PFX_DOC_A "]",
             "\"documents\": [" PFX_DOC_A ", {\"copies\": \"1\"}]"},
            {"\"steps\": [\"Bước 1: Nộp hồ sơ\"]", "\"steps\": []"},
            {"\"steps\": [\"Bước 1: Nộp hồ sơ\"]", "\"steps\": \"Nộp hồ sơ\""},
            {"\"legal_basis\": [\"Luật Hộ tịch năm 2014\"]", "\"legal_basis\": [\"Luật\", 5]"},
        };
        static const char *const want[] = {
            "procs.json: procedures[0] (a).online: \"yes\" is not one of \"full\"",
            "procs.json: procedures[0] (a).url: \"www.dichvucong.gov.vn\" is not a web address",
            "procs.json: procedures[0] (a).url: contains a space",
            "procs.json: procedures[0] (a).documents: empty; list the documents",
            "procs.json: procedures[0] (a).documents[0]: is text; write { \"name\"",
            "procs.json: procedures[0] (a).documents[0].name: empty",
            "procs.json: procedures[0] (a).documents[1].name: missing",
            "procs.json: procedures[0] (a).steps: empty; list the steps",
            "procs.json: procedures[0] (a).steps: is text; it must be a list",
            "procs.json: procedures[0] (a).legal_basis[1]: is a number",
        };
        for (size_t i = 0; i < HL_ARRAY_LEN(cases); i++) {
            char text[2048], proc[1024];
            const char *good = PFX_PROC("a", "A");
            const char *at = strstr(good, cases[i][0]);
            REQUIRE(at);
            util_fmt(proc, sizeof proc, "%.*s%s%s", (int)(at - good), good, cases[i][1],
                     at + strlen(cases[i][0]));
            util_fmt(text, sizeof text, DOC("%s"), proc);
            static const char *w[2];
            w[0] = want[i];
            expect_json_bad(text, w);
        }
    }
    /* Unicode: not NFC, not UTF-8, control characters, line breaks in one-line fields. */
    JSON_BAD(DOC(PFX_PROC("a", "Hoa\xcc\x80 Bi\xcc\x80nh")),
             "procs.json: procedures[0] (a).name: is not NFC Unicode",
             "save the file as UTF-8 NFC");
    JSON_BAD(DOC(PFX_PROC("a", "Ho\xe0")),
             "procs.json: procedures[0] (a).name: is not valid UTF-8");
    JSON_BAD(DOC(PFX_PROC("a", "A\\tB")), "procs.json: procedures[0] (a).name: contains a control "
                                          "character");
    JSON_BAD(DOC(PFX_PROC("a", "A\\nB")),
             "procs.json: procedures[0] (a).name: contains a line break");

    /* Through proc_load: the path in the message; a missing file. */
    char err[HL_ERR_MAX], path[PATH_MAX * 2];
    util_fmt(path, sizeof path, "%s/procedures.json", test_root);
    const char *bad = DOC(PFX_PROC("a", "A") ",\n" PFX_PROC("b", ""));
    test_write_file(path, bad, strlen(bad));
    proc_set *s = (proc_set *)&s;
    CHECK_INT(proc_load(&s, path, err, sizeof err), HL_EXIT_USAGE);
    CHECK(s == NULL);
    char want[PATH_MAX * 3];
    util_fmt(want, sizeof want, "%s: procedures[1] (b).name: empty", path);
    CHECK_STR(err, strstr(err, want) == err ? err : want);
    util_fmt(path, sizeof path, "%s/nope.json", test_root);
    s = (proc_set *)&s;
    CHECK_INT(proc_load(&s, path, err, sizeof err), HL_EXIT_USAGE);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "nope.json: cannot open: No such file or directory");
}

/* ---- CSV ---- */

static proc_set *csv_ok(const char *text, size_t len)
{
    char err[HL_ERR_MAX] = "";
    proc_set *s = NULL;
    int rc = proc_parse_csv(&s, text, len, "x.csv", err, sizeof err);
    if (rc)
        fprintf(stderr, "  unexpected: %s\n", err);
    return rc ? NULL : s;
}

static void expect_csv_bad(const char *text, size_t len, const char *const *want)
{
    expect_bad(proc_parse_csv, "x.csv", text, len, want);
}
#define CSV_BAD(text, ...)                                                                         \
    expect_csv_bad(text, strlen(text), (const char *const[]){__VA_ARGS__, NULL})

static void test_csv_quoting(void)
{
    /* Columns in another order; quoted cells with commas, doubled quotes and line breaks (one
     * document per line, "name | copies", blank lines in the cell ignored); Vietnamese online
     * words in any case; a row of empty cells (Excel) and blank lines skipped. */
    const char *text =
        "name,id,field_name,field_id,code,level,time_limit,fees,documents,steps,where,"
        "legal_basis,online,url\n"
        "\"Chứng thực bản sao, chữ ký\",chung-thuc,Chứng thực,chung-thuc,,Cấp xã,"
        "\"Trong ngày,\nhoặc ngày làm việc tiếp theo\",2.000 đồng/trang,"
        "\"Bản chính | xuất trình\n\n  Bản sao | 01 bản  \nGiấy tờ \"\"khác\"\"\n\","
        "\"Bước 1: Nộp\nBước 2: Ghi lời chứng \"\"Chứng thực bản sao đúng với bản chính\"\"\","
        "Một cửa,\"Nghị định 23/2015/NĐ-CP\",KHÔNG,\n"
        ",,,,,,,,,,,,,\n"
        "\n"
        "Đăng ký khai sinh,dang-ky-khai-sinh,Hộ tịch,ho-tich,1.001193,Cấp xã,Trong ngày,"
        "Miễn phí,Tờ khai | 01 bản chính,Nộp,Một cửa,,Toàn Trình,https://dichvucong.gov.vn/a\n"
        "Đăng ký kết hôn,dang-ky-ket-hon,Hộ tịch,ho-tich,,Cấp xã,Trong ngày,Miễn phí,Tờ khai,"
        "Nộp,Một cửa,,một phần,";
    proc_set *s = csv_ok(text, strlen(text));
    REQUIRE(s);
    CHECK(s->note == NULL);
    REQUIRE(s->n_items == 3);
    REQUIRE(s->n_fields == 2);
    CHECK_STR(s->fields[0].id, "chung-thuc");
    CHECK_STR(s->fields[0].name, "Chứng thực");
    CHECK_INT(s->fields[0].n_items, 1);
    CHECK_STR(s->fields[1].id, "ho-tich");
    CHECK_INT(s->fields[1].n_items, 2);
    const proc_item *a = &s->items[0];
    CHECK_STR(a->id, "chung-thuc");
    CHECK_STR(a->name, "Chứng thực bản sao, chữ ký");
    CHECK_INT(a->field, 0);
    CHECK_STR(a->time_limit, "Trong ngày,\nhoặc ngày làm việc tiếp theo");
    REQUIRE(a->n_docs == 3);
    CHECK_STR(a->docs[0].name, "Bản chính");
    CHECK_STR(a->docs[0].copies, "xuất trình");
    CHECK_STR(a->docs[1].name, "Bản sao");
    CHECK_STR(a->docs[1].copies, "01 bản");
    CHECK_STR(a->docs[2].name, "Giấy tờ \"khác\"");
    CHECK_STR(a->docs[2].copies, "");
    REQUIRE(a->n_steps == 2);
    CHECK_STR(a->steps[1], "Bước 2: Ghi lời chứng \"Chứng thực bản sao đúng với bản chính\"");
    REQUIRE(a->n_legal == 1);
    CHECK_STR(a->legal[0], "Nghị định 23/2015/NĐ-CP");
    CHECK_INT(a->online, PROC_ONLINE_NONE);
    CHECK_STR(a->url, "");
    CHECK_STR(s->items[1].code, "1.001193");
    CHECK_INT(s->items[1].online, PROC_ONLINE_FULL);
    CHECK_INT(s->items[1].field, 1);
    CHECK_INT(s->items[2].online, PROC_ONLINE_PARTIAL);
    CHECK_INT(s->items[2].n_legal, 0);
    proc_free(s);

    /* The same row with CRLF line ends, a CRLF inside a quoted cell and Excel's BOM; ';' as the
     * separator (Excel in Vietnamese locale). */
    const char *crlf = "\xEF\xBB\xBF"
                       "id;code;name;field_id;field_name;level;time_limit;fees;"
                       "documents;steps;where;legal_basis;online;url\r\n"
                       "a;;Khai sinh;ho-tich;Hộ tịch;Cấp xã;Trong ngày;Miễn phí;"
                       "\"Tờ khai | 01 bản\r\nGiấy chứng sinh\";\"Nộp; chờ\r\nNhận\";Một cửa;;"
                       "full;\r\n"
                       "b;;Kết hôn;ho-tich;Hộ tịch;Cấp xã;Trong ngày;Miễn phí;Tờ khai;Nộp;Một "
                       "cửa;;none;\r\n";
    s = csv_ok(crlf, strlen(crlf));
    REQUIRE(s);
    REQUIRE(s->n_items == 2);
    CHECK_STR(s->items[0].id, "a");
    REQUIRE(s->items[0].n_docs == 2);
    CHECK_STR(s->items[0].docs[0].copies, "01 bản");
    CHECK_STR(s->items[0].docs[1].name, "Giấy chứng sinh");
    REQUIRE(s->items[0].n_steps == 2);
    CHECK_STR(s->items[0].steps[0], "Nộp; chờ");
    CHECK_STR(s->items[1].name, "Kết hôn");
    proc_free(s);
}

/* The example in docs/PROCEDURES.md: Excel's "CSV UTF-8" (BOM, CRLF rows, LF inside cells). */
static void test_csv_sample(void)
{
    proc_set *s = pfx_load_sample();
    REQUIRE(s);
    REQUIRE(s->n_items == 3);
    REQUIRE(s->n_fields == 2);
    CHECK_STR(s->fields[0].name, "Hộ tịch");
    CHECK_INT(s->fields[0].n_items, 2);
    CHECK_STR(s->fields[1].name, "Chứng thực");
    const proc_item *k = proc_find(s, "dang-ky-khai-sinh");
    REQUIRE(k);
    CHECK_STR(k->code, "1.001193");
    CHECK_STR(k->name, "Đăng ký khai sinh");
    CHECK_INT(k->n_docs, 4);
    CHECK_STR(k->docs[1].name, "Giấy chứng sinh, hoặc văn bản của người làm chứng");
    CHECK_STR(k->docs[3].copies, "");
    CHECK_INT(k->n_steps, 3);
    CHECK_INT(k->n_legal, 3);
    CHECK_INT(k->online, PROC_ONLINE_FULL);
    CHECK(strncmp(k->url, "https://", 8) == 0);
    const proc_item *c = proc_find(s, "chung-thuc-ban-sao");
    REQUIRE(c);
    CHECK_STR(c->code, "");
    CHECK_INT(c->online, PROC_ONLINE_NONE);
    CHECK_CONTAINS(c->steps[1], "\"Chứng thực bản sao đúng với bản chính\"");
    CHECK_INT(proc_find(s, "dang-ky-ket-hon")->online, PROC_ONLINE_PARTIAL);
    CHECK_STR(k->channels, ""); /* the sample has no "channels" column: it may be left out */
    proc_free(s);
}

static void test_csv_errors(void)
{
    /* Header. */
    CSV_BAD("id,code,ten,field_id\n", "x.csv:1: header: column 3 \"ten\" is not a known column",
            "in any order: id, code, name,");
    CSV_BAD("id,code,name,field_id,field_name,level,time_limit,fees,documents,steps,where,"
            "legal_basis,online\n",
            "x.csv:1: header: column \"url\" is missing");
    CSV_BAD("id,code,name,ID\n", "x.csv:1: header: column \"id\" appears twice (columns 1 and 4)");
    CSV_BAD("", "x.csv: is empty; the first row must be the header");
    CSV_BAD(PFX_CSV_HDR, "x.csv: no procedures after the header");
    /* Header names are trimmed and case-insensitive. */
    {
        const char *t = " ID ,Code,NAME,field_id,field_name,level,time_limit,fees,documents,"
                        "steps,where,legal_basis,online,url\na" PFX_CSV_ROW_REST;
        proc_set *s = csv_ok(t, strlen(t));
        CHECK(s && s->n_items == 1);
        proc_free(s);
    }
    /* Empty header cells (Excel's formatted but unused columns) are ignored while they stay
     * empty. */
    {
        const char *t = "id,code,name,field_id,field_name,level,time_limit,fees,documents,steps,"
                        "where,legal_basis,online,url,,\na"
                        ",,Khai sinh,ho-tich,Hộ tịch,Cấp xã,"
                        "Trong ngày,Miễn phí,Tờ khai,Nộp,Một cửa,,full,,,\n";
        proc_set *s = csv_ok(t, strlen(t));
        CHECK(s && s->n_items == 1);
        proc_free(s);
    }
    CSV_BAD("id,code,name,field_id,field_name,level,time_limit,fees,documents,steps,where,"
            "legal_basis,online,url,\na,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ "
            "khai,Nộp,Một cửa,,full,,Ghi chú\n",
            "x.csv:2: column 15: holds \"Ghi chú\" but has no name in the header");
    JSON_BAD("{\"format\": 1, \"fields\": {}, \"procedures\": []}",
             "procs.json: fields: is an object {...}; it must be a list");
    /* Structure. */
    CSV_BAD(PFX_CSV_HDR "a" PFX_CSV_ROW_REST "b,,Kết hôn,ho-tich\n",
            "x.csv:3: 4 cells, but the header has 14 columns");
    CSV_BAD(PFX_CSV_HDR "a" PFX_CSV_ROW_REST "b,,\"Kết hôn,ho-tich,Hộ tịch\n\n",
            "x.csv:3: column name: a cell opened with a double quote \" is never closed");
    CSV_BAD(PFX_CSV_HDR
            "a,,\"Khai\" sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một "
            "cửa,,full,\n",
            "x.csv:2: column name: text after the closing double quote");
    CSV_BAD("\xFF\xFEi\0d\0", "x.csv: is saved as UTF-16");
    {
        static const char t[] = PFX_CSV_HDR "a" PFX_CSV_ROW_REST "b\0,,";
        static const char *const w[] = {"x.csv:3: contains a NUL byte", NULL};
        expect_csv_bad(t, sizeof t - 1, w);
    }
    /* Encoding: Windows-1258 bytes from Excel's legacy CSV; decomposed accents. */
    CSV_BAD(PFX_CSV_HDR "a" PFX_CSV_ROW_REST
                        "b,,K\xe9t h\xf4n,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ "
                        "khai,Nộp,Một cửa,,full,\n",
            "x.csv:3: column name: is not UTF-8 text", "CSV UTF-8 (Comma delimited)");
    CSV_BAD(PFX_CSV_HDR
            "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Mie\xcc\x82\xcc\x83n phí,Tờ "
            "khai,Nộp,Một cửa,,full,\n",
            "x.csv:2: column fees: is not NFC Unicode");
    /* Values. */
    CSV_BAD(PFX_CSV_HDR
            "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,,Nộp,Một cửa,,full,\n",
            "x.csv:2: column documents: empty; list the documents", "\"name | copies\"");
    CSV_BAD(PFX_CSV_HDR "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,\"Tờ khai\n| 01 "
                        "bản\",Nộp,Một cửa,,full,\n",
            "x.csv:2: column documents, item 2: empty");
    CSV_BAD(PFX_CSV_HDR
            "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,,Một cửa,,full,\n",
            "x.csv:2: column steps: empty; list the steps, one per line in the cell");
    CSV_BAD(PFX_CSV_HDR
            "a,,,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một cửa,,full,\n",
            "x.csv:2: column name: empty; every procedure needs its name");
    CSV_BAD(PFX_CSV_HDR
            "a,,\"Khai\nsinh\",ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một "
            "cửa,,full,\n",
            "x.csv:2: column name: contains a line break");
    CSV_BAD(PFX_CSV_HDR
            "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một cửa,,"
            "có,\n",
            "x.csv:2: column online: \"có\" is not one of: full (or \"toàn trình\")");
    CSV_BAD(PFX_CSV_HDR
            "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một cửa,,,\n",
            "x.csv:2: column online: empty");
    CSV_BAD(PFX_CSV_HDR
            "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một cửa,,"
            "full,dichvucong.gov.vn\n",
            "x.csv:2: column url: \"dichvucong.gov.vn\" is not a web address");
    CSV_BAD(PFX_CSV_HDR "Khai Sinh" PFX_CSV_ROW_REST,
            "x.csv:2: column id: \"Khai Sinh\" is not a valid id");
    CSV_BAD(PFX_CSV_HDR
            "a,,Khai sinh,Hộ tịch,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,Một cửa,,"
            "full,\n",
            "x.csv:2: column field_id: \"Hộ tịch\" is not a valid id");
    CSV_BAD(PFX_CSV_HDR "a" PFX_CSV_ROW_REST
                        "b,,Kết hôn,ho-tich,Hộ Tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,Nộp,"
                        "Một cửa,,full,\n",
            "x.csv:3: column field_name: \"Hộ Tịch\", but line 2 names field \"ho-tich\" \"Hộ "
            "tịch\"");
    CSV_BAD(PFX_CSV_HDR "a" PFX_CSV_ROW_REST "b" PFX_CSV_ROW_REST "a" PFX_CSV_ROW_REST,
            "x.csv:4: column id: \"a\" is already used on line 2; ids must be unique");

    /* Line numbers count physical lines: a multi-line quoted cell pushes later records down.
     * Record "a" spans lines 2-5, the blank line is 6, the bad record starts on line 7. */
    const char *multi =
        PFX_CSV_HDR "a,,Khai sinh,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,"
                    "\"Tờ khai\nGiấy chứng sinh\",\"Bước 1\nBước 2\nBước 3\",Một cửa,,"
                    "full,\n"
                    "\n"
                    "b,,Kết hôn,ho-tich,Hộ tịch,Cấp xã,Trong ngày,Miễn phí,Tờ khai,"
                    "\"Nộp\nNhận\",Một cửa,,sometimes,\n";
    CSV_BAD(multi, "x.csv:7: column online: \"sometimes\"");
    /* The same with CRLF everywhere. */
    char crlf[2048];
    size_t o = 0;
    for (const char *c = multi; *c && o + 2 < sizeof crlf; c++) {
        if (*c == '\n')
            crlf[o++] = '\r';
        crlf[o++] = *c;
    }
    crlf[o] = '\0';
    CSV_BAD(crlf, "x.csv:7: column online: \"sometimes\"");
    /* An unterminated quote is reported where its record starts. */
    CSV_BAD(PFX_CSV_HDR "a" PFX_CSV_ROW_REST "\"b\nc,,,\n",
            "x.csv:3: column id: a cell opened with a double quote");
}

/* ---- search ---- */

static int search_ids(proc_index *ix, const proc_set *s, const char *q, char *ids, size_t cap)
{
    size_t out[16];
    int n = proc_search(ix, q, out, HL_ARRAY_LEN(out));
    ids[0] = '\0';
    for (int i = 0; i < n && i < (int)HL_ARRAY_LEN(out); i++) {
        size_t used = strlen(ids);
        util_fmt(ids + used, cap - used, "%s%s", i ? " " : "", s->items[out[i]].id);
    }
    return n;
}

static void test_search(void)
{
    proc_set *s = pfx_load_sample();
    REQUIRE(s);
    proc_index *ix = NULL;
    char err[HL_ERR_MAX] = "", ids[512], ref[512];
    REQUIRE(proc_index_build(&ix, s, err, sizeof err) == 0);

    /* Folded, unfolded, upper case, decomposed: the same answer. */
    CHECK_INT(search_ids(ix, s, "đăng ký khai sinh", ref, sizeof ref), 1);
    CHECK_STR(ref, "dang-ky-khai-sinh");
    static const char *const same[] = {"dang ky khai sinh", "ĐĂNG KÝ KHAI SINH",
                                       "Dang Ky Khai Sinh",
                                       "\xc4\x90"
                                       "a\xcc\x86ng ky\xcc\x81 khai sinh",
                                       "  dang-ky, khai   sinh!"};
    for (size_t i = 0; i < HL_ARRAY_LEN(same); i++) {
        CHECK_INT(search_ids(ix, s, same[i], ids, sizeof ids), 1);
        CHECK_STR(ids, ref);
    }
    /* đ typed as d and as đ. */
    CHECK_INT(search_ids(ix, s, "dang", ids, sizeof ids), 2);
    CHECK_INT(search_ids(ix, s, "đăng", ref, sizeof ref), 2);
    CHECK_STR(ids, ref);
    /* Several words: all must match. */
    CHECK_INT(search_ids(ix, s, "chung thuc ban sao", ids, sizeof ids), 1);
    CHECK_STR(ids, "chung-thuc-ban-sao");
    CHECK_INT(search_ids(ix, s, "khai sinh ban sao", ids, sizeof ids), 0);
    /* The last word is a prefix (results follow each keystroke); the others are whole words. */
    CHECK_INT(search_ids(ix, s, "ket h", ids, sizeof ids), 2);
    CHECK_INT(search_ids(ix, s, "dang ky ket", ids, sizeof ids), 2);
    CHECK_INT(search_ids(ix, s, "dang ky ket hon", ids, sizeof ids), 2);
    CHECK_INT(search_ids(ix, s, "ke hon", ids, sizeof ids), 0);
    CHECK_INT(search_ids(ix, s, "c", ids, sizeof ids), 3);
    CHECK(strncmp(ids, "chung-thuc-ban-sao ", 19) == 0); /* "chứng" in its name */
    /* Ranking: "kết hôn" is the name of one and only a document of the other. */
    CHECK_INT(search_ids(ix, s, "ket hon", ids, sizeof ids), 2);
    CHECK_STR(ids, "dang-ky-ket-hon dang-ky-khai-sinh");
    CHECK_INT(search_ids(ix, s, "chung", ids, sizeof ids), 3);
    CHECK(strncmp(ids, "chung-thuc-ban-sao ", 19) == 0);
    /* Code, field name, body. */
    CHECK_INT(search_ids(ix, s, "1.001193", ids, sizeof ids), 1);
    CHECK_STR(ids, "dang-ky-khai-sinh");
    CHECK_INT(search_ids(ix, s, "ho tich", ids, sizeof ids), 2);
    CHECK_INT(search_ids(ix, s, "200.000 đồng", ids, sizeof ids), 1);
    CHECK_STR(ids, "chung-thuc-ban-sao");
    /* Nothing, and empty queries. */
    CHECK_INT(search_ids(ix, s, "xyzzy", ids, sizeof ids), 0);
    CHECK_INT(search_ids(ix, s, "", ids, sizeof ids), 0);
    CHECK_INT(search_ids(ix, s, "   ", ids, sizeof ids), 0);
    /* More matches than room: the total is still right. */
    size_t one;
    CHECK_INT(proc_search(ix, "dang", &one, 1), 2);
    CHECK_INT(proc_search(ix, "dang", NULL, 0), 2);
    /* Whatever the user types is text, never FTS5 syntax. */
    static const char *const hostile[] = {"\"",        "*",         "NEAR(",         "khai\" OR \"",
                                          "name:khai", "^khai",     "-khai",         "AND",
                                          "OR NOT",    "khai*sinh", "(((",           "'; DROP",
                                          "{name}: x", "\xff\xfe",  "khai NEAR(sinh"};
    for (size_t i = 0; i < HL_ARRAY_LEN(hostile); i++) {
        int n = proc_search(ix, hostile[i], NULL, 0);
        if (n < 0)
            fprintf(stderr, "  query \"%s\" failed\n", hostile[i]);
        CHECK(n >= 0);
    }
    CHECK_INT(search_ids(ix, s, "khai*sinh", ids, sizeof ids), 1);
    CHECK_INT(search_ids(ix, s, "name:khai", ids, sizeof ids), 0); /* "name" is no word there */
    /* The index is reused across searches (prepared statement reset correctly). */
    CHECK_INT(search_ids(ix, s, "khai sinh", ids, sizeof ids), 1);
    proc_index_free(ix);
    proc_free(s);
}

/* A query found in one procedure's name outranks another that has it in both the field and the
 * text (two columns against one), and file order does not decide it. */
static void test_ranking(void)
{
    const char *text =
        PFX_CSV_HDR "cap-trich-luc,,Cấp bản sao trích lục,ho-tich,Hộ tịch,Cấp xã,Trong ngày,"
                    "Miễn phí,Tờ khai,Nộp hồ sơ cho công chức hộ tịch,Một cửa,,full,\n"
                    "cai-chinh,,\"Thay đổi, cải chính hộ tịch\",tu-phap,Tư pháp,Cấp xã,"
                    "Trong ngày,Miễn phí,Tờ khai,Nộp tờ khai,Một cửa,,full,\n";
    proc_set *s = csv_ok(text, strlen(text));
    REQUIRE(s);
    proc_index *ix = NULL;
    char err[HL_ERR_MAX], ids[256];
    REQUIRE(proc_index_build(&ix, s, err, sizeof err) == 0);
    CHECK_INT(search_ids(ix, s, "hộ tịch", ids, sizeof ids), 2);
    CHECK_STR(ids, "cai-chinh cap-trich-luc");
    CHECK_INT(search_ids(ix, s, "ho ti", ids, sizeof ids), 2);
    CHECK_STR(ids, "cai-chinh cap-trich-luc");
    /* Equal scores keep the file's order. */
    CHECK_INT(search_ids(ix, s, "mien phi", ids, sizeof ids), 2);
    CHECK_STR(ids, "cap-trich-luc cai-chinh");
    proc_index_free(ix);
    proc_free(s);
}

static void test_spans(void)
{
    size_t st[8], ln[8];
    const char *t = "Đăng ký khai sinh cho trẻ em";
    /* Đăng = Đ(2) ă(2) n g; ký = k ý(2). */
    int n = proc_match_spans(t, "dang ky kh", st, ln, 8);
    REQUIRE(n == 3);
    CHECK_INT(st[0], 0);
    CHECK_INT(ln[0], 6);
    CHECK_INT(st[1], 7);
    CHECK_INT(ln[1], 3);
    CHECK_INT(st[2], 11);
    CHECK_INT(ln[2], 4);
    CHECK(strncmp(t + st[2], "khai", 4) == 0);
    /* Only the last word is a prefix. */
    n = proc_match_spans(t, "si khai", st, ln, 8);
    REQUIRE(n == 1);
    CHECK(strncmp(t + st[0], "khai", ln[0]) == 0);
    /* Upper-case query, text with punctuation; "trẻ" matched from "TRE". */
    const char *g = "Giấy tờ (của trẻ), trẻ em.";
    n = proc_match_spans(g, "TRE", st, ln, 8);
    REQUIRE(n == 2);
    CHECK_INT(st[0], strstr(g, "trẻ") - g);
    CHECK_INT(ln[0], strlen("trẻ"));
    CHECK_INT(st[1], strstr(g, "trẻ em") - g);
    /* Decomposed text: the marks belong to the word. */
    const char *nfd = "Ke\xcc\x82\xcc\x81t ho\xcc\x82n";
    n = proc_match_spans(nfd, "ket hon", st, ln, 8);
    REQUIRE(n == 2);
    CHECK_INT(st[0], 0);
    CHECK_INT(ln[0], 7);
    CHECK_INT(st[1], 8);
    CHECK_INT(ln[1], 5);
    /* đ, max, nothing. */
    n = proc_match_spans("Đất đai, đường đi", "d", st, ln, 2);
    CHECK_INT(n, 2);
    CHECK_INT(proc_match_spans(t, "", st, ln, 8), 0);
    CHECK_INT(proc_match_spans(t, "xyz", st, ln, 8), 0);
}

/* The demo content shipped in assets/content/ loads and is big enough to be worth searching. */
static void test_demo_file(void)
{
    const char *assets = getenv("HAILONG_ASSETS");
    REQUIRE(assets);
    char path[PATH_MAX * 2], err[HL_ERR_MAX] = "";
    util_fmt(path, sizeof path, "%s/content/procedures.json", assets);
    proc_set *s = NULL;
    int rc = proc_load(&s, path, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    REQUIRE(rc == 0 && s);
    CHECK(s->n_items >= 25);
    proc_index *ix = NULL;
    CHECK_INT(proc_index_build(&ix, s, err, sizeof err), 0);
    CHECK(proc_search(ix, "khai sinh", NULL, 0) >= 1);
    /* Issue 13: a whole word ranks above a word it begins ("tu" in "tuổi"): "khai tu" finds
     * "Đăng ký khai tử" first, not the birth procedure for children under 6 (dưới 6 tuổi). */
    size_t first[2];
    CHECK(proc_search(ix, "khai tu", first, 2) >= 2);
    CHECK_STR(s->items[first[0]].id, "dang-ky-khai-tu");
    CHECK(proc_search(ix, "khai tuo", first, 1) >= 1); /* still typing: the prefix finds it */
    CHECK_STR(s->items[first[0]].id, "lien-thong-khai-sinh");
    proc_index_free(ix);
    proc_free(s);
}

/* \u0000 in procedures.json (or a JSON to import) is refused naming the record and field: cJSON
 * would keep only the text before it. */
static void test_json_nul(void)
{
    JSON_BAD(DOC(PFX_PROC("a", "Khai sinh") ",\n" PFX_PROC("b", "Kết hôn\\u0000<script>")),
             "procs.json:6:", "procedures[1].name: holds \\u0000 (a NUL character)", "remove it");
    JSON_BAD("{\"format\": 1, \"fields\": [{\"id\": \"ho-tich\", \"name\": \"Hộ\\u0000\"}], "
             "\"procedures\": []}",
             "procs.json:1:", "fields[0].name: holds \\u0000");
    /* The same through proc_import: nothing is written. */
    char src[PATH_MAX], dest[PATH_MAX], err[HL_ERR_MAX] = "";
    test_path(src, sizeof src, test_root, "nul-import.json");
    test_path(dest, sizeof dest, test_root, "nul-procedures.json");
    test_write_text(src, DOC(PFX_PROC("a", "Khai\\u0000 sinh")));
    CHECK_INT(proc_import(src, dest, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "nul-import.json:");
    CHECK_CONTAINS(err, "procedures[0].name: holds \\u0000");
    CHECK(!util_file_exists(dest));
}

/* procedures.json and an import source are read with a limit (PROC_FILE_MAX, 16 MiB): /dev/zero or
 * a larger file is refused at once, naming the file and the limit (before: 2 GiB, then abort). */
static void test_too_big(void)
{
    char big[PATH_MAX], dest[PATH_MAX], err[HL_ERR_MAX] = "";
    proc_set *s = (proc_set *)&s;
    CHECK_INT(proc_load(&s, "/dev/zero", err, sizeof err), HL_EXIT_USAGE);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "/dev/zero: cannot open: larger than 16 MiB; is it the right file?");
    test_path(big, sizeof big, test_root, "big-procedures.json");
    test_write_text(big, "{}");
    REQUIRE(truncate(big, PROC_FILE_MAX + 1) == 0); /* sparse: no disk used */
    s = (proc_set *)&s;
    CHECK_INT(proc_load(&s, big, err, sizeof err), HL_EXIT_USAGE);
    CHECK(s == NULL);
    CHECK_CONTAINS(err, "big-procedures.json: cannot open: larger than 16 MiB");

    test_path(dest, sizeof dest, test_root, "big-dest.json");
    CHECK_INT(proc_import("/dev/zero", dest, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "/dev/zero: cannot open: larger than 16 MiB");
    CHECK_INT(proc_import(big, dest, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "big-procedures.json: cannot open: larger than 16 MiB");
    CHECK(!util_file_exists(dest));
}

static const test_case cases[] = {
    TEST(test_fold),           TEST(test_json_good),  TEST(test_json_errors),
    TEST(test_csv_quoting),    TEST(test_csv_sample), TEST(test_csv_errors),
    TEST(test_search),         TEST(test_ranking),    TEST(test_spans),
    TEST(test_demo_file),      TEST(test_json_nul),   TEST(test_too_big),
    TEST(test_channels_and_qr)};

int main(void)
{
    return test_main("proc", TEST_KEEP_FAILED, cases, HL_ARRAY_LEN(cases));
}
