/* test_config: the INI loader: defaults, a full file, relative paths, and every kind of bad input
 * giving "FILE:LINE: [section] key: ..." with exit code 2 and the caller's cfg left alone. */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "test.h"
#include "util.h"

/* Writes test_root/name and loads it over the defaults. */
static int load_ini(cfg *c, const char *name, const char *text, char *err)
{
    char path[PATH_MAX];
    util_fmt(path, sizeof path, "%s/%s", test_root, name);
    test_write_file(path, text, strlen(text));
    cfg_defaults(c);
    err[0] = '\0';
    return cfg_load(c, path, err, HL_ERR_MAX);
}

/* A bad file must fail with exit code 2, carry every expected piece in its message, and leave
 * the cfg exactly as it was. */
static void expect_error(const char *text, const char *const *want)
{
    cfg c, before;
    char err[HL_ERR_MAX];
    char path[PATH_MAX];
    util_fmt(path, sizeof path, "%s/kiosk.ini", test_root);
    test_write_file(path, text, strlen(text));
    cfg_defaults(&c);
    before = c;
    int rc = cfg_load(&c, path, err, sizeof err);
    CHECK_INT(rc, HL_EXIT_USAGE);
    CHECK(memcmp(&c, &before, sizeof c) == 0);
    for (size_t i = 0; want[i]; i++)
        CHECK_CONTAINS(err, want[i]);
}
#define EXPECT_ERROR(text, ...) expect_error(text, (const char *const[]){__VA_ARGS__, NULL})

/* What test_defaults and test_full_file expect of the keys: [kiosk] (but the folders),
 * [display], [timing] and [content]. */
typedef struct {
    struct {
        const char *id;
        cfg_mode mode;
        const char *counter, *officer, *data_dir;
    } kiosk;
    int display[3]; /* fullscreen, width, height */
    /* idle, screen, reading, thanks, follow-up, response interval, slogan rotation, attract
     * shift: the [timing] keys in the order of the file, in seconds */
    int timing_s[8];
    const char *slogans[3];
} cfg_want;

static void check_keys(const cfg *c, const cfg_want *w)
{
    CHECK_STR(c->kiosk_id, w->kiosk.id);
    CHECK_INT(c->mode, w->kiosk.mode);
    CHECK_STR(c->counter, w->kiosk.counter);
    CHECK_STR(c->officer, w->kiosk.officer);
    CHECK_STR(c->data_dir, w->kiosk.data_dir);
    CHECK_INT(c->fullscreen, w->display[0]);
    CHECK_INT(c->width, w->display[1]);
    CHECK_INT(c->height, w->display[2]);
    CHECK_INT(c->idle_timeout_s, w->timing_s[0]);
    CHECK_INT(c->screen_timeout_s, w->timing_s[1]);
    CHECK_INT(c->reading_timeout_s, w->timing_s[2]);
    CHECK_INT(c->thanks_s, w->timing_s[3]);
    CHECK_INT(c->followup_timeout_s, w->timing_s[4]);
    CHECK_INT(c->response_interval_s, w->timing_s[5]);
    CHECK_INT(c->slogan_rotate_s, w->timing_s[6]);
    CHECK_INT(c->attract_shift_s, w->timing_s[7]);
    REQUIRE(c->n_slogans == 3);
    for (int i = 0; i < 3; i++)
        CHECK_STR(c->slogans[i], w->slogans[i]);
}

static void test_defaults(void)
{
    cfg c;
    const char *saved = getenv("HAILONG_ASSETS");
    char keep[PATH_MAX] = "";
    if (saved)
        util_strlcpy(keep, saved, sizeof keep);

    setenv("HAILONG_ASSETS", "/opt/hailong/assets", 1);
    cfg_defaults(&c);
    CHECK_STR(c.assets_dir, "/opt/hailong/assets");
    CHECK_STR(c.content_dir, "/opt/hailong/assets/content");
    unsetenv("HAILONG_ASSETS");
    cfg_defaults(&c);
    /* no HAILONG_ASSETS: ../share/hailong beside this executable (build/share/hailong is a
     * symlink to the source assets), never a compiled-in source path */
    {
        const char *suf = "/bin/../share/hailong";
        size_t la = strlen(c.assets_dir), ls = strlen(suf);
        CHECK(la > ls && strcmp(c.assets_dir + la - ls, suf) == 0);
        CHECK(strncmp(c.assets_dir, HL_SOURCE_ASSETS_DIR, strlen(HL_SOURCE_ASSETS_DIR)) != 0);
        char want[PATH_MAX + 16];
        CHECK(util_fmt(want, sizeof want, "%s/content", c.assets_dir) == 0);
        CHECK_STR(c.content_dir, want);
        char font[PATH_MAX + 64];
        CHECK(util_fmt(font, sizeof font, "%s/content", c.assets_dir) == 0);
        CHECK(access(font, R_OK) == 0);
    }
    if (saved)
        setenv("HAILONG_ASSETS", keep, 1);

    static const cfg_want want = {{"demo-01", CFG_MODE_LOBBY, "", "", "data"},
                                  {1, 1280, 800},
                                  {90, 45, 120, 6, 25, 5, 10, 60},
                                  {"nam-biet", "bon-luon", "ba-the-hien"}};
    check_keys(&c, &want);
    CHECK_STR(cfg_mode_name(c.mode), "lobby");
    CHECK_STR(cfg_mode_name(CFG_MODE_DESK), "desk");
    CHECK_STR(c.source, "");
    /* Sync is off unless a url is set. */
    CHECK_STR(c.sync_url, "");
    CHECK_STR(c.sync_token, "");
    CHECK_STR(c.sync_token_file, "");
    CHECK_STR(c.sync_ca_file, "");
    CHECK_INT(c.sync_batch_max, 500);
    CHECK_INT(c.sync_start_delay_max_s, 30);
}

static void test_full_file(void)
{
    cfg c;
    char err[HL_ERR_MAX];
    int rc = load_ini(&c, "full.ini",
                      "; every key\n"
                      "[kiosk]\n"
                      "id = bom-bo_02\n"
                      "mode = desk\n"
                      "counter = Quầy 3\n"
                      "officer = tp-hung\n"
                      "data_dir = /var/lib/hailong\n"
                      "content_dir = /srv/content\n"
                      "assets_dir = /srv/assets\n"
                      "\n"
                      "[display]\n"
                      "fullscreen = no\n"
                      "width = 1024\n"
                      "height = 600\n"
                      "[timing]\n"
                      "idle_timeout = 120\n"
                      "screen_timeout = 30\n"
                      "reading_timeout = 300\n"
                      "thanks_duration = 8\n"
                      "followup_timeout = 20\n"
                      "response_interval = 0\n"
                      "slogan_rotate = 15\n"
                      "attract_shift = 300\n"
                      "[content]\n"
                      "slogans = dan-chu ,trach-nhiem,  nam-biet\n",
                      err);
    CHECK_INT(rc, 0);
    CHECK_STR(err, "");
    static const cfg_want want = {
        {"bom-bo_02", CFG_MODE_DESK, "Quầy 3", "tp-hung", "/var/lib/hailong"},
        {0, 1024, 600},
        {120, 30, 300, 8, 20, 0, 15, 300},
        {"dan-chu", "trach-nhiem", "nam-biet"}};
    check_keys(&c, &want);
    CHECK_STR(c.content_dir, "/srv/content");
    CHECK_STR(c.assets_dir, "/srv/assets");
    CHECK_CONTAINS(c.source, "full.ini");
}

/* The small liberties the file format allows: comments, indentation, CRLF, a BOM, any case in
 * names and booleans, every boolean spelling. */
static void test_lenient_syntax(void)
{
    cfg c;
    char err[HL_ERR_MAX];
    int rc = load_ini(&c, "lenient.ini",
                      "\xEF\xBB\xBF# written on Windows\r\n"
                      "[Kiosk]\r\n"
                      "    Mode = Desk ; the counter's own kiosk\r\n"
                      "    counter = 1\r\n"
                      "[display]\r\n"
                      "  fullscreen = OFF\r\n",
                      err);
    CHECK_INT(rc, 0);
    CHECK_STR(err, "");
    CHECK_INT(c.mode, CFG_MODE_DESK);
    CHECK_STR(c.counter, "1");
    CHECK_INT(c.fullscreen, 0);

    static const char *const yes[] = {"true", "yes", "1", "on", "TRUE"};
    static const char *const no[] = {"false", "no", "0", "off", "No"};
    for (size_t i = 0; i < HL_ARRAY_LEN(yes); i++) {
        char text[128];
        util_fmt(text, sizeof text, "[display]\nfullscreen = %s\n", no[i]);
        CHECK_INT(load_ini(&c, "b.ini", text, err), 0);
        CHECK_INT(c.fullscreen, 0);
        util_fmt(text, sizeof text, "[display]\nfullscreen = %s\n", yes[i]);
        CHECK_INT(load_ini(&c, "b.ini", text, err), 0);
        CHECK_INT(c.fullscreen, 1);
    }
    /* An empty file is all defaults; so is one with only comments. */
    CHECK_INT(load_ini(&c, "empty.ini", "", err), 0);
    CHECK_INT(load_ini(&c, "comments.ini", "; nothing\n# here\n", err), 0);
    CHECK_INT(c.mode, CFG_MODE_LOBBY);
}

static void test_relative_paths(void)
{
    char sub[PATH_MAX], real[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 32];
    util_fmt(sub, sizeof sub, "%s/site", test_root);
    REQUIRE(util_mkdirs(sub) == 0);
    REQUIRE(realpath(sub, real) != NULL);

    /* data_dir and assets_dir relative to the file; content_dir follows assets_dir. */
    util_fmt(path, sizeof path, "%s/k.ini", sub);
    const char *text = "[kiosk]\ndata_dir = votes\nassets_dir = ./my-assets\n";
    test_write_file(path, text, strlen(text));
    cfg c;
    char err[HL_ERR_MAX];
    cfg_defaults(&c);
    CHECK_INT(cfg_load(&c, path, err, sizeof err), 0);
    util_fmt(want, sizeof want, "%s/votes", real);
    CHECK_STR(c.data_dir, want);
    util_fmt(want, sizeof want, "%s/my-assets", real);
    CHECK_STR(c.assets_dir, want);
    util_fmt(want, sizeof want, "%s/my-assets/content", real);
    CHECK_STR(c.content_dir, want);

    /* An explicit content_dir wins over the follow rule; absolute paths are kept as they are. */
    text = "[kiosk]\ncontent_dir = texts\nassets_dir = /opt/a\ndata_dir = /var/x\n";
    test_write_file(path, text, strlen(text));
    cfg_defaults(&c);
    CHECK_INT(cfg_load(&c, path, err, sizeof err), 0);
    util_fmt(want, sizeof want, "%s/texts", real);
    CHECK_STR(c.content_dir, want);
    CHECK_STR(c.assets_dir, "/opt/a");
    CHECK_STR(c.data_dir, "/var/x");

    /* Only assets_dir absolute: content_dir follows it. */
    text = "[kiosk]\nassets_dir = /opt/b\n";
    test_write_file(path, text, strlen(text));
    cfg_defaults(&c);
    CHECK_INT(cfg_load(&c, path, err, sizeof err), 0);
    CHECK_STR(c.content_dir, "/opt/b/content");

    /* A file named by a relative path still resolves to an absolute directory. */
    char cwd[PATH_MAX];
    REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
    REQUIRE(chdir(test_root) == 0);
    text = "[kiosk]\ndata_dir = data\n";
    test_write_file("site/rel.ini", text, strlen(text));
    cfg_defaults(&c);
    int rc = cfg_load(&c, "site/rel.ini", err, sizeof err);
    CHECK(chdir(cwd) == 0);
    CHECK_INT(rc, 0);
    util_fmt(want, sizeof want, "%s/data", real);
    CHECK_STR(c.data_dir, want);
}

static void test_bad_values(void)
{
    /* The example from the brief, exactly. */
    EXPECT_ERROR("; kiosk\n"
                 "[kiosk]\n"
                 "id = demo-02\n"
                 "\n"
                 "; desk or lobby\n"
                 "\n"
                 "mode = dsk\n",
                 "/kiosk.ini:7: [kiosk] mode: \"dsk\" is not a mode; use desk or lobby");
    EXPECT_ERROR("[timing]\nidle_timeout = 9o\n",
                 "kiosk.ini:2: [timing] idle_timeout: \"9o\" is not a whole number", "10 to 3600");
    EXPECT_ERROR("[timing]\nidle_timeout = \n",
                 "kiosk.ini:2: [timing] idle_timeout:", "is not a whole number");
    EXPECT_ERROR("[timing]\nidle_timeout = 5\n",
                 "kiosk.ini:2: [timing] idle_timeout: 5 is out of range; use 10 to 3600 seconds");
    EXPECT_ERROR("[timing]\nresponse_interval = 601\n",
                 "kiosk.ini:2: [timing] response_interval: 601 is out of range; use 0 to 600");
    EXPECT_ERROR("[timing]\nresponse_interval = -1\n", "kiosk.ini:2:", "out of range");
    EXPECT_ERROR("[display]\nwidth = 99999999999999999999\n",
                 "kiosk.ini:2: [display] width: \"99999999999999999999\" is not a whole number");
    EXPECT_ERROR("[display]\nheight = 10\n", "kiosk.ini:2: [display] height: 10 is out of range");
    EXPECT_ERROR("[display]\n\nfullscreen = maybe\n",
                 "kiosk.ini:3: [display] fullscreen: \"maybe\" is not true or false", "yes/no");
    EXPECT_ERROR("[kiosk]\nid = kiosk 1\n",
                 "kiosk.ini:2: [kiosk] id: \"kiosk 1\" is not a kiosk id");
    EXPECT_ERROR("[kiosk]\nid = xã-1\n", "kiosk.ini:2: [kiosk] id:", "is not a kiosk id");
    EXPECT_ERROR("[kiosk]\nid = "
                 "a123456789012345678901234567890123456789012345678901234567890123\n",
                 "kiosk.ini:2: [kiosk] id:", "is not a kiosk id");
    EXPECT_ERROR("[kiosk]\nofficer = Trần\n",
                 "kiosk.ini:2: [kiosk] officer: \"Trần\" is not an officer code");
    EXPECT_ERROR("[kiosk]\ncounter = 12345678901234567890123456789012\n",
                 "kiosk.ini:2: [kiosk] counter:", "too long");
    EXPECT_ERROR("[kiosk]\ndata_dir =\n", "kiosk.ini:2: [kiosk] data_dir: empty");
}

/* [sync]: the keys, the token from token_file, and the mistakes an IT person can make. */
static void test_sync_keys(void)
{
    cfg c;
    char err[HL_ERR_MAX], token[256], path[PATH_MAX], want[PATH_MAX + 16];
    char real[PATH_MAX];
    REQUIRE(realpath(test_root, real) != NULL);
    util_fmt(path, sizeof path, "%s/token", test_root);
    const char *tok = "\n  abc.DEF-123_~+/==  \r\n";
    test_write_file(path, tok, strlen(tok));
    util_fmt(path, sizeof path, "%s/ca.pem", test_root);
    test_write_file(path, "-----BEGIN CERTIFICATE-----\n", strlen("-----BEGIN CERTIFICATE-----\n"));
    int rc = load_ini(&c, "sync.ini",
                      "[sync]\n"
                      "url = https://hailong.huyen.gov.vn:8443/api\n"
                      "token_file = token\n"
                      "ca_file = ./ca.pem\n"
                      "batch_max = 1\n"
                      "start_delay_max = 0\n",
                      err);
    CHECK_INT(rc, 0);
    CHECK_STR(err, "");
    CHECK_STR(c.sync_url, "https://hailong.huyen.gov.vn:8443/api");
    util_fmt(want, sizeof want, "%s/token", real);
    CHECK_STR(c.sync_token_file, want);
    util_fmt(want, sizeof want, "%s/ca.pem", real);
    CHECK_STR(c.sync_ca_file, want);
    CHECK_INT(c.sync_batch_max, 1);
    CHECK_INT(c.sync_start_delay_max_s, 0);
    /* The token file is read at start: one line, blanks and newlines around it do not count. */
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), 0);
    CHECK_STR(token, "abc.DEF-123_~+/==");

    /* A token inline; http:// for a test collector. */
    rc = load_ini(&c, "sync2.ini", "[sync]\nurl = http://127.0.0.1:8080\ntoken = t0k\n", err);
    CHECK_INT(rc, 0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), 0);
    CHECK_STR(token, "t0k");

    /* token_file problems show up at start, naming the file. */
    util_fmt(path, sizeof path, "%s/token2", test_root);
    test_write_file(path, "two words\n", strlen("two words\n"));
    CHECK_INT(load_ini(&c, "s3.ini", "[sync]\nurl = https://c.vn\ntoken_file = token2\n", err), 0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "s3.ini: [sync] token_file:");
    CHECK_CONTAINS(err, "token2: must hold the token on one line");
    CHECK_INT(load_ini(&c, "s4.ini", "[sync]\nurl = https://c.vn\ntoken_file = missing\n", err), 0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "missing: cannot read");
    CHECK_INT(load_ini(&c, "s5.ini",
                       "[sync]\nurl = https://c.vn\ntoken = x\nca_file = /no/such/ca.pem\n", err),
              0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "[sync] ca_file: /no/such/ca.pem: cannot read");

    /* Files read with a limit: a token_file or ca_file pointed at /dev/zero, or too large, is
     * refused at once naming the file and the limit (before: 2 GiB allocated, then an abort). */
    CHECK_INT(load_ini(&c, "s6.ini", "[sync]\nurl = https://c.vn\ntoken_file = /dev/zero\n", err),
              0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "s6.ini: [sync] token_file: /dev/zero: cannot read: larger than 4 KiB");
    util_fmt(path, sizeof path, "%s/token-big", test_root);
    test_write_file(path, "abc\n", 4);
    REQUIRE(truncate(path, 4 * 1024 + 1) == 0);
    CHECK_INT(load_ini(&c, "s7.ini", "[sync]\nurl = https://c.vn\ntoken_file = token-big\n", err),
              0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "token-big: cannot read: larger than 4 KiB; is it the right file?");
    CHECK_INT(
        load_ini(&c, "s8.ini", "[sync]\nurl = https://c.vn\ntoken = x\nca_file = /dev/zero\n", err),
        0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "s8.ini: [sync] ca_file: /dev/zero: not a regular file");
    util_fmt(path, sizeof path, "%s/ca-big.pem", test_root);
    test_write_file(path, "-----BEGIN CERTIFICATE-----\n", 28);
    REQUIRE(truncate(path, 1024 * 1024 + 1) == 0);
    CHECK_INT(load_ini(&c, "s9.ini",
                       "[sync]\nurl = https://c.vn\ntoken = x\nca_file = ca-big.pem\n", err),
              0);
    CHECK_INT(cfg_sync_token(&c, token, sizeof token, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "ca-big.pem: larger than 1 MiB; is it the right file?");

    EXPECT_ERROR("[sync]\nurl = collector.huyen.gov.vn\ntoken = x\n",
                 "kiosk.ini:2: [sync] url: \"collector.huyen.gov.vn\" is not a collector address",
                 "https://");
    EXPECT_ERROR("[sync]\nurl = ftp://c.vn\n", "kiosk.ini:2: [sync] url:", "https://");
    EXPECT_ERROR("[sync]\nurl = https://\n", "kiosk.ini:2: [sync] url:", "no host name");
    EXPECT_ERROR("[sync]\nurl = https://c.vn/?token=1\n",
                 "kiosk.ini:2: [sync] url:", "without spaces, ?query");
    EXPECT_ERROR("[sync]\nurl = https://user:pw@c.vn\n", "kiosk.ini:2: [sync] url:", "user@");
    EXPECT_ERROR("[sync]\n\nurl = https://c.vn\n",
                 "kiosk.ini:3: [sync] url: the collector needs this kiosk's token", "token_file");
    EXPECT_ERROR("[sync]\ntoken = a\ntoken_file = /etc/t\n",
                 "kiosk.ini:3: [sync] token_file: token and token_file are both set");
    EXPECT_ERROR("[sync]\ntoken = a b\n", "kiosk.ini:2: [sync] token: not a token");
    EXPECT_ERROR("[sync]\ntoken_file =\n", "kiosk.ini:2: [sync] token_file: empty");
    EXPECT_ERROR("[sync]\nbatch_max = 501\n",
                 "kiosk.ini:2: [sync] batch_max: 501 is out of range; use 1 to 500 votes");
    EXPECT_ERROR("[sync]\nbatch_max = 0\n", "kiosk.ini:2: [sync] batch_max:", "out of range");
    EXPECT_ERROR("[sync]\nstart_delay_max = -1\n",
                 "kiosk.ini:2: [sync] start_delay_max: -1 is out of range; use 0 to 3600");
    EXPECT_ERROR("[kiosk]\nurl = https://c.vn\n",
                 "kiosk.ini:2: [kiosk] url: not a key of [kiosk]; it belongs under [sync]");
}

static void test_bad_slogans(void)
{
    EXPECT_ERROR("[content]\nslogans = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n",
                 "kiosk.ini:2: [content] slogans: more than 16 slogan ids");
    /* 16 is fine. */
    cfg c;
    char err[HL_ERR_MAX];
    CHECK_INT(load_ini(&c, "s.ini", "[content]\nslogans = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n", err),
              0);
    CHECK_INT(c.n_slogans, 16);
    CHECK_STR(c.slogans[15], "p");
    EXPECT_ERROR("[content]\nslogans = nam-biet, abcdefghijabcdefghijabcdefghijabc\n",
                 "kiosk.ini:2: [content] slogans: \"abcdefghijabcdefghijabcdefghijabc\" is not a "
                 "slogan id");
    EXPECT_ERROR("[content]\nslogans = Năm biết\n",
                 "kiosk.ini:2: [content] slogans:", "is not a slogan id");
    EXPECT_ERROR("[content]\nslogans = nam-biet,,bon-luon\n",
                 "kiosk.ini:2: [content] slogans: empty item");
    EXPECT_ERROR("[content]\nslogans =\n", "kiosk.ini:2: [content] slogans: no slogan ids");
    EXPECT_ERROR("[content]\nslogans = a, b, a\n", "kiosk.ini:2: [content] slogans: \"a\" is "
                                                   "listed twice");
}

static void test_bad_structure(void)
{
    EXPECT_ERROR("[kiosk]\nid = a\n[timming]\nidle_timeout = 30\n",
                 "kiosk.ini:4: [timming] idle_timeout: unknown section",
                 "[kiosk], [display], [timing], [content] and [sync]");
    EXPECT_ERROR("[display]\nfulscreen = true\n",
                 "kiosk.ini:2: [display] fulscreen: unknown key; keys in [display] are "
                 "fullscreen, width, height");
    EXPECT_ERROR("[display]\nidle_timeout = 30\n",
                 "kiosk.ini:2: [display] idle_timeout: not a key of [display]; it belongs under "
                 "[timing]");
    EXPECT_ERROR("mode = desk\n", "kiosk.ini:1: mode: key outside any section; put it under "
                                  "[kiosk]");
    EXPECT_ERROR("[kiosk]\nmode = desk\nmode = lobby\n",
                 "kiosk.ini:3: [kiosk] mode: set twice (also on line 2)");
    /* inih's own syntax errors carry its line number. */
    EXPECT_ERROR("[kiosk]\nid = a\nthis line has no equals sign\nmode = desk\n",
                 "kiosk.ini:3: \"this line has no equals sign\": expected key = value");
    EXPECT_ERROR("; start\n[kiosk\nid = a\n", "kiosk.ini:2: \"[kiosk\": a section header needs "
                                              "a closing ']'");
    /* The first error wins, whichever kind it is. */
    EXPECT_ERROR("[kiosk]\nmode = dsk\nnonsense\n", "kiosk.ini:2: [kiosk] mode:");
    EXPECT_ERROR("[kiosk]\nnonsense\nmode = dsk\n", "kiosk.ini:2: \"nonsense\": expected");
}

static void test_bad_bytes(void)
{
    EXPECT_ERROR("[kiosk]\ncounter = Qu\xff\n", "kiosk.ini:2: [kiosk] counter: not valid UTF-8",
                 "save the file as UTF-8");
    /* "Quầy" with its accents as combining marks (a + U+0302 + U+0300): not NFC. */
    EXPECT_ERROR("[kiosk]\ncounter = Qua\xcc\x82\xcc\x80y 1\n",
                 "kiosk.ini:2: [kiosk] counter: is not NFC Unicode; save the file as UTF-8 NFC");

    char path[PATH_MAX], err[HL_ERR_MAX];
    cfg c;
    util_fmt(path, sizeof path, "%s/nul.ini", test_root);
    test_write_file(path, "[kiosk]\nid = a\0b\n", 16);
    cfg_defaults(&c);
    CHECK_INT(cfg_load(&c, path, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "nul.ini:2: contains a NUL byte");

    /* A line longer than inih's buffer must not be cut and half-parsed. */
    char text[700];
    char longval[600];
    memset(longval, 'x', sizeof longval - 1);
    longval[sizeof longval - 1] = '\0';
    util_fmt(text, sizeof text, "[kiosk]\nid = a\ndata_dir = /%s\n", longval);
    EXPECT_ERROR(text, "kiosk.ini:3: line too long");
}

static void test_missing_file(void)
{
    cfg c, before;
    char err[HL_ERR_MAX], path[PATH_MAX];
    util_fmt(path, sizeof path, "%s/nope.ini", test_root);
    cfg_defaults(&c);
    before = c;
    CHECK_INT(cfg_load(&c, path, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "nope.ini: cannot open: No such file or directory");
    CHECK(memcmp(&c, &before, sizeof c) == 0);

    /* Read with a limit (256 KiB): /dev/zero or a larger file is refused at once, naming the file
     * and the limit, the config unchanged (before: 2 GiB allocated, then an abort). */
    CHECK_INT(cfg_load(&c, "/dev/zero", err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "/dev/zero: cannot open: larger than 256 KiB; is it the right file?");
    CHECK(memcmp(&c, &before, sizeof c) == 0);
    util_fmt(path, sizeof path, "%s/big.ini", test_root);
    test_write_file(path, "[kiosk]\n", 8);
    REQUIRE(truncate(path, 256 * 1024 + 1) == 0);
    CHECK_INT(cfg_load(&c, path, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "big.ini: cannot open: larger than 256 KiB");
    CHECK(memcmp(&c, &before, sizeof c) == 0);
}

/* The shipped examples must load, and must document every key. */
static void test_demo_files(void)
{
    const char *assets = getenv("HAILONG_ASSETS");
    REQUIRE(assets != NULL);
    static const char *const names[] = {"desk.ini", "lobby.ini"};
    static const char *const all_keys[] = {"id",
                                           "mode",
                                           "counter",
                                           "officer",
                                           "data_dir",
                                           "content_dir",
                                           "assets_dir",
                                           "fullscreen",
                                           "width",
                                           "height",
                                           "idle_timeout",
                                           "screen_timeout",
                                           "reading_timeout",
                                           "thanks_duration",
                                           "followup_timeout",
                                           "response_interval",
                                           "slogan_rotate",
                                           "attract_shift",
                                           "slogans",
                                           "url",
                                           "token_file",
                                           "token",
                                           "ca_file",
                                           "batch_max",
                                           "start_delay_max"};
    for (size_t i = 0; i < HL_ARRAY_LEN(names); i++) {
        char path[PATH_MAX], err[HL_ERR_MAX];
        util_fmt(path, sizeof path, "%s/demo/%s", assets, names[i]);
        cfg c;
        cfg_defaults(&c);
        int rc = cfg_load(&c, path, err, sizeof err);
        if (rc)
            fprintf(stderr, "%s\n", err);
        CHECK_INT(rc, 0);
        CHECK_INT(c.mode, i == 0 ? CFG_MODE_DESK : CFG_MODE_LOBBY);
        CHECK_STR(c.sync_url, ""); /* the demo never sends */
        char *text = util_read_file(path, NULL);
        REQUIRE(text != NULL);
        for (size_t k = 0; k < HL_ARRAY_LEN(all_keys); k++) {
            char needle[64];
            util_fmt(needle, sizeof needle, "\n%s =", all_keys[k]);
            char commented[64];
            util_fmt(commented, sizeof commented, "\n; %s =", all_keys[k]);
            if (!strstr(text, needle) && !strstr(text, commented)) {
                fprintf(stderr, "%s does not document %s\n", names[i], all_keys[k]);
                t_cur_failed = 1;
            }
        }
        free(text);
    }
}

static const test_case cases[] = {
    TEST(test_defaults),       TEST(test_full_file),     TEST(test_lenient_syntax),
    TEST(test_relative_paths), TEST(test_bad_values),    TEST(test_sync_keys),
    TEST(test_bad_slogans),    TEST(test_bad_structure), TEST(test_bad_bytes),
    TEST(test_missing_file),   TEST(test_demo_files)};

int main(void)
{
    return test_main("config", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
