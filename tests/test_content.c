/* test_content: the bundled demo content loads with the plan's exact slogans; each kind of bad
 * file is refused whole (exit code 2, nothing returned) with a message naming file and field;
 * missing photos only warn; content_check_config catches config keys that do not match. */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "content.h"
#include "log.h"
#include "rating.h"
#include "test.h"
#include "util.h"

static char demo_dir[PATH_MAX];

/* Warnings captured through the log hook. */
static char warnings[8][HL_ERR_MAX];
static int n_warnings;

static void capture(log_level level, const char *msg, void *ctx)
{
    (void)ctx;
    if (level >= LOG_WARN && n_warnings < (int)HL_ARRAY_LEN(warnings))
        util_strlcpy(warnings[n_warnings++], msg, sizeof warnings[0]);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *text = util_read_file(from, &len);
    if (!text) {
        perror(from);
        exit(1);
    }
    test_write_file(to, text, len);
    free(text);
}

/* A fresh copy of the demo content (photos linked, not copied) in its own folder. */
static void make_copy(char *dir, size_t cap)
{
    static const char *const files[] = {"commune.json", "slogans.json", "officers.json",
                                        "reasons.json"};
    test_new_dir(dir, cap);
    char from[PATH_MAX * 2], to[PATH_MAX * 2];
    for (size_t i = 0; i < HL_ARRAY_LEN(files); i++) {
        util_fmt(from, sizeof from, "%s/%s", demo_dir, files[i]);
        util_fmt(to, sizeof to, "%s/%s", dir, files[i]);
        copy_file(from, to);
    }
    util_fmt(from, sizeof from, "%s/photos", demo_dir);
    util_fmt(to, sizeof to, "%s/photos", dir);
    if (symlink(from, to) != 0) {
        perror(to);
        exit(1);
    }
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX * 2];
    util_fmt(path, sizeof path, "%s/%s", dir, name);
    test_write_file(path, text, strlen(text));
}

/* Loads a demo copy with one file replaced; it must be refused with every piece of want. */
static void expect_bad(const char *name, const char *text, const char *const *want)
{
    char dir[PATH_MAX], err[HL_ERR_MAX] = "";
    make_copy(dir, sizeof dir);
    if (text)
        put(dir, name, text);
    else {
        char path[PATH_MAX * 2];
        util_fmt(path, sizeof path, "%s/%s", dir, name);
        unlink(path);
    }
    content *c = (content *)&c; /* not NULL, so the test sees that the loader cleared it */
    int rc = content_load(&c, dir, err, sizeof err);
    CHECK_INT(rc, HL_EXIT_USAGE);
    CHECK(c == NULL);
    if (c)
        content_free(c);
    for (size_t i = 0; want[i]; i++)
        CHECK_CONTAINS(err, want[i]);
}
#define EXPECT_BAD(name, text, ...) expect_bad(name, text, (const char *const[]){__VA_ARGS__, NULL})

/* A small valid officers.json; tests change one line of it. Line numbers matter below. */
#define OFFICERS_HEAD "{\n  \"format\": 1,\n  \"officers\": [\n"

#define OFFICER_A "    {\"code\": \"a\", \"name\": \"Nguyễn Văn An\", \"title\": \"Công chức\"},\n"
#define OFFICER_B_LAST                                                                             \
    "    {\"code\": \"b\", \"name\": \"Trần Thị Bình\", \"title\": \"Công chức\"}\n"
#define OFFICERS_TAIL "  ]\n}\n"

static void test_demo_loads(void)
{
    char err[HL_ERR_MAX] = "";
    content *c = NULL;
    n_warnings = 0;
    int rc = content_load(&c, demo_dir, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    REQUIRE(rc == 0 && c != NULL);
    CHECK_INT(n_warnings, 0); /* the demo starts clean: every photo exists */

    CHECK_STR(c->commune_name, "UBND xã Bom Bo");
    CHECK_STR(c->desk_name, "Bộ phận Một cửa");
    CHECK_INT(c->sample, 1); /* the screens mark it "Dữ liệu mẫu" */
    CHECK_STR(c->headline, "Chính quyền thân thiện, vì Nhân dân phục vụ");
    /* The desk's own entry: a vote for the whole desk, never one of the officers. */
    CHECK(content_find_voted(c, RATING_DESK_CODE) == &c->desk);
    CHECK(content_find_officer(c, RATING_DESK_CODE) == NULL);
    CHECK_STR(c->desk.name, "Không nhớ tên cán bộ");
    CHECK_STR(c->desk.title, "Đánh giá chung cho cả Bộ phận Một cửa");
    CHECK_STR(c->msg.thanks_title, "Cảm ơn ông/bà!");
    CHECK_STR(c->msg.apology_title, "Chúng tôi xin lỗi ông/bà");
    CHECK_CONTAINS(c->msg.apology_text, "Chủ tịch UBND xã");
    const char *msgs[] = {c->msg.rate_prompt, c->msg.pick_prompt,  c->msg.reasons_prompt,
                          c->msg.thanks_text, c->msg.apology_text, c->msg.error_title,
                          c->msg.error_text,  c->address,          c->hotline};
    for (size_t i = 0; i < HL_ARRAY_LEN(msgs); i++)
        CHECK(msgs[i] && msgs[i][0]);

    /* The plan's slogans, word for word (with "lịch sự" spelt right). */
    const content_slogan *s = content_find_slogan(c, "nam-biet");
    REQUIRE(s);
    CHECK_STR(s->title, "Năm biết");
    CHECK_STR(s->text, "Biết nghe dân nói, biết nói dân hiểu, biết làm dân tin, biết xin lỗi và "
                       "biết cảm ơn");
    s = content_find_slogan(c, "bon-luon");
    REQUIRE(s);
    CHECK_STR(s->title, "Bốn luôn");
    CHECK_STR(s->text, "Luôn mỉm cười, luôn nhẹ nhàng, luôn thấu hiểu và luôn giúp đỡ");
    s = content_find_slogan(c, "trong-dan");
    REQUIRE(s);
    CHECK_STR(s->title, "Phương châm");
    CHECK_STR(s->text, "Trọng dân, gần dân, hiểu dân, học dân và có trách nhiệm với dân");
    CHECK_STR(s->short_text, "");
    s = content_find_slogan(c, "ba-the-hien");
    REQUIRE(s);
    CHECK_STR(s->title, "Ba thể hiện");
    CHECK_STR(s->short_text, "Tôn trọng, văn minh, gần gũi");
    CHECK_STR(s->text, "Tôn trọng (trong quan hệ giao tiếp), văn minh (lịch sự, văn hóa trong "
                       "giao tiếp, giải quyết công việc), gần gũi (trong quan hệ, giải quyết "
                       "công việc nhanh chóng, không quan cách, trịnh thượng, xa cách)");
    s = content_find_slogan(c, "trach-nhiem");
    REQUIRE(s);
    CHECK_STR(s->text, "Trách nhiệm - kỷ cương - gương mẫu");
    s = content_find_slogan(c, "dan-chu");
    REQUIRE(s);
    CHECK_STR(s->text, "Dân chủ - nhanh gọn - thân thiện");
    CHECK(content_find_slogan(c, "nope") == NULL);

    CHECK_INT(c->n_officers, 6);
    for (size_t i = 0; i < c->n_officers; i++) {
        const content_officer *o = &c->officers[i];
        CHECK(o->name[0] && o->title[0] && o->counter[0] && o->phone[0]);
        REQUIRE(o->photo != NULL);
        CHECK(o->photo[0] == '/');
        CHECK(util_file_exists(o->photo));
        CHECK(content_find_officer(c, o->code) == o);
    }

    /* Issue 13: "Chậm trễ" split into waiting and late results; papers not required, bother. */
    static const char *const codes[] = {"cham-tre", "tre-hen",  "huong-dan", "giay-to",
                                        "thai-do",  "phien-ha", "di-lai",    "khac"};
    static const char *const labels[] = {
        "Phải chờ lâu",          "Trả kết quả trễ hẹn",
        "Hướng dẫn chưa rõ",     "Bị yêu cầu thêm giấy tờ không đúng quy định",
        "Thái độ chưa tốt",      "Gây phiền hà",
        "Phải đi lại nhiều lần", "Khác"};
    REQUIRE(c->n_reasons == HL_ARRAY_LEN(codes));
    for (size_t i = 0; i < HL_ARRAY_LEN(codes); i++) {
        CHECK_STR(c->reasons[i].code, codes[i]);
        CHECK_STR(c->reasons[i].label, labels[i]);
        CHECK(content_find_reason(c, codes[i]) == &c->reasons[i]);
    }

    /* The default config's slogans all exist. */
    cfg conf;
    cfg_defaults(&conf);
    CHECK_INT(content_check_config(c, &conf, err, sizeof err), 0);
    content_free(c);
}

/* The shipped example configs work with the shipped content. */
static void test_demo_configs(void)
{
    char err[HL_ERR_MAX] = "", path[PATH_MAX * 2];
    content *c = NULL;
    REQUIRE(content_load(&c, demo_dir, err, sizeof err) == 0);
    cfg conf;
    util_fmt(path, sizeof path, "%s/demo/desk.ini", getenv("HAILONG_ASSETS"));
    cfg_defaults(&conf);
    CHECK_INT(cfg_load(&conf, path, err, sizeof err), 0);
    CHECK_INT(content_check_config(c, &conf, err, sizeof err), 0);
    const content_officer *o = content_desk_officer(c, &conf);
    CHECK(o && strcmp(o->counter, conf.counter) == 0);

    util_fmt(path, sizeof path, "%s/demo/lobby.ini", getenv("HAILONG_ASSETS"));
    cfg_defaults(&conf);
    CHECK_INT(cfg_load(&conf, path, err, sizeof err), 0);
    CHECK_INT(content_check_config(c, &conf, err, sizeof err), 0);
    CHECK(content_desk_officer(c, &conf) == NULL);
    content_free(c);
}

static void test_syntax_errors(void)
{
    /* Missing comma at the end of line 4: cJSON stops at the next object, line 5 column 5. */
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD "    {\"code\": \"a\", \"name\": \"Nguyễn Văn An\", \"title\": \"Công "
                             "chức\"}\n" OFFICER_B_LAST OFFICERS_TAIL,
               "officers.json:5:5: JSON syntax error near \"{\"code\": \"b\"");
    /* Columns count characters, not bytes: the error after "Bom Bo" on a line with accents. */
    EXPECT_BAD("commune.json", "{\n  \"commune_name\": \"UBND xã Bom Bo\" x\n}\n",
               "commune.json:2:36: JSON syntax error near \"x\"");
    EXPECT_BAD("slogans.json", "{\n  \"format\": 1,\n  \"slogans\": [\n",
               "slogans.json:4:1: JSON syntax error near the end of the file");
    EXPECT_BAD("reasons.json", "", "reasons.json:1:1: JSON syntax error");
    EXPECT_BAD("reasons.json", "\xff\xfe{\0\"\0",
               "reasons.json: is saved as UTF-16; save it as "
               "UTF-8");
}

static void test_bad_fields(void)
{
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD OFFICER_A
               "    {\"code\": \"b\", \"title\": \"Công chức\"}\n" OFFICERS_TAIL,
               "officers.json: officers[1].name: missing; every officer needs a name");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD
               "    {\"code\": \"a\", \"name\": 42, \"title\": \"Công chức\"}\n" OFFICERS_TAIL,
               "officers.json: officers[0].name: is a number; write it as text");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD
               "    {\"code\": \"a\", \"name\": \"  \", \"title\": \"Công chức\"}\n" OFFICERS_TAIL,
               "officers.json: officers[0].name: empty; every officer needs a name");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD OFFICER_A
               "    {\"code\": \"b\", \"name\": \"Bình\", \"title\": \"\"}\n" OFFICERS_TAIL,
               "officers.json: officers[1].title: empty");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD OFFICER_A "    {\"code\": \"b\", \"name\": \"Bình\", \"title\": "
                                       "\"CC\", \"phnoe\": \"1\"}\n" OFFICERS_TAIL,
               "officers.json: officers[1].phnoe: unknown field");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD OFFICER_A "    {\"code\": \"b\", \"name\": \"Bình\", \"title\": "
                                       "\"CC\", \"name\": \"X\"}\n" OFFICERS_TAIL,
               "officers.json: officers[1].name: appears twice");
    EXPECT_BAD("officers.json", OFFICERS_HEAD "    \"a\"\n" OFFICERS_TAIL,
               "officers.json: officers[0]: is text; each entry must be an object");
    EXPECT_BAD("officers.json", "{\n  \"format\": 1,\n  \"officers\": []\n}\n",
               "officers.json: officers: empty; list at least one");
    EXPECT_BAD("officers.json", "{\n  \"format\": 1\n}\n", "officers.json: officers: missing");
    EXPECT_BAD("officers.json", "{\n  \"format\": 1,\n  \"officers\": {}\n}\n",
               "officers.json: officers: is an object {...}; it must be a list");
    EXPECT_BAD("officers.json", "[]\n", "officers.json: the top level is a list");
    EXPECT_BAD("officers.json", "{\n  \"officers\": [\n" OFFICER_B_LAST OFFICERS_TAIL,
               "officers.json: format: missing; add \"format\": 1");
    EXPECT_BAD("officers.json",
               "{\n  \"format\": 2,\n  \"officers\": [\n" OFFICER_B_LAST OFFICERS_TAIL,
               "officers.json: format: must be 1");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD OFFICER_A
               "    {\"code\": \"b\", \"name\": \"Bình\", \"title\": \"CC\", \"counter\": "
               "\"12345678901234567890123456789012\"}\n" OFFICERS_TAIL,
               "officers.json: officers[1].counter: too long");

    EXPECT_BAD("slogans.json", "{\n  \"format\": 1,\n  \"slogans\": []\n}\n",
               "slogans.json: slogans: empty; list at least one");
    EXPECT_BAD("slogans.json", "{\"format\": 1, \"slogans\": [{\"id\": \"x\", \"title\": \"T\"}]}",
               "slogans.json: slogans[0].text: missing; every slogan needs its text");

    EXPECT_BAD("commune.json",
               "{\"format\": 1, \"commune_name\": \"UBND xã\", \"desk_name\": \"Một cửa\"}",
               "commune.json: messages: missing");
    /* A demo commune.json without its thanks_title. */
    char *text = NULL;
    {
        char path[PATH_MAX * 2];
        util_fmt(path, sizeof path, "%s/commune.json", demo_dir);
        text = util_read_file(path, NULL);
        REQUIRE(text);
        char *p = strstr(text, "\"thanks_title\"");
        REQUIRE(p);
        memcpy(p, "\"thanks_titel\"", 14);
    }
    EXPECT_BAD("commune.json", text, "commune.json: messages.thanks_titel: unknown field");
    free(text);
    EXPECT_BAD("commune.json",
               "{\"format\": 1, \"sample\": \"yes\", \"commune_name\": \"UBND xã\", "
               "\"desk_name\": \"Một cửa\"}",
               "commune.json: sample: is text; write true");

    EXPECT_BAD("reasons.json", NULL, "reasons.json: cannot open: No such file or directory");
}

static void test_codes(void)
{
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD
               "    {\"code\": \"tp hung\", \"name\": \"Hùng\", \"title\": \"CC\"}\n" OFFICERS_TAIL,
               "officers.json: officers[0].code: \"tp hung\" is not a valid code");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD
               "    {\"code\": \"abcdefghijabcdefghijabcdefghijab\", \"name\": \"H\", "
               "\"title\": \"CC\"}\n" OFFICERS_TAIL,
               "officers.json: officers[0].code:", "is not a valid code");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD OFFICER_A
               "    {\"code\": \"a\", \"name\": \"Bình\", \"title\": \"CC\"}\n" OFFICERS_TAIL,
               "officers.json: officers[1].code: \"a\" is already used by officers[0]");
    /* '_' starts the kiosk's own codes: "_desk" is the vote for the whole desk. */
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD
               "    {\"code\": \"_desk\", \"name\": \"H\", \"title\": \"CC\"}\n" OFFICERS_TAIL,
               "officers.json: officers[0].code: \"_desk\" starts with '_'");
    EXPECT_BAD("slogans.json",
               "{\"format\": 1, \"slogans\": [{\"id\": \"x\", \"title\": \"T\", \"short\": 3, "
               "\"text\": \"A\"}]}",
               "slogans.json: slogans[0].short: is a number");
    EXPECT_BAD("slogans.json",
               "{\"format\": 1, \"slogans\": [{\"id\": \"x\", \"title\": \"T\", \"text\": \"A\"},"
               " {\"id\": \"x\", \"title\": \"T\", \"text\": \"B\"}]}",
               "slogans.json: slogans[1].id: \"x\" is already used by slogans[0]");
    EXPECT_BAD("reasons.json",
               "{\"format\": 1, \"reasons\": [{\"code\": \"khac\", \"label\": \"Khác\"},"
               " {\"code\": \"khac\", \"label\": \"Khác nữa\"}]}",
               "reasons.json: reasons[1].code: \"khac\" is already used by reasons[0]");
    EXPECT_BAD("reasons.json",
               "{\"format\": 1, \"reasons\": [{\"code\": \"chậm\", \"label\": \"Chậm\"}]}",
               "reasons.json: reasons[0].code: \"chậm\" is not a valid code");
}

static void test_unicode(void)
{
    /* "Hoà" with the grave accent as a separate combining mark (U+0300): not NFC. */
    EXPECT_BAD(
        "officers.json",
        OFFICERS_HEAD
        "    {\"code\": \"a\", \"name\": \"Hoa\xcc\x80\", \"title\": \"CC\"}\n" OFFICERS_TAIL,
        "officers.json: officers[0].name: is not NFC Unicode", "save the file as UTF-8 NFC");
    /* The same through a JSON escape. */
    EXPECT_BAD("reasons.json",
               "{\"format\": 1, \"reasons\": [{\"code\": \"a\", \"label\": \"Hoa\\u0300\"}]}",
               "reasons.json: reasons[0].label: is not NFC Unicode");
    /* Invalid UTF-8: a lone continuation byte, and Latin-1 "à". */
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD
               "    {\"code\": \"a\", \"name\": \"An\x80\", \"title\": \"CC\"}\n" OFFICERS_TAIL,
               "officers.json: officers[0].name: is not valid UTF-8", "save the file as UTF-8");
    EXPECT_BAD("slogans.json",
               "{\"format\": 1, \"slogans\": [{\"id\": \"x\", \"title\": \"Ho\xe0\", \"text\": "
               "\"A\"}]}",
               "slogans.json: slogans[0].title: is not valid UTF-8");
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD
               "    {\"code\": \"a\", \"name\": \"An\\tB\", \"title\": \"CC\"}\n" OFFICERS_TAIL,
               "officers.json: officers[0].name: contains a control character");
    /* A NUL through the \u0000 escape: cJSON would cut the name at it ("tp-hung<script>" would
     * load as "tp-hung"); refused with the place. An escaped backslash before u0000 is text. */
    EXPECT_BAD("officers.json",
               OFFICERS_HEAD "    {\"code\": \"a\", \"name\": \"An\\u0000<script>\", \"title\": "
                             "\"CC\"}\n" OFFICERS_TAIL,
               "officers.json:4:30: officers[0].name: holds \\u0000 (a NUL character)");
}

/* Writes one file of a demo copy and loads it: 0 and the content, or the error in err. */
static int load_with(const char *name, const char *text, char *err)
{
    char dir[PATH_MAX];
    make_copy(dir, sizeof dir);
    put(dir, name, text);
    content *c = NULL;
    err[0] = '\0';
    int rc = content_load(&c, dir, err, HL_ERR_MAX);
    if (c)
        content_free(c);
    return rc;
}

/* \u0000 in any content file is refused naming the file, the place and the field (cJSON would
 * keep only the text before it: "Khác\u0000<script>" would load as "Khác"). */
static void test_nul_escape(void)
{
    EXPECT_BAD("slogans.json",
               "{\"format\": 1, \"slogans\": [{\"id\": \"x\", \"title\": \"T\", \"text\": "
               "\"A\"},\n {\"id\": \"y\", \"title\": \"T\", \"text\": \"Bốn\\u0000luôn\"}]}",
               "slogans.json:2:", "slogans[1].text: holds \\u0000 (a NUL character)", "remove it");
    EXPECT_BAD("reasons.json",
               "{\"format\": 1, \"reasons\": [{\"code\": \"khac\", \"label\": "
               "\"Khác\\u0000<script>\"}]}",
               "reasons.json:1:", "reasons[0].label: holds \\u0000");
    /* The same in a field's name: the object holding it is named. */
    EXPECT_BAD("reasons.json",
               "{\"format\": 1, \"reasons\": [{\"code\\u0000x\": \"khac\", \"label\": \"K\"}]}",
               "reasons.json:1:", "reasons[0]: a field name: holds \\u0000");
    /* commune.json: a top-level field and one inside "messages". */
    char err[HL_ERR_MAX], path[PATH_MAX * 2];
    util_fmt(path, sizeof path, "%s/commune.json", demo_dir);
    size_t len;
    char *text = util_read_file(path, &len);
    REQUIRE(text != NULL);
    char *at = strstr(text, "UBND xã Bom Bo\"");
    REQUIRE(at != NULL);
    size_t head = (size_t)(at - text) + strlen("UBND xã");
    char *bad = xmalloc(len + 8);
    util_fmt(bad, len + 8, "%.*s\\u0000%s", (int)head, text, text + head);
    CHECK_INT(load_with("commune.json", bad, err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "commune.json:5:");
    CHECK_CONTAINS(err, ": commune_name: holds \\u0000");
    at = strstr(text, "\"rate_prompt\": \"");
    REQUIRE(at != NULL);
    head = (size_t)(at - text) + strlen("\"rate_prompt\": \"");
    util_fmt(bad, len + 8, "%.*s\\u0000%s", (int)head, text, text + head);
    CHECK_INT(load_with("commune.json", bad, err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, ": messages.rate_prompt: holds \\u0000");
    free(bad);
    free(text);
    /* An escaped backslash before "u0000" is the six characters \u0000, which may stay. */
    CHECK_INT(load_with("reasons.json",
                        "{\"format\": 1, \"reasons\": [{\"code\": \"khac\", \"label\": "
                        "\"Khác \\\\u0000\"}]}",
                        err),
              0);
    CHECK_STR(err, "");
}

/* Content files are read with a limit (4 MiB): one pointed at /dev/zero or a huge file is
 * refused at once, naming the file and the limit, instead of 2 GiB allocated and an abort. */
static void test_too_big(void)
{
    static const char *const names[] = {"officers.json", "slogans.json", "reasons.json",
                                        "commune.json"};
    for (size_t i = 0; i < HL_ARRAY_LEN(names); i++) {
        char dir[PATH_MAX], path[PATH_MAX * 2], err[HL_ERR_MAX] = "";
        make_copy(dir, sizeof dir);
        util_fmt(path, sizeof path, "%s/%s", dir, names[i]);
        REQUIRE(unlink(path) == 0 && symlink("/dev/zero", path) == 0);
        content *c = (content *)&c;
        CHECK_INT(content_load(&c, dir, err, sizeof err), HL_EXIT_USAGE);
        CHECK(c == NULL);
        CHECK_CONTAINS(err, names[i]);
        CHECK_CONTAINS(err, "cannot open: larger than 4 MiB; is it the right file?");
    }
    /* A regular file one byte over the limit (sparse: it costs no disk). */
    char dir[PATH_MAX], path[PATH_MAX * 2], err[HL_ERR_MAX] = "";
    make_copy(dir, sizeof dir);
    util_fmt(path, sizeof path, "%s/officers.json", dir);
    REQUIRE(truncate(path, 4 * 1024 * 1024 + 1) == 0);
    content *c = (content *)&c;
    CHECK_INT(content_load(&c, dir, err, sizeof err), HL_EXIT_USAGE);
    CHECK(c == NULL);
    CHECK_CONTAINS(err, "/officers.json: cannot open: larger than 4 MiB");
}

static void test_reason_counts(void)
{
    /* Zero reasons is allowed (the kiosk then skips the reasons screen); 32 fit; 33 do not. */
    char dir[PATH_MAX], err[HL_ERR_MAX] = "";
    make_copy(dir, sizeof dir);
    put(dir, "reasons.json", "{\"format\": 1, \"reasons\": []}\n");
    content *c = NULL;
    CHECK_INT(content_load(&c, dir, err, sizeof err), 0);
    REQUIRE(c);
    CHECK_INT(c->n_reasons, 0);
    CHECK(content_find_reason(c, "khac") == NULL);
    content_free(c);

    char text[8192] = "{\"format\": 1, \"reasons\": [";
    for (int i = 0; i < CONTENT_MAX_REASONS + 1; i++) {
        size_t used = strlen(text);
        util_fmt(text + used, sizeof text - used, "%s{\"code\": \"r%d\", \"label\": \"Lý do %d\"}",
                 i ? ", " : "", i, i);
        if (i == CONTENT_MAX_REASONS - 1) {
            char dir32[PATH_MAX];
            make_copy(dir32, sizeof dir32);
            char full[8300];
            util_fmt(full, sizeof full, "%s]}", text);
            put(dir32, "reasons.json", full);
            CHECK_INT(content_load(&c, dir32, err, sizeof err), 0);
            REQUIRE(c);
            CHECK_INT(c->n_reasons, CONTENT_MAX_REASONS);
            content_free(c);
        }
    }
    size_t used = strlen(text);
    util_fmt(text + used, sizeof text - used, "]}");
    EXPECT_BAD("reasons.json", text, "reasons.json: reasons: 33 entries; at most 32");
}

static void test_missing_photo(void)
{
    char dir[PATH_MAX], err[HL_ERR_MAX] = "";
    make_copy(dir, sizeof dir);
    put(dir, "officers.json",
        "{\n  \"format\": 1,\n  \"officers\": [\n"
        "    {\"code\": \"a\", \"name\": \"An\", \"title\": \"CC\", \"photo\": \"\"},\n"
        "    {\"code\": \"b\", \"name\": \"Bình\", \"title\": \"CC\", \"photo\": "
        "\"photos/nope.svg\"},\n"
        "    {\"code\": \"c\", \"name\": \"Chi\", \"title\": \"CC\", \"photo\": "
        "\"photos/vp-lan.svg\"},\n"
        "    {\"code\": \"d\", \"name\": \"Dũng\", \"title\": \"CC\"}\n"
        "  ]\n}\n");
    n_warnings = 0;
    content *c = NULL;
    int rc = content_load(&c, dir, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    REQUIRE(rc == 0 && c);
    REQUIRE(c->n_officers == 4);
    CHECK(c->officers[0].photo == NULL);
    CHECK(c->officers[1].photo == NULL);
    CHECK(c->officers[2].photo != NULL && util_file_exists(c->officers[2].photo));
    CHECK(c->officers[3].photo == NULL);
    CHECK_INT(n_warnings, 1);
    CHECK_CONTAINS(warnings[0], "officers.json: officers[1].photo:");
    CHECK_CONTAINS(warnings[0], "photos/nope.svg not found; a placeholder is shown");
    /* Optional fields default to "", never NULL, so the UI need not check. */
    CHECK_STR(c->officers[3].phone, "");
    CHECK_STR(c->officers[3].counter, "");
    content_free(c);
}

static void test_missing_dir(void)
{
    char dir[PATH_MAX], err[HL_ERR_MAX] = "";
    util_fmt(dir, sizeof dir, "%s/no-such-content", test_root);
    content *c = (content *)&c;
    CHECK_INT(content_load(&c, dir, err, sizeof err), HL_EXIT_USAGE);
    CHECK(c == NULL);
    CHECK_CONTAINS(err, "no-such-content: cannot open the content folder: No such file");
}

/* Writes an INI, loads it, and checks it against the demo content. */
static int check_ini(const content *c, const char *text, char *err)
{
    char path[PATH_MAX];
    util_fmt(path, sizeof path, "%s/site.ini", test_root);
    test_write_file(path, text, strlen(text));
    cfg conf;
    cfg_defaults(&conf);
    if (cfg_load(&conf, path, err, HL_ERR_MAX) != 0) {
        fprintf(stderr, "unexpected config error: %s\n", err);
        return -1;
    }
    err[0] = '\0';
    return content_check_config(c, &conf, err, HL_ERR_MAX);
}

static void test_check_config(void)
{
    char err[HL_ERR_MAX] = "";
    content *c = NULL;
    REQUIRE(content_load(&c, demo_dir, err, sizeof err) == 0);

    CHECK_INT(check_ini(c, "[kiosk]\nmode = lobby\n", err), 0);
    CHECK_INT(check_ini(c, "[content]\nslogans = dan-chu, trach-nhiem\n", err), 0);
    /* What the demo content refuses, and the message: the line, then what to do. */
    static const struct {
        const char *ini, *line, *todo;
    } bad[] = {
        {"[content]\nslogans = nam-biet, nam-bet\n",
         "site.ini: [content] slogans: \"nam-bet\" is not in",
         "slogans.json; the ids there are nam-biet, bon-luon"},
        {"[kiosk]\nmode = desk\n", "site.ini: [kiosk] mode: desk mode needs", "set counter = N"},
        {"[kiosk]\nmode = desk\nofficer = nobody\n",
         "site.ini: [kiosk] officer: \"nobody\" is not in",
         "officers.json; use one of the codes there: vp-lan, tp-hung"},
        {"[kiosk]\nmode = desk\ncounter = 9\n", "site.ini: [kiosk] counter: no officer in",
         "sits at counter \"9\"; the counters there are 1, 2, 3, 4"},
        /* Two officers share counter 2 in the demo: the kiosk must be told which one it rates. */
        {"[kiosk]\nmode = desk\ncounter = 2\n",
         "site.ini: [kiosk] counter: 2 officers sit at counter \"2\" (tp-hung, tp-ha); "
         "set officer = CODE",
         "set officer = CODE"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++) {
        CHECK_INT(check_ini(c, bad[i].ini, err), HL_EXIT_USAGE);
        CHECK_CONTAINS(err, bad[i].line);
        CHECK_CONTAINS(err, bad[i].todo);
    }

    CHECK_INT(check_ini(c, "[kiosk]\nmode = desk\ncounter = 2\nofficer = tp-ha\n", err), 0);
    CHECK_INT(check_ini(c, "[kiosk]\nmode = desk\nofficer = dc-minh\n", err), 0);
    CHECK_INT(check_ini(c, "[kiosk]\nmode = desk\ncounter = 1\n", err), 0);

    /* content_desk_officer agrees with the checks. */
    cfg conf;
    cfg_defaults(&conf);
    conf.mode = CFG_MODE_DESK;
    util_strlcpy(conf.counter, "1", sizeof conf.counter);
    const content_officer *o = content_desk_officer(c, &conf);
    CHECK(o && strcmp(o->code, "vp-lan") == 0);
    util_strlcpy(conf.officer, "tp-ha", sizeof conf.officer);
    o = content_desk_officer(c, &conf);
    CHECK(o && strcmp(o->code, "tp-ha") == 0);
    conf.officer[0] = '\0';
    util_strlcpy(conf.counter, "2", sizeof conf.counter);
    CHECK(content_desk_officer(c, &conf) == NULL);
    conf.mode = CFG_MODE_LOBBY;
    util_strlcpy(conf.counter, "1", sizeof conf.counter);
    CHECK(content_desk_officer(c, &conf) == NULL);

    /* Without a file the message still says where the setting came from. */
    cfg_defaults(&conf);
    conf.mode = CFG_MODE_DESK;
    CHECK_INT(content_check_config(c, &conf, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "config (defaults): [kiosk] mode:");
    content_free(c);
}

static const test_case cases[] = {
    TEST(test_demo_loads),    TEST(test_demo_configs),  TEST(test_syntax_errors),
    TEST(test_bad_fields),    TEST(test_codes),         TEST(test_unicode),
    TEST(test_reason_counts), TEST(test_missing_photo), TEST(test_missing_dir),
    TEST(test_check_config),  TEST(test_nul_escape),    TEST(test_too_big)};

int main(void)
{
    const char *assets = getenv("HAILONG_ASSETS");
    if (!assets) {
        fprintf(stderr, "HAILONG_ASSETS is not set (ctest sets it)\n");
        return 1;
    }
    util_fmt(demo_dir, sizeof demo_dir, "%s/content", assets);
    log_set_hook(capture, NULL);
    int rc = test_main("content", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
    log_set_hook(NULL, NULL);
    return rc;
}
