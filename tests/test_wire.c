/* test_wire: the kiosk -> collector protocol (sync/wire.c): the exact bytes of a batch, round
 * trips that re-encode byte for byte, every validation rule with its reason, results, gzip and its
 * caps, and a full 500-vote batch. */
#include "test.h"
#include "util.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#define BATCH "11111111-2222-4333-8444-555555555555"
#define BOOT  "bbbbbbbb-0000-4000-8000-000000000001"
#define T0    1764124200000LL /* 2025-11-26T02:30:00Z */

static wire_vote make_vote(int i)
{
    wire_vote v;
    memset(&v, 0, sizeof v);
    snprintf(v.uuid, sizeof v.uuid, "aaaaaaaa-0000-4000-8000-%012d", i);
    v.seq = i;
    util_strlcpy(v.boot_id, BOOT, sizeof v.boot_id);
    util_strlcpy(v.officer_code, i % 2 ? "tp-hung" : "vp-lan", sizeof v.officer_code);
    v.rating = 1 + i % 3;
    util_strlcpy(v.reasons, v.rating == 1 ? "[\"cham-tre\",\"huong-dan\"]" : "[]",
                 sizeof v.reasons);
    v.created_at = T0 + i * 1000;
    v.misuse = i % 5 == 0;
    return v;
}

static void test_exact_bytes(void)
{
    wire_vote v = make_vote(3);
    char *json;
    size_t len;
    REQUIRE(wire_encode_batch("bombo-01", BATCH, T0 + 5000, &v, 1, NULL, 0, &json, &len) == 0);
    CHECK_STR(json, "{\"v\":1,\"kiosk_id\":\"bombo-01\",\"batch_id\":\"" BATCH "\","
                    "\"frozen_at\":1764124205000,\"votes\":[{\"uuid\":"
                    "\"aaaaaaaa-0000-4000-8000-000000000003\",\"seq\":3,\"boot_id\":\"" BOOT "\","
                    "\"officer\":\"tp-hung\",\"rating\":1,\"reasons\":[\"cham-tre\","
                    "\"huong-dan\"],\"created_at\":1764124203000,\"misuse\":false}]}");
    CHECK_INT(len, strlen(json));
    free(json);
}

static void test_round_trip(void)
{
    wire_vote votes[7];
    for (int i = 0; i < 7; i++)
        votes[i] = make_vote(i + 1);
    char *json;
    size_t len;
    REQUIRE(wire_encode_batch("bombo-01", BATCH, T0, votes, 7, NULL, 0, &json, &len) == 0);
    wire_batch b;
    char err[HL_ERR_MAX] = "";
    REQUIRE(wire_decode_batch(json, len, &b, err, sizeof err) == 0);
    CHECK_STR(b.kiosk_id, "bombo-01");
    CHECK_STR(b.batch_id, BATCH);
    CHECK_INT(b.frozen_at, T0);
    REQUIRE(b.n == 7);
    for (int i = 0; i < 7; i++) {
        CHECK_INT(b.results[i].status, WIRE_ACCEPTED);
        CHECK_STR(b.results[i].uuid, votes[i].uuid);
        CHECK_STR(b.votes[i].uuid, votes[i].uuid);
        CHECK_INT(b.votes[i].seq, votes[i].seq);
        CHECK_STR(b.votes[i].boot_id, votes[i].boot_id);
        CHECK_STR(b.votes[i].officer_code, votes[i].officer_code);
        CHECK_INT(b.votes[i].rating, votes[i].rating);
        CHECK_STR(b.votes[i].reasons, votes[i].reasons);
        CHECK_INT(b.votes[i].created_at, votes[i].created_at);
        CHECK_INT(b.votes[i].misuse, votes[i].misuse);
    }
    /* What was decoded encodes to the very same bytes. */
    char *again;
    size_t len2;
    REQUIRE(wire_encode_batch(b.kiosk_id, b.batch_id, b.frozen_at, b.votes, b.n, NULL, 0, &again,
                              &len2) == 0);
    CHECK_INT(len2, len);
    CHECK(memcmp(json, again, len) == 0);
    free(again);
    free(json);
    wire_batch_free(&b);
}

/* Encodes v: the output holds want_json, and decoding it rejects the vote for want_reason. */
static void check_sent_rejected(const wire_vote *v, const char *want_json, const char *want_reason)
{
    char *json;
    size_t len;
    wire_batch b;
    char err[HL_ERR_MAX];
    REQUIRE(wire_encode_batch("k", BATCH, T0, v, 1, NULL, 0, &json, &len) == 0);
    CHECK_CONTAINS(json, want_json);
    int rc = wire_decode_batch(json, len, &b, err, sizeof err);
    free(json);
    REQUIRE(rc == 0);
    CHECK_INT(b.results[0].status, WIRE_REJECTED);
    CHECK_CONTAINS(b.results[0].reason, want_reason);
    wire_batch_free(&b);
}

static void test_encode_odd_reasons(void)
{
    /* A vote is never dropped by the encoder: odd reasons go out as they are, the collector
     * rejects that vote with a reason. */
    wire_vote v = make_vote(2);
    char *json;
    size_t len;

    v.reasons[0] = '\0'; /* empty column: [] */
    REQUIRE(wire_encode_batch("k", BATCH, T0, &v, 1, NULL, 0, &json, &len) == 0);
    CHECK_CONTAINS(json, "\"reasons\":[],");
    free(json);

    util_strlcpy(v.reasons, "not json \"x\"", sizeof v.reasons);
    check_sent_rejected(&v, "\"reasons\":\"not json \\\"x\\\"\",", "reasons: is a string");

    util_strlcpy(v.reasons, "[1, {\"a\":2}]", sizeof v.reasons);
    check_sent_rejected(&v, "\"reasons\":[1,{\"a\":2}],", "reasons[0]: not a code");

    /* Control characters and quotes in strings are escaped: the output is always JSON. */
    util_strlcpy(v.officer_code, "a\"b\n\x01", sizeof v.officer_code);
    check_sent_rejected(&v, "\"officer\":\"a\\\"b\\n\\u0001\"", "officer: not a code");
}

/* Decodes a batch holding the given votes (JSON text) and returns it. */
static int decode_votes(const char *votes_json, wire_batch *b, char *err, size_t errlen)
{
    char body[8192];
    snprintf(body, sizeof body,
             "{\"v\":1,\"kiosk_id\":\"bombo-01\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1,"
             "\"votes\":[%s]}",
             votes_json);
    return wire_decode_batch(body, strlen(body), b, err, errlen);
}

#define GOOD_UUID "\"uuid\":\"aaaaaaaa-0000-4000-8000-000000000001\""
#define REST_AFTER_UUID                                                                            \
    "\"seq\":1,\"boot_id\":\"" BOOT "\",\"officer\":\"tp-hung\",\"rating\":3,\"reasons\":[],"      \
    "\"created_at\":1764124200000,\"misuse\":false"

/* One vote field replaced: the vote is rejected with a reason containing want. */
static void check_vote_rejected(const char *vote_json, const char *want, int uuid_echoed)
{
    wire_batch b;
    char err[HL_ERR_MAX] = "";
    if (decode_votes(vote_json, &b, err, sizeof err) != 0) {
        fprintf(stderr, "  whole batch refused (%s) for %s\n", err, vote_json);
        t_cur_failed = 1;
        return;
    }
    if (b.n != 1 || b.results[0].status != WIRE_REJECTED || !strstr(b.results[0].reason, want)) {
        fprintf(stderr, "  %s\n    -> status %d reason \"%s\", expected rejected with \"%s\"\n",
                vote_json, b.n ? (int)b.results[0].status : -1, b.n ? b.results[0].reason : "",
                want);
        t_cur_failed = 1;
    }
    if (b.n == 1)
        CHECK_STR(b.results[0].uuid, uuid_echoed ? "aaaaaaaa-0000-4000-8000-000000000001" : "");
    wire_batch_free(&b);
}

/* A NUL character in any string (the \u0000 escape; cJSON would cut the string there, so that
 * "tp-hung\u0000<script>" became "tp-hung" and a kiosk id "kA\u0000evil" became "kA") refuses the
 * whole body; the text \\u0000 (an escaped backslash) is no NUL. */
static void test_nul_in_strings(void)
{
    wire_batch b;
    char err[HL_ERR_MAX] = "";
    CHECK(decode_votes("{" GOOD_UUID ",\"seq\":1,\"boot_id\":\"" BOOT
                       "\",\"officer\":\"tp-hung\\u0000<script>\",\"rating\":3,"
                       "\"reasons\":[],\"created_at\":1764124200000,\"misuse\":false}",
                       &b, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "votes[0].officer: a NUL character");
    CHECK(decode_votes("{" GOOD_UUID ",\"seq\":1,\"boot_id\":\"" BOOT
                       "\",\"officer\":\"tp-hung\",\"rating\":1,"
                       "\"reasons\":[\"a\",\"b\\u0000\"],\"created_at\":1764124200000,"
                       "\"misuse\":false}",
                       &b, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "votes[0].reasons[1]: a NUL character");
    const char *key = "{\"v\":1,\"k\\u0000\":1}";
    CHECK(wire_decode_batch(key, strlen(key), &b, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "a key: a NUL character");
    const char *id = "{\"v\":1,\"kiosk_id\":\"kA\\u0000evil\",\"batch_id\":\"" BATCH
                     "\",\"frozen_at\":1,\"votes\":[]}";
    CHECK(wire_decode_batch(id, strlen(id), &b, err, sizeof err) != 0);
    CHECK_CONTAINS(err, "kiosk_id: a NUL character");
    /* the six characters \u0000 as text: an escaped backslash, then "u0000" */
    const char *text = "{\"a\":\"x\\\\u0000\"}";
    CHECK_INT(util_json_nul_at(text, strlen(text)), -1);
    const char *esc = "{\"a\":\"x\\u0000\"}";
    CHECK_INT(util_json_nul_at(esc, strlen(esc)), 7);
    CHECK_INT(util_json_nul_at("{\"a\":1}\0", 8), 7); /* a raw NUL byte */
    CHECK_INT(util_json_nul_at("\"\\u00001\"", 9), 1);
}

/* No vote is lost to a clock: any time from 1970 on is taken (the collector marks it), the
 * kiosk's clock_suspect mark travels only when set, and must be a boolean. */
static void test_clock_times(void)
{
    wire_batch b;
    char err[HL_ERR_MAX] = "";
    REQUIRE(decode_votes("{" GOOD_UUID ",\"seq\":1,\"boot_id\":\"" BOOT
                         "\",\"officer\":\"tp-hung\",\"rating\":3,\"reasons\":[],"
                         "\"created_at\":946684800000,\"misuse\":false,\"clock_suspect\":true}",
                         &b, err, sizeof err) == 0);
    REQUIRE(b.n == 1);
    CHECK_INT(b.results[0].status, WIRE_ACCEPTED);
    CHECK(b.votes[0].created_at == 946684800000LL);
    CHECK_INT(b.votes[0].clock_suspect, 1);
    wire_batch_free(&b);
    REQUIRE(decode_votes("{" GOOD_UUID "," REST_AFTER_UUID "}", &b, err, sizeof err) == 0);
    CHECK_INT(b.votes[0].clock_suspect, 0);
    wire_batch_free(&b);
    check_vote_rejected("{" GOOD_UUID "," REST_AFTER_UUID ",\"clock_suspect\":1}",
                        "clock_suspect: is a number; must be true or false", 1);
    check_vote_rejected("{" GOOD_UUID "," REST_AFTER_UUID ",\"clock_suspect\":null}",
                        "clock_suspect: is null", 1);

    wire_vote v[2];
    memset(v, 0, sizeof v);
    for (int i = 0; i < 2; i++) {
        snprintf(v[i].uuid, sizeof v[i].uuid, "aaaaaaaa-0000-4000-8000-00000000000%d", i + 1);
        v[i].seq = i + 1;
        util_strlcpy(v[i].boot_id, BOOT, sizeof v[i].boot_id);
        util_strlcpy(v[i].officer_code, "tp-hung", sizeof v[i].officer_code);
        v[i].rating = 3;
        util_strlcpy(v[i].reasons, "[]", sizeof v[i].reasons);
        v[i].created_at = i ? 0 : 1764124200000LL;
    }
    v[1].clock_suspect = 1;
    char *json = NULL;
    size_t len = 0;
    REQUIRE(wire_encode_batch("bombo-01", BATCH, 5, v, 2, NULL, 0, &json, &len) == 0);
    CHECK_CONTAINS(json, "\"created_at\":1764124200000,\"misuse\":false},{");
    CHECK_CONTAINS(json, "\"created_at\":0,\"misuse\":false,\"clock_suspect\":true}]}");
    REQUIRE(wire_decode_batch(json, len, &b, err, sizeof err) == 0);
    CHECK_INT(b.votes[1].clock_suspect, 1);
    CHECK_INT(b.votes[0].clock_suspect, 0);
    wire_batch_free(&b);
    free(json);

    int64_t ms = 0;
    CHECK_INT(wire_parse_ms("1764124200000", &ms), 0);
    CHECK(ms == 1764124200000LL);
    CHECK_INT(wire_parse_ms("", &ms), -1);
    CHECK_INT(wire_parse_ms("-5", &ms), -1);
    CHECK_INT(wire_parse_ms("12 ", &ms), -1);
    CHECK_INT(wire_parse_ms("12345678901234567", &ms), -1);
}

static void test_vote_rules(void)
{
    static const struct {
        const char *field, *value, *want;
    } cases[] = {
        {"seq", "0", "seq: 0 is out of range"},
        {"seq", "-3", "seq: -3 is out of range"},
        {"seq", "1.5", "seq: 1.5 is not an integer"},
        {"seq", "\"1\"", "seq: is a string; must be an integer"},
        {"seq", "1e300", "seq: number too large"},
        {"seq", "9007199254740993", "seq: number too large"},
        {"seq", "null", "seq: is null"},
        {"boot_id", "\"boot\"", "boot_id: not a lowercase UUID"},
        {"boot_id", "7", "boot_id: is a number"},
        {"officer", "\"\"", "officer: not a code"},
        {"officer", "\"tp hung\"", "officer: not a code"},
        {"officer", "\"ông-hùng\"", "officer: not a code"},
        {"officer", "\"abcdefghijabcdefghijabcdefghij12\"", "officer: not a code"},
        {"rating", "0", "rating: must be 1, 2 or 3"},
        {"rating", "4", "rating: must be 1, 2 or 3"},
        {"rating", "2.5", "rating: 2.5 is not an integer"},
        {"rating", "\"3\"", "rating: is a string"},
        {"rating", "true", "rating: is a boolean"},
        {"reasons", "\"cham-tre\"", "reasons: is a string; must be an array"},
        {"reasons", "[\"cham tre\"]", "reasons[0]: not a code"},
        {"reasons", "[\"ok\",7]", "reasons[1]: not a code"},
        {"reasons", "{}", "reasons: is an object"},
        {"created_at", "-1", "created_at: -1 is out of range; must be 0 to"},
        {"created_at", "\"2025-11-26\"", "created_at: is a string"},
        {"created_at", "1764124200000.5", "created_at: 1764124200000.5 is not an integer"},
        {"misuse", "0", "misuse: is a number; must be true or false"},
        {"misuse", "\"false\"", "misuse: is a string"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(cases); i++) {
        /* The base vote with one field's value replaced. */
        char rest[1024], key[32];
        util_strlcpy(rest, REST_AFTER_UUID, sizeof rest);
        snprintf(key, sizeof key, "\"%s\":", cases[i].field);
        char *at = strstr(rest, key);
        REQUIRE(at);
        char *val = at + strlen(key), *end = val;
        int depth = 0;
        while (*end && (depth > 0 || (*end != ',' && *end != '}'))) {
            if (*end == '[' || *end == '{')
                depth++;
            if (*end == ']' || *end == '}')
                depth--;
            end++;
        }
        char vote[1400];
        snprintf(vote, sizeof vote, "{" GOOD_UUID ",%.*s%s%s}", (int)(val - rest), rest,
                 cases[i].value, end);
        check_vote_rejected(vote, cases[i].want, 1);
    }
    /* 33 reasons are too many; 32 are fine. */
    char many[2048] = "[";
    for (int i = 0; i < 33; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"r%d\"", i ? "," : "", i);
    util_strlcpy(many + strlen(many), "]", sizeof many - strlen(many));
    char vote[4096];
    snprintf(vote, sizeof vote,
             "{" GOOD_UUID ",\"seq\":1,\"boot_id\":\"" BOOT "\",\"officer\":\"a\",\"rating\":1,"
             "\"reasons\":%s,\"created_at\":1764124200000,\"misuse\":true}",
             many);
    check_vote_rejected(vote, "reasons: more than 32 codes", 1);

    /* Missing, unknown and duplicated fields; no usable uuid. */
    check_vote_rejected("{" GOOD_UUID ",\"seq\":1}", "boot_id: is missing", 1);
    check_vote_rejected("{" GOOD_UUID "," REST_AFTER_UUID ",\"extra\":1}", "extra: unknown field",
                        1);
    check_vote_rejected("{" GOOD_UUID "," REST_AFTER_UUID ",\"seq\":2}",
                        "seq: appears twice in the vote", 1);
    check_vote_rejected("{\"uuid\":\"AAAAAAAA-0000-4000-8000-000000000001\"," REST_AFTER_UUID "}",
                        "uuid: not a lowercase UUID", 0);
    check_vote_rejected("{" REST_AFTER_UUID "}", "uuid: is missing", 0);
    check_vote_rejected("[1,2]", "vote: is an array; must be an object", 0);
    check_vote_rejected("\"vote\"", "vote: is a string", 0);
}

static void test_good_vote_and_duplicates(void)
{
    wire_batch b;
    char err[HL_ERR_MAX];
    REQUIRE(decode_votes("{" GOOD_UUID "," REST_AFTER_UUID "},"
                         "{\"uuid\":\"aaaaaaaa-0000-4000-8000-000000000002\"," REST_AFTER_UUID "},"
                         "{" GOOD_UUID "," REST_AFTER_UUID "},"
                         "{\"uuid\":\"aaaaaaaa-0000-4000-8000-000000000003\",\"seq\":9,"
                         "\"boot_id\":\"" BOOT "\",\"officer\":\"Tp_Hung-2\",\"rating\":1,"
                         "\"reasons\":[ \"cham-tre\" , \"thai-do\" ],\"created_at\":"
                         "1.7641242e12,\"misuse\":true}",
                         &b, err, sizeof err) == 0);
    REQUIRE(b.n == 4);
    CHECK_INT(b.results[0].status, WIRE_ACCEPTED);
    CHECK_INT(b.results[1].status, WIRE_ACCEPTED);
    /* The same uuid twice in one batch: the second is rejected, the first stands. */
    CHECK_INT(b.results[2].status, WIRE_REJECTED);
    CHECK_CONTAINS(b.results[2].reason, "uuid: appears twice in this batch (first at votes[0])");
    CHECK_STR(b.results[2].uuid, "aaaaaaaa-0000-4000-8000-000000000001");
    /* Integral numbers in exponent form are integers; reasons are stored canonical. */
    CHECK_INT(b.results[3].status, WIRE_ACCEPTED);
    CHECK_INT(b.votes[3].created_at, 1764124200000LL);
    CHECK_STR(b.votes[3].reasons, "[\"cham-tre\",\"thai-do\"]");
    CHECK_STR(b.votes[3].officer_code, "Tp_Hung-2");
    CHECK_INT(b.votes[3].misuse, 1);
    wire_batch_free(&b);
}

/* The whole batch is refused (-1) with err containing want. */
static void check_batch_refused(const char *body, size_t len, const char *want)
{
    wire_batch b;
    char err[HL_ERR_MAX] = "";
    int rc = wire_decode_batch(body, len, &b, err, sizeof err);
    if (rc != -1 || !strstr(err, want)) {
        fprintf(stderr, "  body %.80s\n    -> rc %d err \"%s\", expected -1 with \"%s\"\n", body,
                rc, err, want);
        t_cur_failed = 1;
    }
    if (rc == 0)
        wire_batch_free(&b);
    CHECK(b.votes == NULL && b.results == NULL && b.n == 0);
}

#define VOTE1 "{" GOOD_UUID "," REST_AFTER_UUID "}"
#define HEAD  "\"v\":1,\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1"

static void test_batch_rules(void)
{
    static const test_bad bodies[] = {
        {"", "body: empty"},
        {"{\"v\":1,", "body: not valid JSON"},
        {"nonsense", "body: not valid JSON"},
        {"{" HEAD ",\"votes\":[" VOTE1 "]} x", "unexpected data after the JSON value"},
        {"[1]", "body: must be a JSON object"},
        {"{" HEAD ",\"votes\":[" VOTE1 "],\"extra\":true}", "extra: unknown field"},
        {"{" HEAD ",\"votes\":[" VOTE1 "],\"v\":1}", "v: appears twice"},
        {"{\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1,\"votes\":[]}",
         "v: is missing"},
        {"{\"v\":\"1\",\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1,"
         "\"votes\":[" VOTE1 "]}",
         "v: is a string"},
        {"{\"v\":2,\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1,"
         "\"votes\":[" VOTE1 "]}",
         "v: version 2 is not supported"},
        {"{\"v\":1,\"kiosk_id\":\"bad id\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1,"
         "\"votes\":[" VOTE1 "]}",
         "kiosk_id: not an id"},
        {"{\"v\":1,\"kiosk_id\":[],\"batch_id\":\"" BATCH "\",\"frozen_at\":1,"
         "\"votes\":[" VOTE1 "]}",
         "kiosk_id: is an array"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"batch_id\":\"x\",\"frozen_at\":1,\"votes\":[" VOTE1 "]}",
         "batch_id: not a lowercase UUID"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":\"now\","
         "\"votes\":[" VOTE1 "]}",
         "frozen_at: is a string"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":1e999,"
         "\"votes\":[" VOTE1 "]}",
         "frozen_at: number too large"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"batch_id\":\"" BATCH "\",\"frozen_at\":"
         "123456789012345678901234567890,\"votes\":[" VOTE1 "]}",
         "frozen_at: number too large"},
        {"{" HEAD "}", "votes: is missing"},
        {"{" HEAD ",\"votes\":{}}", "votes: is an object"},
        {"{" HEAD ",\"votes\":[]}", "votes: 0 votes; a batch holds 1 to 500"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(bodies); i++)
        check_batch_refused(bodies[i].in, strlen(bodies[i].in), bodies[i].want);

    /* Bytes that are not UTF-8, anywhere (here inside a string), and a NUL byte. */
    static const char *const bad_utf8[] = {"\xc3\x28",         "\xc0\xaf", "\xed\xa0\x80",
                                           "\xf5\x80\x80\x80", "\xe2\x82", "\xff"};
    for (size_t i = 0; i < HL_ARRAY_LEN(bad_utf8); i++) {
        char body[512];
        snprintf(body, sizeof body, "{" HEAD ",\"votes\":[" VOTE1 "],\"x\":\"%s\"}", bad_utf8[i]);
        check_batch_refused(body, strlen(body), "body: invalid UTF-8 at byte");
    }
    char with_nul[] = "{\"v\":1\0}";
    check_batch_refused(with_nul, sizeof with_nul - 1, "body: NUL byte at offset 6");
}

static void test_utf8_and_validators(void)
{
    size_t bad = 0;
    CHECK(wire_utf8_valid("Rất hài lòng 😀", strlen("Rất hài lòng 😀"), &bad));
    CHECK(!wire_utf8_valid("ab\xe1\xba", 4, &bad));
    CHECK_INT(bad, 2);
    CHECK(wire_valid_uuid("aaaaaaaa-0000-4000-8000-000000000001"));
    CHECK(!wire_valid_uuid("aaaaaaaa-0000-4000-8000-00000000000"));
    CHECK(!wire_valid_uuid("aaaaaaaa_0000-4000-8000-000000000001"));
    CHECK(!wire_valid_uuid("gaaaaaaa-0000-4000-8000-000000000001"));
    CHECK(!wire_valid_uuid(NULL));
    CHECK(wire_valid_code("tp-hung_2"));
    CHECK(wire_valid_code("abcdefghijabcdefghijabcdefghij1"));   /* 31 */
    CHECK(!wire_valid_code("abcdefghijabcdefghijabcdefghij12")); /* 32 */
    CHECK(!wire_valid_code(""));
    CHECK(!wire_valid_code("a.b"));
    char id[70];
    memset(id, 'k', 63);
    id[63] = '\0';
    CHECK(wire_valid_kiosk_id(id));
    id[63] = 'k';
    id[64] = '\0';
    CHECK(!wire_valid_kiosk_id(id));
    CHECK_STR(wire_status_name(WIRE_DUPLICATE), "duplicate");
}

static void test_results(void)
{
    wire_result r[3];
    memset(r, 0, sizeof r);
    util_strlcpy(r[0].uuid, "aaaaaaaa-0000-4000-8000-000000000001", sizeof r[0].uuid);
    r[0].status = WIRE_ACCEPTED;
    util_strlcpy(r[1].uuid, "aaaaaaaa-0000-4000-8000-000000000002", sizeof r[1].uuid);
    r[1].status = WIRE_DUPLICATE;
    r[2].status = WIRE_REJECTED;
    util_strlcpy(r[2].reason, "uuid: \"x\" is not \\ valid", sizeof r[2].reason);
    char *json;
    size_t len;
    REQUIRE(wire_encode_results(BATCH, r, 3, &json, &len) == 0);
    CHECK_STR(json, "{\"batch_id\":\"" BATCH "\",\"results\":[{\"uuid\":"
                    "\"aaaaaaaa-0000-4000-8000-000000000001\",\"status\":\"accepted\"},"
                    "{\"uuid\":\"aaaaaaaa-0000-4000-8000-000000000002\",\"status\":\"duplicate\"},"
                    "{\"uuid\":\"\",\"status\":\"rejected\",\"reason\":"
                    "\"uuid: \\\"x\\\" is not \\\\ valid\"}]}");
    char batch[37];
    wire_result *back = NULL;
    size_t n = 0;
    char err[HL_ERR_MAX];
    REQUIRE(wire_decode_results(json, len, batch, &back, &n, err, sizeof err) == 0);
    CHECK_STR(batch, BATCH);
    REQUIRE(n == 3);
    CHECK_INT(back[1].status, WIRE_DUPLICATE);
    CHECK_INT(back[2].status, WIRE_REJECTED);
    CHECK_STR(back[2].reason, r[2].reason);
    CHECK_STR(back[2].uuid, "");
    free(back);
    free(json);

    static const char *const bad[] = {
        "{\"batch_id\":\"" BATCH "\",\"results\":[{\"uuid\":\"\",\"status\":\"maybe\"}]}",
        "{\"batch_id\":\"" BATCH "\"}",
        "{\"batch_id\":\"x\",\"results\":[]}",
        "<html>502 Bad Gateway</html>",
        "{\"batch_id\":\"" BATCH "\",\"results\":[{\"uuid\":7,\"status\":\"accepted\"}]}",
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++) {
        back = NULL;
        CHECK(wire_decode_results(bad[i], strlen(bad[i]), batch, &back, &n, err, sizeof err) == -1);
        CHECK(back == NULL);
    }
}

static void test_gzip(void)
{
    const char *text = "{\"v\":1} Rất hài lòng, Rất hài lòng, Rất hài lòng";
    void *gz, *plain;
    size_t gzlen, plen;
    REQUIRE(wire_gzip(text, strlen(text), &gz, &gzlen) == 0);
    CHECK(((unsigned char *)gz)[0] == 0x1f && ((unsigned char *)gz)[1] == 0x8b); /* gzip magic */
    REQUIRE(wire_gunzip(gz, gzlen, 1000, &plain, &plen) == 0);
    CHECK_INT(plen, strlen(text));
    CHECK(memcmp(plain, text, plen) == 0);
    CHECK_INT(((char *)plain)[plen], 0);
    free(plain);
    /* The cap: exactly the size passes, one byte less fails with -2 in the _ex form. */
    REQUIRE(wire_gunzip(gz, gzlen, strlen(text), &plain, &plen) == 0);
    free(plain);
    char err[HL_ERR_MAX] = "";
    CHECK_INT(wire_gunzip_ex(gz, gzlen, strlen(text) - 1, &plain, &plen, err, sizeof err), -2);
    CHECK(plain == NULL);
    CHECK_CONTAINS(err, "decompresses to more than");
    CHECK_INT(wire_gunzip(gz, gzlen, strlen(text) - 1, &plain, &plen), -1);
    /* Truncated, corrupt, trailing data, empty, not gzip at all (a zlib or raw stream). */
    CHECK_INT(wire_gunzip_ex(gz, gzlen - 5, 1000, &plain, &plen, err, sizeof err), -1);
    CHECK_CONTAINS(err, "truncated");
    unsigned char *bad = xmalloc(gzlen + 3);
    memcpy(bad, gz, gzlen);
    bad[gzlen / 2] ^= 0xff;
    CHECK_INT(wire_gunzip_ex(bad, gzlen, 1000, &plain, &plen, err, sizeof err), -1);
    memcpy(bad, gz, gzlen);
    memcpy(bad + gzlen, "xyz", 3);
    CHECK_INT(wire_gunzip_ex(bad, gzlen + 3, 1000, &plain, &plen, err, sizeof err), -1);
    CHECK_CONTAINS(err, "trailing data");
    CHECK_INT(wire_gunzip_ex(bad, 0, 1000, &plain, &plen, err, sizeof err), -1);
    CHECK_INT(wire_gunzip_ex(text, strlen(text), 1000, &plain, &plen, err, sizeof err), -1);
    free(bad);
    free(gz);

    /* A bomb: 64 MiB of zeros is about 64 KiB of gzip; it stops at the cap, not at 64 MiB. */
    size_t big = 64u << 20;
    char *zeros = xcalloc(1, big);
    REQUIRE(wire_gzip(zeros, big, &gz, &gzlen) == 0);
    free(zeros);
    CHECK(gzlen < WIRE_MAX_GZIP);
    CHECK_INT(wire_gunzip_ex(gz, gzlen, WIRE_MAX_BODY, &plain, &plen, err, sizeof err), -2);
    CHECK(plain == NULL);
    free(gz);
}

static void test_500_votes(void)
{
    wire_vote *votes = xcalloc(WIRE_MAX_VOTES + 1, sizeof *votes);
    for (int i = 0; i < WIRE_MAX_VOTES + 1; i++)
        votes[i] = make_vote(i + 1);
    char *json;
    size_t len;
    REQUIRE(wire_encode_batch("bombo-01", BATCH, T0, votes, WIRE_MAX_VOTES, NULL, 0, &json, &len) ==
            0);
    void *gz, *plain;
    size_t gzlen, plen;
    REQUIRE(wire_gzip(json, len, &gz, &gzlen) == 0);
    CHECK(gzlen < WIRE_MAX_GZIP);
    CHECK(len < WIRE_MAX_BODY);
    REQUIRE(wire_gunzip(gz, gzlen, WIRE_MAX_BODY, &plain, &plen) == 0);
    wire_batch b;
    char err[HL_ERR_MAX] = "";
    REQUIRE(wire_decode_batch(plain, plen, &b, err, sizeof err) == 0);
    CHECK_INT(b.n, WIRE_MAX_VOTES);
    size_t accepted = 0;
    for (size_t i = 0; i < b.n; i++)
        accepted += b.results[i].status == WIRE_ACCEPTED;
    CHECK_INT(accepted, WIRE_MAX_VOTES);
    CHECK_STR(b.votes[499].uuid, votes[499].uuid);
    wire_batch_free(&b);
    free(plain);
    free(gz);
    free(json);
    /* One more is a whole-batch error: the kiosk splits, nothing is half-taken. */
    REQUIRE(wire_encode_batch("bombo-01", BATCH, T0, votes, WIRE_MAX_VOTES + 1, NULL, 0, &json,
                              &len) == 0);
    check_batch_refused(json, len, "votes: 501 votes; a batch holds 1 to 500");
    free(json);
    free(votes);
}

/* The kiosk's health report: exact bytes, a round trip with Vietnamese names, and each rule. */
static void test_health(void)
{
    wire_officer off[2] = {{"tp-hung", "Nguyễn Văn Hùng", "Trưởng phòng \"Tư pháp\"", "Quầy 1"},
                           {"vp-lan", "Trần Thị Lan", "", ""}};
    wire_health h = {"bombo-01", 1793466000000LL, "0.3.0", "0123456789abcdef", 1, 12, off, 2, NULL,
                     0};
    char *json = NULL;
    size_t len = 0;
    REQUIRE(wire_encode_health(&h, &json, &len) == 0);
    CHECK_STR(json, "{\"v\":1,\"kiosk_id\":\"bombo-01\",\"sent_at\":1793466000000,\"version\":"
                    "\"0.3.0\",\"content_version\":\"0123456789abcdef\",\"clock_suspect\":true,"
                    "\"unsent\":12,\"officers\":[{\"code\":\"tp-hung\",\"name\":\"Nguyễn Văn "
                    "Hùng\",\"title\":\"Trưởng phòng \\\"Tư pháp\\\"\",\"counter\":\"Quầy 1\"},"
                    "{\"code\":\"vp-lan\",\"name\":\"Trần Thị Lan\",\"title\":\"\",\"counter\":"
                    "\"\"}],\"reasons\":[]}");
    wire_health back;
    char err[HL_ERR_MAX] = "";
    REQUIRE(wire_decode_health(json, len, &back, err, sizeof err) == 0);
    CHECK_STR(back.kiosk_id, "bombo-01");
    CHECK_INT(back.sent_at, 1793466000000LL);
    CHECK_INT(back.clock_suspect, 1);
    CHECK_INT(back.unsent, 12);
    REQUIRE(back.n_officers == 2);
    CHECK_STR(back.officers[0].title, "Trưởng phòng \"Tư pháp\"");
    CHECK_STR(back.officers[1].name, "Trần Thị Lan");
    wire_health_free(&back);
    free(json);

    static const char *const bad[][2] = {
        {"{\"v\":2,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","
         "\"clock_suspect\":false,\"unsent\":0,\"officers\":[]}",
         "v: version 2 is not supported"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"xyz\","
         "\"clock_suspect\":false,\"unsent\":0,\"officers\":[]}",
         "content_version: must be hexadecimal digits"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","
         "\"clock_suspect\":0,\"unsent\":0,\"officers\":[]}",
         "clock_suspect: must be true or false"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","
         "\"clock_suspect\":false,\"unsent\":-1,\"officers\":[]}",
         "unsent: -1 is out of range"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","
         "\"clock_suspect\":false,\"unsent\":0,\"officers\":[{\"code\":\"a b\",\"name\":\"x\","
         "\"title\":\"\",\"counter\":\"\"}]}",
         "officers[0].code: must be 1 to 31 letters"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","
         "\"clock_suspect\":false,\"unsent\":0,\"officers\":[{\"code\":\"a\",\"name\":\"x\\ny\","
         "\"title\":\"\",\"counter\":\"\"}]}",
         "officers[0].name: holds a control character"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","
         "\"clock_suspect\":false,\"unsent\":0,\"officers\":[{\"code\":\"a\",\"name\":\"\","
         "\"title\":\"\",\"counter\":\"\"}]}",
         "officers[0].name: must be 1 to 255 bytes at most"},
        {"{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","
         "\"clock_suspect\":false,\"unsent\":0,\"officers\":[],\"extra\":1}",
         "extra: unknown field"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++) {
        CHECK_INT(wire_decode_health(bad[i][0], strlen(bad[i][0]), &back, err, sizeof err), -1);
        CHECK_CONTAINS(err, bad[i][1]);
        CHECK(back.officers == NULL);
    }
    /* More officers than a commune has: refused whole. */
    wire_officer *many = xcalloc(WIRE_MAX_OFFICERS + 1, sizeof *many);
    for (int i = 0; i <= WIRE_MAX_OFFICERS; i++) {
        snprintf(many[i].code, sizeof many[i].code, "o%d", i);
        snprintf(many[i].name, sizeof many[i].name, "Cán bộ %d", i);
    }
    h.officers = many;
    h.n_officers = WIRE_MAX_OFFICERS + 1;
    REQUIRE(wire_encode_health(&h, &json, &len) == 0);
    CHECK_INT(wire_decode_health(json, len, &back, err, sizeof err), -1);
    CHECK_CONTAINS(err, "officers: 501 of them; at most 500");
    free(json);
    free(many);
}

/* The reasons' labels in the health report: always sent (an empty list when the content has
 * none), optional when read (a report from a kiosk before 0.3 has none), each checked. */
static void test_health_reasons(void)
{
    wire_reason rs[2] = {{"cham-tre", "Chậm trễ"}, {"thai-do", "Thái độ \"chưa\" đúng mực"}};
    wire_health h = {"bombo-01", 1793466000000LL, "0.3.0", "ab", 0, 0, NULL, 0, rs, 2};
    char *json = NULL;
    size_t len = 0;
    REQUIRE(wire_encode_health(&h, &json, &len) == 0);
    CHECK_STR(json, "{\"v\":1,\"kiosk_id\":\"bombo-01\",\"sent_at\":1793466000000,\"version\":"
                    "\"0.3.0\",\"content_version\":\"ab\",\"clock_suspect\":false,\"unsent\":0,"
                    "\"officers\":[],\"reasons\":[{\"code\":\"cham-tre\",\"label\":\"Chậm trễ\"},"
                    "{\"code\":\"thai-do\",\"label\":\"Thái độ \\\"chưa\\\" đúng mực\"}]}");
    wire_health back;
    char err[HL_ERR_MAX] = "";
    REQUIRE(wire_decode_health(json, len, &back, err, sizeof err) == 0);
    REQUIRE(back.n_reasons == 2);
    CHECK_STR(back.reasons[0].code, "cham-tre");
    CHECK_STR(back.reasons[1].label, "Thái độ \"chưa\" đúng mực");
    wire_health_free(&back);
    CHECK(back.reasons == NULL);
    free(json);
    static const char old_kiosk[] =
        "{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"0.2\",\"content_version\":"
        "\"ab\",\"clock_suspect\":false,\"unsent\":0,\"officers\":[]}";
    REQUIRE(wire_decode_health(old_kiosk, strlen(old_kiosk), &back, err, sizeof err) == 0);
    CHECK_INT(back.n_reasons, 0);
    CHECK(back.reasons == NULL);
    wire_health_free(&back);
    /* The longest label a reason may have (255 bytes, here 85 letters of 3 bytes) is taken. */
    char longest[256] = "";
    for (int i = 0; i < 85; i++)
        memcpy(longest + 3 * i, "ễ", 3);
    util_strlcpy(h.reasons[0].label, longest, sizeof h.reasons[0].label);
    REQUIRE(wire_encode_health(&h, &json, &len) == 0);
    REQUIRE(wire_decode_health(json, len, &back, err, sizeof err) == 0);
    REQUIRE(back.n_reasons == 2);
    CHECK_STR(back.reasons[0].label, longest);
    wire_health_free(&back);
    free(json);

/* 256 bytes: one more than a label may have. */
#define LONG_LABEL_16 "0123456789abcdef"
#define LONG_LABEL                                                                                 \
    LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16            \
        LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16        \
            LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16 LONG_LABEL_16
#define REASONS_HEAD                                                                               \
    "{\"v\":1,\"kiosk_id\":\"k\",\"sent_at\":1,\"version\":\"1\",\"content_version\":\"ab\","      \
    "\"clock_suspect\":false,\"unsent\":0,\"officers\":[],\"reasons\":"
    static const char *const bad[][2] = {
        {REASONS_HEAD "{}}", "reasons: must be an array"},
        {REASONS_HEAD "[1]}", "reasons[0]: must be an object"},
        {REASONS_HEAD "[{\"code\":\"a b\",\"label\":\"x\"}]}", "reasons[0].code: must be 1 to 31"},
        {REASONS_HEAD "[{\"code\":\"a\",\"label\":\"\"}]}", "reasons[0].label: must be 1 to 255"},
        {REASONS_HEAD "[{\"code\":\"a\",\"label\":\"x\\ty\"}]}",
         "reasons[0].label: holds a control"},
        {REASONS_HEAD "[{\"code\":\"a\",\"label\":\"x\",\"more\":1}]}", "reasons[0].more: unknown"},
        {REASONS_HEAD "[{\"code\":\"a\"}]}", "reasons[0].label"},
        {REASONS_HEAD "null}", "reasons: must be an array"},
        {REASONS_HEAD "[{\"code\":\"a\",\"label\":\"" LONG_LABEL "\"}]}",
         "reasons[0].label: must be 1 to 255 bytes"},
        /* The fourth names its index; the ones before it were good. */
        {REASONS_HEAD "[{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"b\",\"label\":\"B\"},"
                      "{\"code\":\"c\",\"label\":\"C\"},{\"code\":\"d\",\"label\":\"D\\u001b\"}]}",
         "reasons[3].label: holds a control character"},
        {REASONS_HEAD "[{\"code\":\"a\",\"label\":\"Khác\\u007f\"}]}",
         "reasons[0].label: holds a control character"},
        /* "Hoà" with its grave accent as a combining mark (U+0300), raw and escaped: not NFC. */
        {REASONS_HEAD "[{\"code\":\"a\",\"label\":\"Hoa\xcc\x80\"}]}",
         "reasons[0].label: is not NFC Unicode (at byte 2); send it composed (NFC)"},
        {REASONS_HEAD
         "[{\"code\":\"a\",\"label\":\"x\"},{\"code\":\"b\",\"label\":\"Hoa\\u0300\"}]}",
         "reasons[1].label: is not NFC Unicode"},
    };
#undef REASONS_HEAD
#undef LONG_LABEL
#undef LONG_LABEL_16
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++) {
        CHECK_INT(wire_decode_health(bad[i][0], strlen(bad[i][0]), &back, err, sizeof err), -1);
        CHECK_CONTAINS(err, bad[i][1]);
        CHECK(back.reasons == NULL);
    }
    wire_reason *many = xcalloc(WIRE_MAX_REASONS + 1, sizeof *many);
    for (int i = 0; i <= WIRE_MAX_REASONS; i++) {
        snprintf(many[i].code, sizeof many[i].code, "r%d", i);
        snprintf(many[i].label, sizeof many[i].label, "Lý do %d", i);
    }
    h.reasons = many;
    h.n_reasons = WIRE_MAX_REASONS;
    REQUIRE(wire_encode_health(&h, &json, &len) == 0);
    REQUIRE(wire_decode_health(json, len, &back, err, sizeof err) == 0);
    CHECK_INT(back.n_reasons, WIRE_MAX_REASONS);
    CHECK_STR(back.reasons[63].label, "Lý do 63");
    wire_health_free(&back);
    free(json);
    h.n_reasons = WIRE_MAX_REASONS + 1;
    REQUIRE(wire_encode_health(&h, &json, &len) == 0);
    CHECK_INT(wire_decode_health(json, len, &back, err, sizeof err), -1);
    CHECK_CONTAINS(err, "reasons: 65 of them; at most 64");
    CHECK(back.reasons == NULL);
    free(json);
    free(many);
}

static const test_case cases[] = {TEST(test_health),
                                  TEST(test_health_reasons),
                                  TEST(test_exact_bytes),
                                  TEST(test_round_trip),
                                  TEST(test_encode_odd_reasons),
                                  TEST(test_vote_rules),
                                  TEST(test_clock_times),
                                  TEST(test_nul_in_strings),
                                  TEST(test_good_vote_and_duplicates),
                                  TEST(test_batch_rules),
                                  TEST(test_utf8_and_validators),
                                  TEST(test_results),
                                  TEST(test_gzip),
                                  TEST(test_500_votes)};

int main(void)
{
    test_run_all(cases, HL_ARRAY_LEN(cases));
    return test_summary();
}
