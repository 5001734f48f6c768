/* bench_sync: the sync path against design.md §5.
 *
 *  1. drain: N (100 000) unsent votes in a kiosk's votes.db, the real hailong-collector on
 *     127.0.0.1 with its default limits, and the kiosk's sender (sync_start, start delay 0, the
 *     same code the kiosk runs) sending until every vote is marked sent → votes/s (≥ 20 000).
 *  2. ingest: the same N votes as pre-built gzip batches of 500, POSTed one after another with
 *     libcurl (one kept-alive connection) to a fresh collector → votes/s, compared with
 *  3. raw insert: the same rows into the same schema (made by the collector's db_open), 500 rows
 *     per transaction as the collector commits them (SQLite: WAL, synchronous=FULL), one row per
 *     prepared INSERT and 500 rows per prepared INSERT; the faster is the baseline → ingest / raw
 *     (≥ 50 %).
 *  4. steady state (for docs/SCALING.md): 8 kiosks at once, one vote per request → votes/s.
 * Each on SQLite (files under --work-dir: the disk, not a tmpfs) and, with --pg URL or
 * HL_TEST_PG_URL, on PostgreSQL (schemas of its own, dropped at the end); 3 rounds on fresh
 * databases, best and range shown. Prints a table with the targets and PASS/MISS; the figures go
 * to docs/PERFORMANCE.md. --smoke: one round of 2 000 votes, only checks that it all works (ctest
 * bench_sync_smoke; its figures are never asserted). Exit 1 if anything was lost or refused. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_sync.h"
#include "db.h"
#include "sender.h"
#include "store.h"
#include "util.h"
#include "wire.h"

#define TARGET_DRAIN  20000.0 /* votes/s */
#define TARGET_INGEST 50.0    /* % of the raw insert */
#define DRAIN_LIMIT_S 600.0
#define SMALL_KIOSKS  8 /* the steady state: this many kiosks at once, one vote per request */

#ifndef HL_COLLECTOR_BIN
#define HL_COLLECTOR_BIN "hailong-collector"
#endif

typedef struct {
    const char *work, *collector, *pg;
    long n;
    int rounds; /* each measure this many times, on fresh databases: best and worst shown */
    int smoke, keep;
} opts;

typedef struct {
    int ok;
    double drain_s, drain_rate; /* of the best round */
    long requests, http_429;
    double server_ms; /* sum of the collector's per-batch ms during the drain */
    long server_batches;
    double ingest_rate;
    double small_rate, small_worst; /* 1-vote batches from SMALL_KIOSKS kiosks at once, votes/s */
    double raw1_rate, rawn_rate;    /* one row per INSERT; BATCH rows per INSERT */
    double raw_rate;                /* the better of the two: the baseline */
    /* Over the rounds: the rates above are the best, these the worst; the ratio's range is the
     * ratio within each round. */
    double drain_worst, ingest_worst, raw1_worst, rawn_worst;
    double pct_round_best, pct_round_worst;
    char note[256];
} result;

double bench_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t bench_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_sync: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* ---- the votes ---- */

static wire_vote *make_votes(long n)
{
    static const char *const officers[] = {"tp-hung", "vh-mai", "dc-minh",
                                           "tc-tuan", "tp-ha",  "vp-lan"};
    wire_vote *v = xcalloc((size_t)n, sizeof *v);
    char boot[37];
    util_uuid_v4(boot);
    int64_t t0 = bench_wall_ms() - (int64_t)n * 500; /* one vote every 0.5 s up to now */
    for (long i = 0; i < n; i++) {
        util_uuid_v4(v[i].uuid);
        v[i].seq = i + 1;
        memcpy(v[i].boot_id, boot, sizeof boot);
        util_strlcpy(v[i].officer_code, officers[i % 6], sizeof v[i].officer_code);
        v[i].rating = 3 - (int)(i % 3);
        util_strlcpy(v[i].reasons, v[i].rating == 1 && i % 2 ? "[\"cham-tre\",\"thai-do\"]" : "[]",
                     sizeof v[i].reasons);
        v[i].created_at = t0 + (int64_t)i * 500;
        v[i].misuse = i % 50 == 49;
    }
    return v;
}

/* The kiosk's votes.db with every vote 'unsent', as after a long outage. */
static void make_kiosk_db(const char *dir, const wire_vote *v, long n)
{
    char err[HL_ERR_MAX], path[4096];
    store *s = NULL;
    store_opts so = {0};
    if (store_open(&s, dir, &so, err, sizeof err) != 0)
        bench_die("%s", err);
    store_close(s);
    util_fmt(path, sizeof path, "%s/votes.db", dir);
    sqlite3 *kdb;
    sqlite3_stmt *st;
    if (sqlite3_open(path, &kdb) != SQLITE_OK ||
        sqlite3_exec(kdb, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(kdb,
                           "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating,"
                           " reasons, created_at, misuse, sync_state)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'unsent')",
                           -1, &st, NULL) != SQLITE_OK)
        bench_die("%s: %s", path, sqlite3_errmsg(kdb));
    for (long i = 0; i < n; i++) {
        sqlite3_bind_text(st, 1, v[i].uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, KIOSK_ID, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, v[i].seq);
        sqlite3_bind_text(st, 4, v[i].boot_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, v[i].officer_code, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 6, v[i].rating);
        sqlite3_bind_text(st, 7, v[i].reasons, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 8, v[i].created_at);
        sqlite3_bind_int(st, 9, v[i].misuse);
        if (sqlite3_step(st) != SQLITE_DONE)
            bench_die("%s: %s", path, sqlite3_errmsg(kdb));
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_exec(kdb, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        bench_die("%s: %s", path, sqlite3_errmsg(kdb));
    sqlite3_close(kdb);
}

/* ---- the collector process ---- */

/* Runs argv, returns its exit status; its standard output (first line) in out if out. */
static int run_capture(char *const argv[], char *out, size_t cap)
{
    int fds[2];
    if (pipe(fds) != 0)
        bench_die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(fds[1], 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    char buf[512];
    ssize_t r;
    while ((r = read(fds[0], buf, sizeof buf)) > 0)
        if (out && len + (size_t)r < cap) {
            memcpy(out + len, buf, (size_t)r);
            len += (size_t)r;
        }
    close(fds[0]);
    if (out) {
        out[len] = '\0';
        out[strcspn(out, "\r\n")] = '\0';
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

typedef struct {
    pid_t pid;
    int port;
    char log[4096];
} collector;

/* `init` (only it creates a database; again on an existing one, it changes nothing), then
 * `kiosk add KIOSK_ID`: its token into token. */
static void enrol(const opts *o, const char *db_url, const char *kiosk_id, char *token, size_t cap)
{
    char *init[] = {(char *)o->collector, "init", "--db", (char *)db_url, NULL};
    if (run_capture(init, token, cap) != 0)
        bench_die("%s init --db %s failed", o->collector, db_url);
    char *argv[] = {(char *)o->collector, "kiosk", "add", (char *)kiosk_id, "--db",
                    (char *)db_url,       NULL};
    if (run_capture(argv, token, cap) != 0 || strncmp(token, "hlk_", 4) != 0)
        bench_die("%s kiosk add %s failed (database %s)", o->collector, kiosk_id, db_url);
}

static void collector_start(const opts *o, collector *c, const char *dir, const char *name,
                            const char *db_url, int unlimited)
{
    char port_file[4096];
    util_fmt(port_file, sizeof port_file, "%s/%s.port", dir, name);
    util_fmt(c->log, sizeof c->log, "%s/%s.log", dir, name);
    unlink(port_file);
    c->pid = fork();
    if (c->pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (c->pid == 0) {
        int fd = open(c->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        unsetenv("HAILONG_COLLECTOR_FAULTS");
        char *argv[16];
        int k = 0;
        argv[k++] = (char *)o->collector;
        argv[k++] = "serve";
        argv[k++] = "--listen";
        argv[k++] = "127.0.0.1:0";
        argv[k++] = "--port-file";
        argv[k++] = port_file;
        argv[k++] = "--db";
        argv[k++] = (char *)db_url;
        if (unlimited) { /* ingest measures storing, not the rate limiter */
            argv[k++] = "--rate";
            argv[k++] = "100000";
            argv[k++] = "--burst";
            argv[k++] = "100000";
        }
        argv[k] = NULL;
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 400; i++) {
        char *s = util_read_file(port_file, NULL);
        if (s) {
            long port = 0;
            s[strcspn(s, "\r\n")] = '\0';
            c->port = util_parse_int(s, 1, 65535, &port) == 0 ? (int)port : 0;
            free(s);
            if (c->port > 0)
                return;
        }
        int status;
        if (waitpid(c->pid, &status, WNOHANG) == c->pid)
            break;
        usleep(25000);
    }
    char *logtext = util_read_file(c->log, NULL);
    bench_die("the collector did not start:\n%s", logtext ? logtext : "(no log)");
}

static void collector_stop(collector *c)
{
    if (c->pid <= 0)
        return;
    kill(c->pid, SIGTERM);
    int status = 0;
    waitpid(c->pid, &status, 0);
    c->pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "bench_sync: the collector exited with status %d (log %s)\n", status,
                c->log);
}

/* From the collector's log: batch lines with status=200 (count, sum of ms) and 429 answers. */
static void scan_log(const char *path, long *batches, double *ms, long *n429)
{
    *batches = 0, *ms = 0, *n429 = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        const char *p;
        if (strstr(line, "batch kiosk=") && strstr(line, "status=200") &&
            (p = strstr(line, " ms="))) {
            (*batches)++;
            *ms += atof(p + 4);
        }
        if (strstr(line, ": 429 "))
            (*n429)++;
    }
    fclose(f);
}

/* ---- the drain: the kiosk's sender, in process ---- */

static void drain(const opts *o, const char *dir, const char *db_url, const wire_vote *v,
                  result *res)
{
    char kdir[4096], token[256], url[64], err[HL_ERR_MAX];
    util_fmt(kdir, sizeof kdir, "%s/kiosk", dir);
    make_kiosk_db(kdir, v, o->n);
    enrol(o, db_url, KIOSK_ID, token, sizeof token);
    collector c;
    collector_start(o, &c, dir, "drain", db_url, 0); /* the default limits */
    util_fmt(url, sizeof url, "http://127.0.0.1:%d", c.port);
    sync_config sc = {.data_dir = kdir,
                      .kiosk_id = KIOSK_ID,
                      .url = url,
                      .token = token,
                      .batch_max = BATCH,
                      .start_delay_max_ms = 0};
    sync_sender *s = NULL;
    double t0 = bench_mono_s();
    if (sync_start(&s, &sc, NULL, NULL, err, sizeof err) != 0)
        bench_die("%s", err);
    sync_status st;
    double last_progress = t0;
    int64_t last_sent = 0;
    for (;;) {
        sync_get_status(s, &st);
        if (st.votes_sent >= o->n)
            break;
        double now = bench_mono_s();
        if (st.votes_sent != last_sent)
            last_sent = st.votes_sent, last_progress = now;
        if (now - t0 > DRAIN_LIMIT_S || now - last_progress > 60) {
            util_fmt(res->note, sizeof res->note, "drain stalled at %lld votes: %s",
                     (long long)st.votes_sent, st.last_error);
            break;
        }
        usleep(1000);
    }
    double t1 = bench_mono_s();
    sync_stop(s);
    res->drain_s = t1 - t0;
    res->drain_rate = (double)st.votes_sent / res->drain_s;
    res->requests = st.requests;
    collector_stop(&c);
    scan_log(c.log, &res->server_batches, &res->server_ms, &res->http_429);
    long stored = bench_count_votes(db_url);
    if (stored != o->n && !res->note[0])
        util_fmt(res->note, sizeof res->note, "the collector holds %ld votes, not %ld", stored,
                 o->n);
}

/* ---- ingest: pre-built batches POSTed to a fresh collector ---- */

typedef struct {
    size_t len;
    int not_accepted; /* a result other than "accepted" came back */
} sink_ctx;

static size_t sink(char *p, size_t size, size_t n, void *ctx)
{
    size_t len = size * n;
    sink_ctx *c = ctx;
    c->len += len;
    if (memmem(p, len, "\"rejected\"", 10) || memmem(p, len, "\"duplicate\"", 11))
        c->not_accepted = 1;
    return len;
}

/* A kept-alive libcurl handle that POSTs gzip batches to one kiosk's endpoint with its token. */
typedef struct {
    CURL *e;
    char auth[300];
    sink_ctx got;
} poster;

static void poster_open(poster *p, const char *url, const char *token)
{
    memset(p, 0, sizeof *p);
    util_fmt(p->auth, sizeof p->auth, "Authorization: Bearer %s", token);
    p->e = curl_easy_init();
    curl_easy_setopt(p->e, CURLOPT_URL, url);
    curl_easy_setopt(p->e, CURLOPT_POST, 1L);
    curl_easy_setopt(p->e, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(p->e, CURLOPT_WRITEDATA, (void *)&p->got);
    curl_easy_setopt(p->e, CURLOPT_NOSIGNAL, 1L);
}

/* One batch, its batch_id as the Idempotency-Key. Returns the HTTP status (0: none); *rc. */
static long post_batch(poster *p, const char *batch_id, const void *gz, size_t len, CURLcode *rc)
{
    char key[80];
    util_fmt(key, sizeof key, "Idempotency-Key: %s", batch_id);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Content-Encoding: gzip");
    h = curl_slist_append(h, "Expect:");
    h = curl_slist_append(h, p->auth);
    h = curl_slist_append(h, key);
    curl_easy_setopt(p->e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(p->e, CURLOPT_POSTFIELDS, gz);
    curl_easy_setopt(p->e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    *rc = curl_easy_perform(p->e);
    long code = 0;
    curl_easy_getinfo(p->e, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    return code;
}

static void ingest(const opts *o, const char *dir, const char *db_url, const wire_vote *v,
                   result *res)
{
    long nb = (o->n + BATCH - 1) / BATCH;
    void **body = xcalloc((size_t)nb, sizeof *body);
    size_t *blen = xcalloc((size_t)nb, sizeof *blen);
    char(*bid)[37] = xcalloc((size_t)nb, sizeof *bid);
    for (long b = 0; b < nb; b++) {
        size_t k = (size_t)(o->n - b * BATCH < BATCH ? o->n - b * BATCH : BATCH);
        char *json;
        size_t jlen;
        util_uuid_v4(bid[b]);
        if (wire_encode_batch(KIOSK_ID, bid[b], bench_wall_ms(), v + b * BATCH, k, NULL, 0, &json,
                              &jlen) != 0 ||
            wire_gzip(json, jlen, &body[b], &blen[b]) != 0)
            bench_die("cannot encode batch %ld", b);
        free(json);
    }
    char token[256], url[128];
    enrol(o, db_url, KIOSK_ID, token, sizeof token);
    collector c;
    collector_start(o, &c, dir, "ingest", db_url, 1);
    util_fmt(url, sizeof url, "http://127.0.0.1:%d/v1/kiosks/%s/vote-batches", c.port, KIOSK_ID);
    poster p;
    poster_open(&p, url, token);
    double t0 = bench_mono_s();
    for (long b = 0; b < nb; b++) {
        CURLcode rc;
        long code = post_batch(&p, bid[b], body[b], blen[b], &rc);
        if (rc != CURLE_OK || code != 200)
            bench_die("ingest: batch %ld: %s, HTTP %ld (log %s)", b, curl_easy_strerror(rc), code,
                      c.log);
    }
    double t1 = bench_mono_s();
    curl_easy_cleanup(p.e);
    collector_stop(&c);
    if (p.got.not_accepted)
        util_fmt(res->note, sizeof res->note, "ingest: some votes came back not accepted");
    res->ingest_rate = (double)o->n / (t1 - t0);
    long stored = bench_count_votes(db_url);
    if (stored != o->n && !res->note[0])
        util_fmt(res->note, sizeof res->note, "ingest: the collector holds %ld votes, not %ld",
                 stored, o->n);
    for (long b = 0; b < nb; b++)
        free(body[b]);
    free(body);
    free(blen);
    free(bid);
}

/* ---- the steady state: one vote per request, several kiosks at once ---- */

typedef struct {
    const char *url_base; /* http://127.0.0.1:PORT */
    char kiosk[32], token[256];
    const wire_vote *v; /* this kiosk's votes, one per request */
    long n;
    int failed;
} small_ctx;

static void *small_thread(void *arg)
{
    small_ctx *c = arg;
    char url[160], bid[37];
    util_fmt(url, sizeof url, "%s/v1/kiosks/%s/vote-batches", c->url_base, c->kiosk);
    poster p;
    poster_open(&p, url, c->token);
    for (long i = 0; i < c->n && !c->failed; i++) {
        char *json;
        size_t jlen, glen;
        void *gz;
        util_uuid_v4(bid);
        if (wire_encode_batch(c->kiosk, bid, bench_wall_ms(), &c->v[i], 1, NULL, 0, &json, &jlen) !=
                0 ||
            wire_gzip(json, jlen, &gz, &glen) != 0) {
            c->failed = 1;
            break;
        }
        free(json);
        CURLcode rc;
        if (post_batch(&p, bid, gz, glen, &rc) != 200 || rc != CURLE_OK)
            c->failed = 1;
        free(gz);
    }
    if (p.got.not_accepted)
        c->failed = 1;
    curl_easy_cleanup(p.e);
    return NULL;
}

/* SMALL_KIOSKS kiosks, each sending its share of the first few thousand votes one per request,
 * all at once, to a fresh collector without rate limit (this measures the collector and its
 * database, one transaction per request). */
static void small_batches(const opts *o, const char *dir, const char *db_url, const wire_vote *v,
                          result *res)
{
    long n_small = o->smoke ? 200 : 4000;
    if (n_small > o->n)
        n_small = o->n;
    small_ctx ctx[SMALL_KIOSKS];
    char base[64];
    memset(ctx, 0, sizeof ctx);
    for (int k = 0; k < SMALL_KIOSKS; k++) {
        snprintf(ctx[k].kiosk, sizeof ctx[k].kiosk, "bench-small-%d", k + 1);
        enrol(o, db_url, ctx[k].kiosk, ctx[k].token, sizeof ctx[k].token);
        ctx[k].v = v + k * (n_small / SMALL_KIOSKS);
        ctx[k].n = n_small / SMALL_KIOSKS;
    }
    collector c;
    collector_start(o, &c, dir, "small", db_url, 1);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", c.port);
    pthread_t th[SMALL_KIOSKS];
    double t0 = bench_mono_s();
    for (int k = 0; k < SMALL_KIOSKS; k++) {
        ctx[k].url_base = base;
        if (pthread_create(&th[k], NULL, small_thread, &ctx[k]) != 0)
            bench_die("pthread_create failed");
    }
    for (int k = 0; k < SMALL_KIOSKS; k++)
        pthread_join(th[k], NULL);
    double t1 = bench_mono_s();
    collector_stop(&c);
    long sent = 0;
    for (int k = 0; k < SMALL_KIOSKS; k++) {
        sent += ctx[k].n;
        if (ctx[k].failed && !res->note[0])
            util_fmt(res->note, sizeof res->note, "small batches: kiosk %s had a failed request",
                     ctx[k].kiosk);
    }
    res->small_rate = (double)sent / (t1 - t0);
    long stored = bench_count_votes(db_url);
    if (stored != sent && !res->note[0])
        util_fmt(res->note, sizeof res->note, "small batches: the collector holds %ld, not %ld",
                 stored, sent);
}

/* ---- one backend ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void keep_range(double x, double *best, double *worst)
{
    if (x > *best)
        *best = x;
    if (*worst == 0 || x < *worst)
        *worst = x;
}

/* o->rounds rounds of drain, ingest and the two raw inserts, each on fresh databases; the best
 * and worst of each are kept (a shared machine's load changes from one second to the next). */
static void run_backend(const opts *o, const char *root, int pg, const wire_vote *v, result *res)
{
    const char *label = pg ? "postgresql" : "sqlite";
    for (int round = 0; round < o->rounds; round++) {
        char dir[4096], url[4200], schema[5][64];
        util_fmt(dir, sizeof dir, "%s/%s-%d", root, label, round + 1);
        if (util_mkdirs(dir) != 0)
            bench_die("%s: %s", dir, strerror(errno));
        const char *names[5] = {"drain", "ingest", "raw1", "rawn", "small"};
        char *urls[5];
        for (int i = 0; i < 5; i++) {
            if (pg) {
                snprintf(schema[i], sizeof schema[i], "bench_sync_%s_%ld", names[i],
                         (long)getpid());
                urls[i] = bench_pg_schema_url(o->pg, schema[i]);
            } else {
                util_fmt(url, sizeof url, "sqlite:%s/collector-%s.db", dir, names[i]);
                urls[i] = xstrdup(url);
            }
        }
        result r;
        memset(&r, 0, sizeof r);
        fprintf(stderr, "bench_sync: %s, round %d of %d: drain of %ld votes...\n", label, round + 1,
                o->rounds, o->n);
        drain(o, dir, urls[0], v, &r);
        fprintf(stderr, "bench_sync: %s: ingest...\n", label);
        ingest(o, dir, urls[1], v, &r);
        fprintf(stderr, "bench_sync: %s: one vote per request, %d kiosks at once...\n", label,
                SMALL_KIOSKS);
        small_batches(o, dir, urls[4], v, &r);
        fprintf(stderr, "bench_sync: %s: raw inserts...\n", label);
        for (int m = 0; m < 2; m++) {
            double t = bench_raw_insert(urls[2 + m], v, o->n, m ? BATCH : 1);
            *(m ? &r.rawn_rate : &r.raw1_rate) = (double)o->n / t;
            long raw = bench_count_votes(urls[2 + m]);
            if (raw != o->n && !r.note[0])
                util_fmt(r.note, sizeof r.note, "raw insert stored %ld rows, not %ld", raw, o->n);
        }
        for (int i = 0; i < 5; i++) {
            if (pg && !o->keep)
                bench_pg_drop_schema(o->pg, schema[i]);
            free(urls[i]);
        }
        if (!o->keep)
            nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        if (r.note[0] && !res->note[0])
            util_strlcpy(res->note, r.note, sizeof res->note);
        if (r.drain_rate > res->drain_rate) { /* the best drain, with its details */
            res->drain_s = r.drain_s, res->requests = r.requests, res->http_429 = r.http_429;
            res->server_ms = r.server_ms, res->server_batches = r.server_batches;
        }
        keep_range(r.drain_rate, &res->drain_rate, &res->drain_worst);
        keep_range(r.ingest_rate, &res->ingest_rate, &res->ingest_worst);
        keep_range(r.small_rate, &res->small_rate, &res->small_worst);
        keep_range(r.raw1_rate, &res->raw1_rate, &res->raw1_worst);
        keep_range(r.rawn_rate, &res->rawn_rate, &res->rawn_worst);
        double pct =
            100.0 * r.ingest_rate / (r.raw1_rate > r.rawn_rate ? r.raw1_rate : r.rawn_rate);
        keep_range(pct, &res->pct_round_best, &res->pct_round_worst);
    }
    res->raw_rate = res->raw1_rate > res->rawn_rate ? res->raw1_rate : res->rawn_rate;
    res->ok = !res->note[0];
}

/* ---- output ---- */

static void print_machine(const opts *o)
{
    struct utsname u;
    uname(&u);
    char cpu[256] = "?";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "model name", 10) == 0) {
                const char *p = strchr(line, ':');
                util_strlcpy(cpu, p ? p + 2 : line, sizeof cpu);
                cpu[strcspn(cpu, "\n")] = '\0';
                break;
            }
        fclose(f);
    }
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 0)
        load[0] = -1;
    time_t t = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    printf("bench_sync: %s, %s %s, %s, %ld CPUs, load %.2f; sqlite %s, libpq %d; %ld votes, %d "
           "round(s)%s; work dir %s\n",
           date, u.sysname, u.release, cpu, sysconf(_SC_NPROCESSORS_ONLN), load[0],
           sqlite3_libversion(), PQlibVersion(), o->n, o->rounds,
           o->smoke ? " (smoke: figures mean nothing)" : "", o->work);
}

static const char *verdict(int ok, double got, double target)
{
    return !ok ? "ERROR" : got >= target ? "PASS" : "MISS";
}

static void print_row(const char *what, const char *target, const result *r, int n_r,
                      void (*cell)(const result *r, char *out, size_t cap))
{
    printf("| %s | %s |", what, target);
    for (int i = 0; i < n_r; i++) {
        char c[160];
        cell(&r[i], c, sizeof c);
        printf(" %s |", c);
    }
    printf("\n");
}

/* "best" or "best (worst–best)" when there were several rounds */
static void range(char *out, size_t cap, double best, double worst, int rounds, const char *unit)
{
    if (rounds > 1)
        snprintf(out, cap, "%.0f%s (%.0f–%.0f)", best, unit, worst, best);
    else
        snprintf(out, cap, "%.0f%s", best, unit);
}

static int g_rounds = 1;

static void c_drain(const result *r, char *out, size_t cap)
{
    char a[96];
    range(a, sizeof a, r->drain_rate, r->drain_worst, g_rounds, " votes/s");
    snprintf(out, cap, "**%s** — %s; best: %.2f s, %ld requests, %ld × 429", a,
             verdict(r->ok, r->drain_rate, TARGET_DRAIN), r->drain_s, r->requests, r->http_429);
}
static void c_server(const result *r, char *out, size_t cap)
{
    double s = r->server_ms / 1000.0;
    snprintf(out, cap, "%.2f s in %ld batches → %.0f votes/s", s, r->server_batches,
             s > 0 ? (double)r->server_batches * BATCH / s : 0.0);
}
static void c_ingest(const result *r, char *out, size_t cap)
{
    range(out, cap, r->ingest_rate, r->ingest_worst, g_rounds, " votes/s");
}
static void c_small(const result *r, char *out, size_t cap)
{
    range(out, cap, r->small_rate, r->small_worst, g_rounds, " votes/s");
}
static void c_raw1(const result *r, char *out, size_t cap)
{
    range(out, cap, r->raw1_rate, r->raw1_worst, g_rounds, " votes/s");
    if (r->raw1_rate >= r->rawn_rate)
        util_strlcpy(out + strlen(out), " ← baseline", cap - strlen(out));
}
static void c_rawn(const result *r, char *out, size_t cap)
{
    range(out, cap, r->rawn_rate, r->rawn_worst, g_rounds, " votes/s");
    if (r->rawn_rate > r->raw1_rate)
        util_strlcpy(out + strlen(out), " ← baseline", cap - strlen(out));
}
static void c_pct(const result *r, char *out, size_t cap)
{
    double pct = r->raw_rate > 0 ? 100.0 * r->ingest_rate / r->raw_rate : 0;
    if (g_rounds > 1)
        snprintf(out, cap, "**%.0f %%** — %s (within each round: %.0f–%.0f %%)", pct,
                 verdict(r->ok, pct, TARGET_INGEST), r->pct_round_worst, r->pct_round_best);
    else
        snprintf(out, cap, "**%.0f %%** — %s", pct, verdict(r->ok, pct, TARGET_INGEST));
}

static void usage(FILE *f)
{
    fputs("Usage: bench_sync [--count N] [--rounds R] [--work-dir DIR] [--collector PATH]\n"
          "                  [--pg URL] [--smoke] [--keep]\n"
          "Drains N (100000) queued votes to a loopback hailong-collector, and compares the\n"
          "collector's ingest with a raw insert of the same rows; on SQLite, and on PostgreSQL\n"
          "with --pg URL (default: $HL_TEST_PG_URL). Each measure R times (3; --smoke: 1 round\n"
          "of 2000 votes) on fresh databases: the best counts, the range is shown. Temporary\n"
          "files go under --work-dir (default .): use a directory on the real disk.\n",
          f);
}

int main(int argc, char **argv)
{
    opts o = {
        .work = ".", .collector = HL_COLLECTOR_BIN, .pg = getenv("HL_TEST_PG_URL"), .n = 100000};
    long count = 0, rounds = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--smoke") == 0) {
            o.smoke = 1;
        } else if (strcmp(a, "--keep") == 0) {
            o.keep = 1;
        } else if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (i + 1 < argc && strcmp(a, "--count") == 0) {
            if (util_parse_int(argv[++i], 1, 10000000, &count) != 0)
                return usage(stderr), 2;
        } else if (i + 1 < argc && strcmp(a, "--rounds") == 0) {
            if (util_parse_int(argv[++i], 1, 100, &rounds) != 0)
                return usage(stderr), 2;
        } else if (i + 1 < argc && strcmp(a, "--work-dir") == 0) {
            o.work = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--collector") == 0) {
            o.collector = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--pg") == 0) {
            o.pg = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    o.n = count ? count : o.smoke ? 2000 : 100000;
    o.rounds = (int)(rounds ? rounds : o.smoke ? 1 : 3);
    g_rounds = o.rounds;
    if (o.pg && !*o.pg)
        o.pg = NULL;
    if (access(o.collector, X_OK) != 0)
        bench_die("%s: not an executable (pass --collector PATH)", o.collector);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    char root[4096];
    util_fmt(root, sizeof root, "%s/bench-sync.XXXXXX", o.work);
    if (!mkdtemp(root))
        bench_die("%s: %s", root, strerror(errno));
    print_machine(&o);
    wire_vote *v = make_votes(o.n);
    result r[2];
    memset(r, 0, sizeof r);
    run_backend(&o, root, 0, v, &r[0]);
    int n_r = 1;
    if (o.pg) {
        run_backend(&o, root, 1, v, &r[1]);
        n_r = 2;
    }
    free(v);
    if (!o.keep)
        nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    else
        fprintf(stderr, "bench_sync: kept %s\n", root);

    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 0)
        load[0] = -1;
    printf("(load average at the end: %.2f)\n", load[0]);
    printf("\n| what (design.md §5) | target | SQLite |%s\n", o.pg ? " PostgreSQL |" : "");
    printf("| --- | --- | --- |%s\n", o.pg ? " --- |" : "");
    print_row("sync drain of the queued votes to a loopback collector", "≥ 20 000 votes/s", r, n_r,
              c_drain);
    print_row("… the collector's own time for the best drain's batches (its log)", "", r, n_r,
              c_server);
    print_row("collector ingest (pre-built gzip batches of 500, POSTed in turn)", "", r, n_r,
              c_ingest);
    print_row("raw insert of the same rows, 500 per transaction: one row per prepared INSERT", "",
              r, n_r, c_raw1);
    print_row("… the same, 500 rows per prepared INSERT", "", r, n_r, c_rawn);
    print_row("collector ingest / the faster raw insert (best / best)", "≥ 50 %", r, n_r, c_pct);
    print_row("steady state: one vote per request, 8 kiosks at once", "", r, n_r, c_small);
    int ok = 1;
    for (int i = 0; i < n_r; i++)
        if (!r[i].ok) {
            fprintf(stderr, "bench_sync: %s: %s\n", i ? "postgresql" : "sqlite", r[i].note);
            ok = 0;
        }
    if (!o.pg)
        printf("\n(PostgreSQL not measured: pass --pg URL or set HL_TEST_PG_URL)\n");
    curl_global_cleanup();
    return ok ? 0 : 1;
}
