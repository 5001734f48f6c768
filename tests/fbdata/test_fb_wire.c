/* test_fb_wire: feedback items on the wire: encoded and decoded alike, in a batch with votes or
 * alone, and every check both sides apply (a contact without consent, blank, long or broken text,
 * control characters, an unknown kind), one item's fault never the batch's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util.h"
#include "wire.h"

#define T0    1780000000000LL
#define BATCH "bbbbbbbb-0000-4000-8000-000000000001"
#define BOOT  "cccccccc-0000-4000-8000-000000000001"

static void item(wire_feedback *f, int i, const char *kind, const char *text)
{
    memset(f, 0, sizeof *f);
    snprintf(f->uuid, sizeof f->uuid, "ffffffff-0000-4000-8000-%012d", i);
    f->seq = i;
    util_strlcpy(f->boot_id, BOOT, sizeof f->boot_id);
    util_strlcpy(f->kind, kind, sizeof f->kind);
    util_strlcpy(f->text, text, sizeof f->text);
    f->created_at = T0 + i;
}

static void t_roundtrip(void)
{
    wire_feedback fb[2];
    item(&fb[0], 1, "phan-anh", "Chờ quá lâu,\ncán bộ hẹn ba lần");
    util_strlcpy(fb[0].officer_code, "tp-hung", sizeof fb[0].officer_code);
    util_strlcpy(fb[0].vote_uuid, "aaaaaaaa-0000-4000-8000-000000000001", sizeof fb[0].vote_uuid);
    fb[0].consent = 1;
    util_strlcpy(fb[0].contact_name, "Nguyễn Thị Hường", sizeof fb[0].contact_name);
    util_strlcpy(fb[0].contact_phone, "0912 345 678", sizeof fb[0].contact_phone);
    item(&fb[1], 2, "gop-y", "Nên có thêm ghế chờ");
    char *json = NULL;
    size_t len = 0;
    REQUIRE(wire_encode_batch("bombo-01", BATCH, T0, NULL, 0, fb, 2, &json, &len) == 0);
    /* Without consent no contact member at all, not even empty. */
    CHECK(strstr(json, "\"contact\"") == strstr(json, "\"contact\":{\"name\":\"Nguyễn"));
    CHECK(strstr(strstr(json, "Nên có"), "contact") == NULL);
    wire_batch b;
    char err[200];
    REQUIRE(wire_decode_batch(json, len, &b, err, sizeof err) == 0);
    CHECK_INT(b.n, 0);
    REQUIRE(b.n_feedback == 2);
    CHECK_INT(b.fb_results[0].status, WIRE_ACCEPTED);
    CHECK_INT(b.fb_results[1].status, WIRE_ACCEPTED);
    CHECK_STR(b.fb_results[0].uuid, fb[0].uuid);
    CHECK_STR(b.feedback[0].text, fb[0].text);
    CHECK_STR(b.feedback[0].contact_name, "Nguyễn Thị Hường");
    CHECK_STR(b.feedback[0].vote_uuid, fb[0].vote_uuid);
    CHECK_STR(b.feedback[0].officer_code, "tp-hung");
    CHECK_INT(b.feedback[1].consent, 0);
    CHECK_STR(b.feedback[1].contact_name, "");
    /* The same bytes again from what was decoded: nothing lost or added. */
    char *again = NULL;
    size_t len2 = 0;
    REQUIRE(wire_encode_batch(b.kiosk_id, b.batch_id, b.frozen_at, b.votes, b.n, b.feedback,
                              b.n_feedback, &again, &len2) == 0);
    CHECK_STR(again, json);
    free(again);
    free(json);
    wire_batch_free(&b);
}

/* Decodes a batch holding one raw item; the item's result (reason in why). */
static wire_status one(const char *raw, char *why, size_t cap)
{
    char body[8192];
    snprintf(body, sizeof body,
             "{\"v\":1,\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1,"
             "\"votes\":[],\"feedback\":[%s]}",
             raw);
    wire_batch b;
    char err[200];
    if (wire_decode_batch(body, strlen(body), &b, err, sizeof err) != 0) {
        util_strlcpy(why, err, cap);
        return (wire_status)-1;
    }
    wire_status st = b.fb_results[0].status;
    util_strlcpy(why, b.fb_results[0].reason, cap);
    wire_batch_free(&b);
    return st;
}

#define ITEM(extra, text)                                                                          \
    "{\"uuid\":\"ffffffff-0000-4000-8000-000000000009\",\"seq\":9,\"boot_id\":\"" BOOT             \
    "\",\"kind\":\"gop-y\",\"text\":" text ",\"created_at\":1" extra "}"

static void t_rejected(void)
{
    char why[200];
    CHECK_INT(one(ITEM(",\"consent\":false", "\"Tốt\""), why, sizeof why), WIRE_ACCEPTED);
    CHECK_INT(
        one(ITEM(",\"consent\":false,\"contact\":{\"name\":\"A\"}", "\"Tốt\""), why, sizeof why),
        WIRE_REJECTED);
    CHECK_CONTAINS(why, "without the citizen's consent");
    CHECK_INT(one(ITEM(",\"consent\":false", "\"  \\n \""), why, sizeof why), WIRE_REJECTED);
    CHECK_CONTAINS(why, "text: is empty");
    CHECK_INT(one(ITEM(",\"consent\":false", "\"\""), why, sizeof why), WIRE_REJECTED);
    CHECK_INT(one(ITEM(",\"consent\":false", "\"a\\u0007b\""), why, sizeof why), WIRE_REJECTED);
    CHECK_CONTAINS(why, "control character");
    CHECK_INT(one(ITEM(",\"consent\":false", "\"a\\u0085b\""), why, sizeof why), WIRE_REJECTED);
    CHECK_INT(
        one(ITEM(",\"consent\":true,\"contact\":{\"phone\":\"12ab\"}", "\"x\""), why, sizeof why),
        WIRE_REJECTED);
    CHECK_CONTAINS(why, "contact.phone");
    CHECK_INT(one(ITEM(",\"consent\":true,\"contact\":{\"phone\":\"0912 345 678\"}", "\"x\""), why,
                  sizeof why),
              WIRE_ACCEPTED);
    CHECK_INT(one(ITEM(",\"consent\":\"yes\"", "\"x\""), why, sizeof why), WIRE_REJECTED);
    CHECK_CONTAINS(why, "consent");
    /* An unknown kind. */
    char raw[600];
    util_strlcpy(raw, ITEM(",\"consent\":false", "\"x\""), sizeof raw);
    char *k = strstr(raw, "gop-y");
    memcpy(k, "gop-z", 5);
    CHECK_INT(one(raw, why, sizeof why), WIRE_REJECTED);
    CHECK_CONTAINS(why, "kind");
    /* 1000 characters are fine (3 bytes each), 1001 are not. */
    char *text = malloc(4 * 1002 + 8), *item = malloc(4 * 1002 + 400);
    for (int n = 1000; n <= 1001; n++) {
        size_t o = 0;
        text[o++] = '"';
        for (int i = 0; i < n; i++) {
            memcpy(text + o, "ệ", strlen("ệ"));
            o += strlen("ệ");
        }
        text[o++] = '"';
        text[o] = '\0';
        snprintf(item, 4 * 1002 + 400,
                 "{\"uuid\":\"ffffffff-0000-4000-8000-000000000009\",\"seq\":9,\"boot_id\":"
                 "\"" BOOT "\",\"kind\":\"gop-y\",\"text\":%s,\"created_at\":1,"
                 "\"consent\":false}",
                 text);
        CHECK_INT(one(item, why, sizeof why), n == 1000 ? WIRE_ACCEPTED : WIRE_REJECTED);
    }
    CHECK_CONTAINS(why, "1001 characters");
    free(text);
    free(item);
}

static void t_checks_direct(void)
{
    wire_feedback f;
    char why[200];
    item(&f, 1, "bieu-duong", "Chị Mai rất tận tình");
    CHECK_INT(wire_feedback_check(&f, why, sizeof why), 0);
    util_strlcpy(f.text, "ab\xC3", sizeof f.text); /* a cut UTF-8 sequence */
    CHECK_INT(wire_feedback_check(&f, why, sizeof why), -1);
    CHECK_CONTAINS(why, "not valid UTF-8");
    item(&f, 1, "bieu-duong", "ok");
    util_strlcpy(f.contact_address, "Thôn 3", sizeof f.contact_address);
    CHECK_INT(wire_feedback_check(&f, why, sizeof why), -1);
    f.consent = 1;
    CHECK_INT(wire_feedback_check(&f, why, sizeof why), 0);
}

static void t_batch_rules(void)
{
    char err[200];
    wire_batch b;
    /* No votes and no feedback: refused as a whole. */
    const char *empty = "{\"v\":1,\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1,"
                        "\"votes\":[]}";
    CHECK(wire_decode_batch(empty, strlen(empty), &b, err, sizeof err) != 0);
    /* More than 20 items: refused as a whole. */
    wire_feedback *fb = calloc(WIRE_MAX_FEEDBACK + 1, sizeof *fb);
    for (int i = 0; i <= WIRE_MAX_FEEDBACK; i++)
        item(&fb[i], i + 1, "gop-y", "x");
    char *json = NULL;
    size_t len = 0;
    REQUIRE(wire_encode_batch("k", BATCH, T0, NULL, 0, fb, WIRE_MAX_FEEDBACK + 1, &json, &len) ==
            0);
    CHECK(wire_decode_batch(json, len, &b, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "feedback: 21 items");
    free(json);
    /* A uuid used by an item and a vote of the same batch: the item is rejected. */
    wire_vote v = {0};
    util_strlcpy(v.uuid, fb[0].uuid, sizeof v.uuid);
    v.seq = 1;
    util_strlcpy(v.boot_id, BOOT, sizeof v.boot_id);
    util_strlcpy(v.officer_code, "tp-hung", sizeof v.officer_code);
    v.rating = 3;
    util_strlcpy(v.reasons, "[]", sizeof v.reasons);
    REQUIRE(wire_encode_batch("k", BATCH, T0, &v, 1, fb, 1, &json, &len) == 0);
    REQUIRE(wire_decode_batch(json, len, &b, err, sizeof err) == 0);
    CHECK_INT(b.results[0].status, WIRE_ACCEPTED);
    CHECK_INT(b.fb_results[0].status, WIRE_REJECTED);
    wire_batch_free(&b);
    free(json);
    free(fb);
    /* The kiosk reads results for votes and items together. */
    wire_result r[WIRE_MAX_VOTES + WIRE_MAX_FEEDBACK];
    memset(r, 0, sizeof r);
    for (size_t i = 0; i < HL_ARRAY_LEN(r); i++)
        r[i].status = WIRE_ACCEPTED;
    REQUIRE(wire_encode_results(BATCH, r, HL_ARRAY_LEN(r), &json, &len) == 0);
    wire_result *back = NULL;
    size_t n = 0;
    CHECK_INT(wire_decode_results(json, len, NULL, &back, &n, err, sizeof err), 0);
    CHECK_INT(n, HL_ARRAY_LEN(r));
    free(back);
    free(json);
}

/* The excerpts the inbox list, the command line and the alerts show of a citizen's text. */
static void t_excerpt(void)
{
    char out[64];
    CHECK_INT(util_utf8_chars("Chờ quá lâu"), 11);
    util_utf8_excerpt("Ngắn", 10, out, sizeof out);
    CHECK_STR(out, "Ngắn");
    util_utf8_excerpt("Chờ quá lâu,\ncán bộ hẹn", 13, out, sizeof out);
    CHECK_STR(out, "Chờ quá lâu, …");
    util_utf8_excerpt("a\tb\rc", 10, out, sizeof out);
    CHECK_STR(out, "a b c");
    /* A small buffer is the limit: still whole characters, still valid UTF-8, still "…". */
    char small[12];
    util_utf8_excerpt("ữữữữữữữữ", 100, small, sizeof small);
    CHECK(wire_utf8_valid(small, strlen(small), NULL));
    CHECK_STR(small, "ữữ…");
}

static const test_case cases[] = {TEST(t_roundtrip), TEST(t_rejected), TEST(t_checks_direct),
                                  TEST(t_batch_rules), TEST(t_excerpt)};

int main(void)
{
    return test_main("fb_wire", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
