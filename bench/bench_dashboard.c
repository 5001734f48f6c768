/* bench_dashboard: the dashboard at province scale (issue 11): a database filled with N votes
 * (10 million by default) from 150 communes, 300 kiosks and 1 500 officers over the past year,
 * stored through the collector's own ingest (db_store_batch, which keeps the totals), then the
 * real hailong-collector serving it: the province's overview and commune pages, each asked R
 * times over one signed-in HTTP connection, timed from request to last byte. Prints the ingest
 * rate at the start and at the end of the fill, and p50/p95/max per page. SQLite (a file under
 * --work-dir), and PostgreSQL with --pg URL (default $HL_TEST_PG_URL; a schema of its own). */
#include "auth.h"
#include "clock.h"
#include "db.h"
#include "util.h"
#include "wire.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UNITS    150
#define KIOSKS   300 /* two per commune */
#define OFFICERS 10  /* per commune: 1 500 */
#define BATCH    500

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_dashboard: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void unit_name(int u, char *out, size_t cap)
{
    util_fmt(out, cap, "Xã Thử Nghiệm %03d", u + 1);
}

/* Fills d with n votes; returns the ingest rates (votes/s) of the first and last 5 % of them. */
static void fill(db *d, long n, double *first_rate, double *last_rate)
{
    char err[HL_ERR_MAX];
    hl_clock clk = clk_real();
    int64_t now = clk_wall_ms(&clk);
    for (int k = 0; k < KIOSKS; k++) {
        char id[32], unit[64], hash[AUTH_HASH_HEX], tok[AUTH_TOKEN_MAX];
        util_fmt(id, sizeof id, "kiosk-%03d", k + 1);
        unit_name(k / 2, unit, sizeof unit);
        auth_new_token(AUTH_KIOSK_PREFIX, tok);
        auth_hash(tok, hash);
        if (db_kiosk_add(d, id, unit, hash, now, err, sizeof err))
            die("kiosk add: %s", err);
        wire_officer off[OFFICERS];
        memset(off, 0, sizeof off);
        for (int o = 0; o < OFFICERS; o++) {
            util_fmt(off[o].code, sizeof off[o].code, "cb-%02d", o + 1);
            util_fmt(off[o].name, sizeof off[o].name, "Cán Bộ Số %02d Xã %03d", o + 1, k / 2 + 1);
            util_strlcpy(off[o].title, "Công chức", sizeof off[o].title);
            util_fmt(off[o].counter, sizeof off[o].counter, "Quầy %d", o % 4 + 1);
        }
        wire_health h = {{0}, now, "bench", "0000000000000000", 0, 0, off, OFFICERS, NULL, 0};
        util_strlcpy(h.kiosk_id, id, sizeof h.kiosk_id);
        if (db_store_health(d, &h, now, err, sizeof err))
            die("health: %s", err);
    }
    long per = n / KIOSKS, done = 0, mark = n / 20 > BATCH ? n / 20 : BATCH;
    int64_t span = 365LL * 86400000LL, start = now - span;
    wire_vote *v = xcalloc(BATCH, sizeof *v);
    wire_result *res = xcalloc(BATCH, sizeof *res), *out = xcalloc(BATCH, sizeof *out);
    unsigned seed = 12345;
    double t0 = mono_s(), t_last = 0;
    long last_from = n - mark;
    *first_rate = *last_rate = 0;
    /* Kiosk after kiosk, a batch at a time, each kiosk's votes in time order: as deliveries
     * come, interleaved across kiosks. */
    for (long i = 0; i < per; i += BATCH) {
        for (int k = 0; k < KIOSKS; k++) {
            size_t m = 0;
            for (long j = i; j < per && m < BATCH; j++, m++) {
                wire_vote *x = &v[m];
                memset(x, 0, sizeof *x);
                util_fmt(x->uuid, sizeof x->uuid, "%08x-0000-4000-8000-%012lx", (unsigned)k,
                         (unsigned long)j);
                x->seq = j + 1;
                util_strlcpy(x->boot_id, "bbbbbbbb-0000-4000-8000-000000000001", sizeof x->boot_id);
                seed = seed * 1103515245u + 12345u;
                util_fmt(x->officer_code, sizeof x->officer_code, "cb-%02u",
                         (seed >> 16) % OFFICERS + 1);
                unsigned r = (seed >> 8) % 100;
                x->rating = r < 62 ? 3 : r < 90 ? 2 : 1;
                util_strlcpy(x->reasons,
                             x->rating == 1 ? (r & 1 ? "[\"cham-tre\"]" : "[\"thai-do\"]") : "[]",
                             sizeof x->reasons);
                /* Spread over the year, in office hours (7 to 17 Vietnam time). */
                int64_t day = start / 86400000LL + (int64_t)((double)j / (double)per * 365.0);
                x->created_at =
                    day * 86400000LL + (int64_t)(r % 10) * 3600000LL + (seed % 3600000u);
                res[m].status = WIRE_ACCEPTED;
                util_strlcpy(res[m].uuid, x->uuid, sizeof res[m].uuid);
            }
            if (m == 0)
                continue;
            wire_batch b = {{0}, {0}, now, v, res, m, NULL, NULL, 0};
            util_fmt(b.kiosk_id, sizeof b.kiosk_id, "kiosk-%03d", k + 1);
            util_fmt(b.batch_id, sizeof b.batch_id, "cccccccc-%04x-4000-8000-%012lx", (unsigned)k,
                     (unsigned long)i);
            double tb = mono_s();
            if (db_store_batch(d, &b, b.kiosk_id, now, now, out, err, sizeof err))
                die("store: %s", err);
            done += (long)m;
            if (done >= last_from)
                t_last += mono_s() - tb;
            if (*first_rate == 0 && done >= mark)
                *first_rate = (double)done / (mono_s() - t0);
            if (done % 1000000 < (long)m)
                fprintf(stderr, "  %ld votes stored (%.0f s)\n", done, mono_s() - t0);
        }
    }
    *last_rate = t_last > 0 ? (double)(done - last_from) / t_last : 0;
    free(v);
    free(res);
    free(out);
}

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    *(size_t *)ctx += size * n;
    return size * n;
}

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
    char *b = ctx;
    size_t have = strlen(b), add = size * n;
    if (have + add < 65536) {
        memcpy(b + have, p, add);
        b[have + add] = '\0';
    }
    return add;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* GETs url r times; prints p50, p95 and max in ms. */
static void measure(CURL *c, const char *label, const char *url, int r, double *p95_out)
{
    double *t = xcalloc((size_t)r, sizeof *t);
    for (int i = 0; i < r; i++) {
        size_t got = 0;
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
        double t0 = mono_s();
        long code = 0;
        if (curl_easy_perform(c) != CURLE_OK ||
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 200)
            die("%s: HTTP %ld", url, code);
        t[i] = (mono_s() - t0) * 1000.0;
    }
    qsort(t, (size_t)r, sizeof *t, dbl_cmp);
    double p95 = t[(size_t)((r - 1) * 95 / 100)];
    printf("| %s | %.1f | %.1f | %.1f |\n", label, t[r / 2], p95, t[r - 1]);
    fflush(stdout);
    if (p95 > *p95_out)
        *p95_out = p95;
    free(t);
}

static double serve_and_measure(const char *collector, const char *url, const char *work,
                                int requests)
{
    char port_file[512], log_file[512];
    util_fmt(port_file, sizeof port_file, "%s/bench-dash.port", work);
    util_fmt(log_file, sizeof log_file, "%s/bench-dash.log", work);
    unlink(port_file);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(log_file, "w", stderr))
            _exit(127);
        execl(collector, collector, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
              "--db", url, (char *)NULL);
        _exit(127);
    }
    long port = 0;
    for (int i = 0; i < 400 && port == 0; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%ld", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (!port)
            usleep(25000);
    }
    if (!port)
        die("the collector did not start; see %s", log_file);
    CURL *c = curl_easy_init();
    char base[64], u[512], body[65536] = "", form[256];
    util_fmt(base, sizeof base, "http://127.0.0.1:%ld", port);
    curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
    util_fmt(u, sizeof u, "%s/dang-nhap", base);
    curl_easy_setopt(c, CURLOPT_URL, u);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    if (curl_easy_perform(c) != CURLE_OK)
        die("login page");
    const char *cs = strstr(body, "name=\"csrf\" value=\"");
    if (!cs)
        die("no CSRF field on the login page");
    util_fmt(form, sizeof form, "csrf=%.40s&user=bench&password=bench-password-1",
             cs + strlen("name=\"csrf\" value=\""));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    body[0] = '\0';
    long code = 0;
    if (curl_easy_perform(c) != CURLE_OK ||
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 303)
        die("login: HTTP %ld", code);
    hl_clock clk = clk_real();
    clk_local l = clk_to_local(clk_wall_ms(&clk));
    char year[8], month[8];
    util_fmt(year, sizeof year, "%04d", l.year % 10000);
    util_fmt(month, sizeof month, "%04d-%02d", l.year % 10000, l.month % 100);
    double p95 = 0;
    printf("| page | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n");
    util_fmt(u, sizeof u, "%s/?period=%s", base, month);
    measure(c, "province overview, this month", u, requests, &p95);
    util_fmt(u, sizeof u, "%s/?from=%04d-%02d-%02d&to=%04d-%02d-%02d", base, (l.year - 1) % 10000,
             l.month % 100, l.day % 100, l.year % 10000, l.month % 100, l.day % 100);
    measure(c, "province overview, the past 12 months", u, requests, &p95);
    util_fmt(u, sizeof u,
             "%s/xa?unit=X%%C3%%A3%%20Th%%E1%%BB%%AD%%20Nghi%%E1%%BB%%87m%%20077&period=%s", base,
             month);
    measure(c, "commune page, this month", u, requests, &p95);
    util_fmt(
        u, sizeof u,
        "%s/xa?unit=X%%C3%%A3%%20Th%%E1%%BB%%AD%%20Nghi%%E1%%BB%%87m%%20077&from=%04d-%02d-%02d"
        "&to=%04d-%02d-%02d",
        base, (l.year - 1) % 10000, l.month % 100, l.day % 100, l.year % 10000, l.month % 100,
        l.day % 100);
    measure(c, "commune page, the past 12 months", u, requests, &p95);
    util_fmt(u, sizeof u, "%s/?period=%s", base, year);
    measure(c, "province overview, this year", u, requests, &p95);
    curl_easy_cleanup(c);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return p95;
}

static void run(const char *label, const char *url, long n, const char *collector, const char *work,
                int requests)
{
    char err[HL_ERR_MAX];
    db *d = NULL;
    if (db_create(url, NULL, &d, err, sizeof err))
        die("%s", err);
    printf("\n### %s: %ld votes, %d communes, %d kiosks, %d officers\n\n", label, n, UNITS, KIOSKS,
           UNITS * OFFICERS);
    double t0 = mono_s(), first, last;
    fill(d, n, &first, &last);
    printf("Filled in %.0f s; ingest (db_store_batch, totals kept): %.0f votes/s over the first "
           "5 %%, %.0f votes/s over the last 5 %%.\n\n",
           mono_s() - t0, first, last);
    db_user u = {0};
    util_strlcpy(u.name, "bench", sizeof u.name);
    u.role = DB_ROLE_PROVINCE;
    if (auth_password_hash("bench-password-1", u.pw_hash) || db_user_put(d, &u, 0, err, sizeof err))
        die("user: %s", err);
    db_close(d);
    double p95 = serve_and_measure(collector, url, work, requests);
    printf("\nWorst p95: %.1f ms (target <= 300 ms): %s\n", p95, p95 <= 300 ? "PASS" : "MISS");
}

int main(int argc, char **argv)
{
    const char *work = ".", *pg = getenv("HL_TEST_PG_URL"), *collector = HL_COLLECTOR_BIN;
    long n = 10000000;
    int requests = 40, sqlite = 1;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--votes") == 0) {
            if (util_parse_int(argv[++i], KIOSKS, 1L << 34, &n))
                die("--votes: a number from %d", KIOSKS);
        } else if (i + 1 < argc && strcmp(argv[i], "--work-dir") == 0) {
            work = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--pg") == 0) {
            pg = argv[++i];
        } else if (strcmp(argv[i], "--pg-only") == 0) {
            sqlite = 0;
        } else if (i + 1 < argc && strcmp(argv[i], "--requests") == 0) {
            long r;
            if (util_parse_int(argv[++i], 2, 10000, &r))
                die("--requests: 2 to 10000");
            requests = (int)r;
        } else {
            fputs("Usage: bench_dashboard [--votes N] [--requests R] [--work-dir DIR] [--pg URL]"
                  " [--pg-only]\n",
                  stderr);
            return 2;
        }
    }
    if (auth_init() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        die("libsodium or libcurl cannot start");
    if (sqlite) {
        char path[512], url[600];
        util_fmt(path, sizeof path, "%s/bench-dash.db", work);
        unlink(path);
        util_fmt(url, sizeof url, "sqlite:%s", path);
        run("SQLite", url, n, collector, work, requests);
        unlink(path);
    }
    if (pg && *pg) {
        char schema[64], url[1024];
        util_fmt(schema, sizeof schema, "bench_dash_%d", (int)getpid());
        PGconn *c = PQconnectdb(pg);
        char q[128];
        util_fmt(q, sizeof q, "CREATE SCHEMA %s", schema);
        PQclear(PQexec(c, q));
        util_fmt(url, sizeof url, "%s%soptions=-csearch_path%%3D%s", pg,
                 strchr(pg, '?') ? "&" : "?", schema);
        run("PostgreSQL", url, n, collector, work, requests);
        util_fmt(q, sizeof q, "DROP SCHEMA %s CASCADE", schema);
        PQclear(PQexec(c, q));
        PQfinish(c);
    }
    return 0;
}
