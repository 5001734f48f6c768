/* fuzz_collector_query: libFuzzer target for what the collector parses out of a read request:
 * the query string of /v1/summary and /v1/votes.csv (report_args_*, report_range), split and
 * %-decoded the way libmicrohttpd hands it to server.c, and the same bytes as the
 * Authorization (auth_parse_bearer) and X-Hailong-Sent-At (wire_parse_ms) headers. No HTTP,
 * no database, no file. */
#include "auth.h"
#include "report.h"
#include "util.h"
#include "wire.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A from or to that passed: absent, empty, or YYYY-MM-DD (it goes into a header's file name). */
static int day_ok(const char *s)
{
    if (!s || !*s)
        return 1;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* '+' is a space in a query string; then %XX as libmicrohttpd's default unescaper does it. */
static void unescape(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '+')
            *p = ' ';
    MHD_http_unescape(s);
}

/* libmicrohttpd's MHD_parse_arguments_ (0.9.75), which is internal: "k=v&k&=v" into pairs, a
 * key without '=' having a NULL value, stopping when the callback refuses one. */
static void parse_args(char *args, report_args *a)
{
    while (args && *args) {
        char *equals = strchr(args, '='), *amper = strchr(args, '&');
        if (amper)
            *amper++ = '\0';
        const char *value = NULL;
        if (equals && (!amper || equals < amper)) {
            *equals++ = '\0';
            unescape(equals);
            value = equals;
        }
        unescape(args);
        if (report_args_add(a, args, value) != 0)
            return;
        args = amper;
    }
}

static void query(const char *text, int summary)
{
    char *copy = xstrdup(text);
    report_args a;
    report_args_init(&a, summary);
    parse_args(copy, &a);
    db_filter f;
    char err[HL_ERR_MAX] = "";
    if (report_args_check(&a, &f, err, sizeof err) != 0) {
        if (!err[0])
            abort();
    } else {
        if (!day_ok(a.from) || !day_ok(a.to) || f.from_ms >= f.to_ms || !a.by || !*a.by ||
            (!summary && a.seen_by) || a.unknown || a.dup)
            abort();
        /* What goes into SQL as a filter: a kiosk id of the allowed characters, a unit of UTF-8. */
        if ((f.kiosk && *f.kiosk && !wire_valid_kiosk_id(f.kiosk)) ||
            (f.unit && !wire_utf8_valid(f.unit, strlen(f.unit), NULL)))
            abort();
        /* server.c names the CSV after the range in a 96-byte buffer: it must always fit. */
        char disp[96];
        if (util_fmt(disp, sizeof disp, "attachment; filename=\"votes%s%s%s%s.csv\"",
                     a.from && *a.from ? "-" : "", a.from && *a.from ? a.from : "",
                     a.to && *a.to ? "-" : "", a.to && *a.to ? a.to : "") != 0)
            abort();
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A request line and a header are text without NUL: what follows one is never seen. */
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    query(text, 1);
    query(text, 0);

    char token[AUTH_TOKEN_MAX];
    if (auth_parse_bearer(text, token) == 0) {
        size_t n = strlen(token);
        if (n == 0 || n >= AUTH_TOKEN_MAX ||
            strspn(token, "abcdefghijklmnopqrstuvwxyz"
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
            abort();
    }
    int64_t ms;
    if (wire_parse_ms(text, &ms) == 0 && (ms < 0 || ms >= INT64_C(10000000000000000)))
        abort();
    free(text);
    return 0;
}
