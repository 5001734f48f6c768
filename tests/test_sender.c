/* test_sender: the kiosk's sync thread against a scripted HTTP server on 127.0.0.1 (srv.h):
 * retries, Retry-After, the auth stop, the 413 split, timeouts, dropped connections, rejected
 * votes, start and stop; and a kiosk whose taps never wait for it. */
#include <SDL.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "kfx.h"
#include "log.h"
#include "seed.h"
#include "sender.h"
#include "srv.h"
#include "store.h"
#include "test.h"
#include "util.h"
#include "wire.h"

#define KIOSK "kiosk-01"
#define TOKEN "tok-123.abc"

/* --- answers --- */

static int h_accept(srv *v, const srv_req *r, int idx, int *status, char *hdrs, size_t hcap,
                    char **body)
{
    (void)idx, (void)hdrs, (void)hcap;
    *status = 200;
    *body = srv_results(v, r, NULL);
    return SRV_SEND;
}

/* First answer from ctx (status and headers), then accept. */
typedef struct {
    int status;
    const char *hdrs;
    const char *body;
    int act;
    int times;
} first_ctx;

static int h_first_then_accept(srv *v, const srv_req *r, int idx, int *status, char *hdrs,
                               size_t hcap, char **body)
{
    const first_ctx *c = v->ctx;
    if (idx < c->times) {
        *status = c->status;
        util_strlcpy(hdrs, c->hdrs ? c->hdrs : "", hcap);
        *body = xstrdup(c->body ? c->body : "{\"error\":\"test\"}");
        return c->act;
    }
    return h_accept(v, r, idx, status, hdrs, hcap, body);
}

static int h_always(srv *v, const srv_req *r, int idx, int *status, char *hdrs, size_t hcap,
                    char **body)
{
    (void)r, (void)idx;
    const first_ctx *c = v->ctx;
    *status = c->status;
    util_strlcpy(hdrs, c->hdrs ? c->hdrs : "", hcap);
    *body = xstrdup("{}");
    return c->act;
}

/* 413 for batches of more than ctx votes. */
static int h_413_above(srv *v, const srv_req *r, int idx, int *status, char *hdrs, size_t hcap,
                       char **body)
{
    int max = *(const int *)v->ctx;
    if (r->n_votes > max) {
        *status = 413;
        *body = xstrdup("{\"error\":\"too large\"}");
        return SRV_SEND;
    }
    return h_accept(v, r, idx, status, hdrs, hcap, body);
}

static int h_reject_one(srv *v, const srv_req *r, int idx, int *status, char *hdrs, size_t hcap,
                        char **body)
{
    (void)idx, (void)hdrs, (void)hcap;
    *status = 200;
    *body = srv_results(v, r, (const char *)v->ctx);
    return SRV_SEND;
}

/* --- sender fixture --- */

typedef struct {
    char dir[PATH_MAX], db[PATH_MAX], url[64];
    store *s;
    srv *v;
    sync_config c; /* what sfx_start starts with: fast_config, unless the test changes it */
    sync_sender *snd;
    atomic_int notified;
} sfx;

static void on_notify(void *ctx)
{
    sfx *f = ctx;
    atomic_fetch_add(&f->notified, 1);
}

static sync_config fast_config(sfx *f)
{
    sync_config c = {.data_dir = f->dir,
                     .kiosk_id = KIOSK,
                     .url = f->url,
                     .token = TOKEN,
                     .base_ms = 20,
                     .cap_ms = 200,
                     .start_delay_max_ms = 0,
                     .timeout_ms = 5000,
                     .idle_poll_ms = 50};
    return c;
}

static int sfx_open(sfx *f, srv_handler h, void *ctx, int n_votes)
{
    memset(f, 0, sizeof *f);
    test_new_dir(f->dir, sizeof f->dir);
    test_path(f->db, sizeof f->db, f->dir, "votes.db");
    f->s = seed_open(f->dir, 0);
    if (!f->s)
        return -1;
    for (int i = 0; i < n_votes; i++)
        if (seed_add(f->s, KIOSK, 1 + i % 3, 0, NULL) != 0)
            return -1;
    f->v = srv_start(h, ctx);
    util_fmt(f->url, sizeof f->url, "http://127.0.0.1:%d/", f->v->port);
    f->c = fast_config(f);
    return 0;
}

static int sfx_start(sfx *f)
{
    char err[HL_ERR_MAX];
    if (sync_start(&f->snd, &f->c, on_notify, f, err, sizeof err) != 0) {
        fprintf(stderr, "sync_start: %s\n", err);
        return -1;
    }
    return 0;
}

/* sfx_open, then sfx_start with the fast config. */
static int sfx_run(sfx *f, srv_handler h, void *ctx, int n_votes)
{
    return sfx_open(f, h, ctx, n_votes) == 0 ? sfx_start(f) : -1;
}

static void sfx_close(sfx *f)
{
    sync_stop(f->snd);
    f->snd = NULL;
    srv_stop(f->v);
    store_close(f->s);
}

static long long count_state(sfx *f, const char *state)
{
    char sql[128];
    util_fmt(sql, sizeof sql, "SELECT count(*) FROM votes WHERE sync_state = '%s'", state);
    return db_int(f->db, sql);
}

static int all_sent(sfx *f)
{
    return count_state(f, "unsent") == 0;
}

static int same_body(const srv_req *a, const srv_req *b)
{
    return a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0;
}

/* The size of a file, -1 if it cannot be read. */
static long long file_bytes(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* ===================== sender ===================== */

static void t_send_ok(void)
{
    sfx f;
    REQUIRE(sfx_run(&f, h_accept, NULL, 3) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(count_state(&f, "sent"), 3);
    CHECK_INT(srv_count(f.v), 1);
    const srv_req *r = &f.v->reqs[0];
    char val[256];
    CHECK_CONTAINS(r->headers, "POST /v1/kiosks/" KIOSK "/vote-batches HTTP/1.1\r\n");
    srv_header(r, "Authorization", val, sizeof val);
    CHECK_STR(val, "Bearer " TOKEN);
    srv_header(r, "Idempotency-Key", val, sizeof val);
    CHECK_STR(val, r->batch_id);
    CHECK(wire_valid_uuid(r->batch_id));
    srv_header(r, "Content-Encoding", val, sizeof val);
    CHECK_STR(val, "gzip");
    srv_header(r, "Content-Type", val, sizeof val);
    CHECK_STR(val, "application/json");
    srv_header(r, "User-Agent", val, sizeof val);
    CHECK_STR(val, "hailong-kiosk/" HL_VERSION);
    CHECK_INT(r->n_votes, 3);
    /* The kiosk's clock at sending, by which the collector judges its votes' times. */
    srv_header(r, "X-Hailong-Sent-At", val, sizeof val);
    int64_t sent_at = 0;
    CHECK_INT(wire_parse_ms(val, &sent_at), 0);
    hl_clock real = clk_real();
    CHECK(llabs(sent_at - clk_wall_ms(&real)) < 60000);
    /* After a round the sender folds the write-ahead log into votes.db and empties it, so a
     * damaged -wal can cost only the votes recorded since (issue 10, item 9). */
    char wal[PATH_MAX];
    util_fmt(wal, sizeof wal, "%s-wal", f.db);
    CHECK_WITHIN(file_bytes(wal) == 0, 5000);
    /* Status, in memory and in the file. */
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "idle") == 0), 5000);
    CHECK_INT(ss.votes_sent, 3);
    CHECK(ss.last_success_at > 0);
    CHECK(atomic_load(&f.notified) > 0);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(f.s, KIOSK, &st), 0);
    CHECK_INT(st.waiting, 0);
    CHECK(st.last_success_at > 0);
    CHECK_STR(st.state, STORE_SYNC_STATE_IDLE);

    /* A poke after a new vote sends it without waiting for the idle poll. */
    REQUIRE(seed_add(f.s, KIOSK, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    sfx_close(&f);
    CHECK_INT(db_int(f.db, "SELECT count(*) FROM sync_status WHERE state = 'stopped'"), 1);
}

/* Health reports answered ok, or 404 as an older collector does (ctx: the status for them). */
static int h_health(srv *v, const srv_req *r, int idx, int *status, char *hdrs, size_t hcap,
                    char **body)
{
    if (strstr(r->path, "/status")) {
        *status = *(const int *)v->ctx;
        *body =
            xstrdup(*status == 200 ? "{\"status\":\"ok\"}" : "{\"error\":\"no such endpoint\"}");
        return SRV_SEND;
    }
    return h_accept(v, r, idx, status, hdrs, hcap, body);
}

static int count_path(sfx *f, const char *part)
{
    int n = 0;
    srv_lock(f->v);
    for (int i = 0; i < f->v->n; i++)
        n += strstr(f->v->reqs[i].path, part) != NULL;
    srv_unlock(f->v);
    return n;
}

/* The latest health report the collector got: decoded into h (0), and whether its bytes end with
 * tail. -1 when there is none or it does not decode. */
static int latest_health(sfx *f, wire_health *h, const char *tail, int *tail_ok)
{
    char err[HL_ERR_MAX];
    int rc = -1;
    srv_lock(f->v);
    for (int i = f->v->n - 1; i >= 0 && rc; i--) {
        const srv_req *r = &f->v->reqs[i];
        if (!strstr(r->path, "/status"))
            continue;
        size_t n = strlen(tail);
        *tail_ok = r->body_len >= n && memcmp(r->body + r->body_len - n, tail, n) == 0;
        rc = wire_decode_health((const char *)r->body, r->body_len, h, err, sizeof err) ? -2 : 0;
    }
    srv_unlock(f->v);
    return rc;
}

/* After a round that delivered votes, the health report: the kiosk's version, content version,
 * backlog, officers and reasons' labels, under its token; not counted as a batch request. Again at
 * the heartbeat, each with the reasons as they were at the start (copied: the caller's may go).
 * A collector that answers 404 is not asked again; the votes go on as before. */
static void t_health_report(void)
{
    int answer = 200;
    sfx f;
    REQUIRE(sfx_open(&f, h_health, &answer, 2) == 0);
    wire_officer off[1] = {{"tp-hung", "Nguyễn Văn Hùng", "Trưởng phòng", "Quầy 1"}};
    wire_reason rs[2] = {{"cham-tre", "Chậm trễ"}, {"thai-do", "Thái độ"}};
    f.c.health_every_ms = 300;
    f.c.officers = off;
    f.c.n_officers = 1;
    f.c.reasons = rs;
    f.c.n_reasons = 2;
    f.c.content_version = "00ff";
    REQUIRE(sfx_start(&f) == 0);
    util_strlcpy(rs[0].label, "đổi sau khi bắt đầu", sizeof rs[0].label);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_WITHIN(count_path(&f, "/status") >= 1, 5000);
    srv_lock(f.v);
    const srv_req *r = NULL;
    for (int i = 0; i < f.v->n && !r; i++)
        if (strstr(f.v->reqs[i].path, "/status"))
            r = &f.v->reqs[i];
    REQUIRE(r);
    CHECK_STR(r->path, "/v1/kiosks/" KIOSK "/status");
    char val[256];
    srv_header(r, "Authorization", val, sizeof val);
    CHECK_STR(val, "Bearer " TOKEN);
    wire_health h;
    char err[HL_ERR_MAX];
    REQUIRE(wire_decode_health((const char *)r->body, r->body_len, &h, err, sizeof err) == 0);
    srv_unlock(f.v);
    CHECK_STR(h.kiosk_id, KIOSK);
    CHECK_STR(h.version, HL_VERSION);
    CHECK_STR(h.content_version, "00ff");
    CHECK_INT(h.unsent, 0);
    CHECK_INT(h.clock_suspect, 0);
    REQUIRE(h.n_officers == 1);
    CHECK_STR(h.officers[0].name, "Nguyễn Văn Hùng");
    REQUIRE(h.n_reasons == 2);
    CHECK_STR(h.reasons[0].label, "Chậm trễ");
    CHECK_STR(h.reasons[1].code, "thai-do");
    wire_health_free(&h);
    sync_status ss;
    sync_get_status(f.snd, &ss);
    CHECK_INT(ss.requests, 1); /* the batch alone */
    /* The heartbeat: more reports while idle, each with the reasons. */
    CHECK_WITHIN(count_path(&f, "/status") >= 3, 5000);
    int tail_ok = 0;
    REQUIRE(latest_health(&f, &h,
                          ",\"reasons\":[{\"code\":\"cham-tre\",\"label\":\"Chậm trễ\"},"
                          "{\"code\":\"thai-do\",\"label\":\"Thái độ\"}]}",
                          &tail_ok) == 0);
    CHECK(tail_ok);
    CHECK_INT(h.n_reasons, 2);
    wire_health_free(&h);
    sfx_close(&f);

    /* An older collector: 404 once, then never asked again, and votes still go. */
    answer = 404;
    REQUIRE(sfx_open(&f, h_health, &answer, 1) == 0);
    f.c.health_every_ms = 100;
    REQUIRE(sfx_start(&f) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_WITHIN(count_path(&f, "/status") == 1, 5000);
    /* No reasons given: the list is sent empty. */
    REQUIRE(latest_health(&f, &h, ",\"reasons\":[]}", &tail_ok) == 0);
    CHECK(tail_ok);
    CHECK_INT(h.n_reasons, 0);
    wire_health_free(&h);
    REQUIRE(seed_add(f.s, KIOSK, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    CHECK_WITHIN(all_sent(&f), 10000);
    usleep(500 * 1000); /* five heartbeats' time: none may come */
    CHECK_INT(count_path(&f, "/status"), 1);
    sfx_close(&f);
}

/* 503 with Retry-After: the retry waits at least that long (the backoff alone would be
 * milliseconds), resends the same bytes under the same key, then the votes are sent. */
static void t_retry_after_seconds(void)
{
    first_ctx fc = {503, "Retry-After: 1\r\n", NULL, SRV_SEND, 1};
    sfx f;
    REQUIRE(sfx_run(&f, h_first_then_accept, &fc, 2) == 0);
    CHECK_WITHIN(srv_count(f.v) >= 1, 5000);
    /* While backing off the state says until when. */
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "backoff") == 0), 5000);
    CHECK(ss.backoff_until > 0);
    CHECK_CONTAINS(ss.last_error, "503");
    char vi[320]; /* issue 13: the admin screen says it in Vietnamese */
    sync_error_vi(ss.last_error, vi, sizeof vi);
    CHECK_STR(vi, "Máy chủ tổng hợp đang bận hoặc gặp sự cố (mã 503). Máy sẽ tự gửi lại.");
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 990);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    char k0[64], k1[64];
    srv_header(&f.v->reqs[0], "Idempotency-Key", k0, sizeof k0);
    srv_header(&f.v->reqs[1], "Idempotency-Key", k1, sizeof k1);
    CHECK_STR(k0, k1);
    sfx_close(&f);
}

/* Retry-After as an HTTP-date (429). */
static void t_retry_after_date(void)
{
    char hdr[128], date[64];
    time_t when = time(NULL) + 2;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    util_fmt(hdr, sizeof hdr, "Retry-After: %s\r\n", date);
    first_ctx fc = {429, hdr, NULL, SRV_SEND, 1};
    sfx f;
    REQUIRE(sfx_run(&f, h_first_then_accept, &fc, 1) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    /* The date has whole seconds: at least one second of the two remains. */
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 900);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    sfx_close(&f);
}

/* 500 three times: backoff, same bytes each time, the failures counted on the batch; then
 * sent, and the batch row is gone. */
static void t_500_backoff(void)
{
    first_ctx fc = {500, NULL, NULL, SRV_SEND, 3};
    sfx f;
    REQUIRE(sfx_run(&f, h_first_then_accept, &fc, 4) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 4);
    for (int i = 1; i < 4; i++)
        CHECK(same_body(&f.v->reqs[0], &f.v->reqs[i]));
    CHECK_INT(count_state(&f, "sent"), 4);
    CHECK_INT(db_int(f.db, "SELECT count(*) FROM batches"), 0);
    char val[256];
    db_text(f.db, "SELECT last_error FROM sync_status", val, sizeof val);
    CHECK_CONTAINS(val, "HTTP 500");
    sfx_close(&f);
}

/* 401: stop, nothing marked, no further requests, not even after a poke. */
static void t_401_stops(void)
{
    first_ctx fc = {401, NULL, NULL, SRV_SEND, 0};
    sfx f;
    REQUIRE(sfx_run(&f, h_always, &fc, 2) == 0);
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "stopped-auth") == 0), 5000);
    CHECK_CONTAINS(ss.last_error, "401");
    CHECK_CONTAINS(ss.last_error, "token");
    char vi[320];
    sync_error_vi(ss.last_error, vi, sizeof vi);
    CHECK_CONTAINS(vi, "Máy chủ từ chối mã đăng ký của máy");
    REQUIRE(seed_add(f.s, KIOSK, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    test_nap_ms(300); /* with a 20 ms base, a retry would have come by now */
    CHECK_INT(srv_count(f.v), 1);
    CHECK_INT(count_state(&f, "unsent"), 3);
    CHECK_INT(count_state(&f, "sent"), 0);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(f.s, KIOSK, &st), 0);
    CHECK_STR(st.state, STORE_SYNC_STATE_AUTH);
    CHECK_INT(st.auth_failed, 1);
    CHECK_INT(db_int(f.db, "SELECT last_status FROM batches"), 401);
    /* 403 the same. */
    sfx_close(&f);
    fc.status = 403;
    REQUIRE(sfx_run(&f, h_always, &fc, 1) == 0);
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "stopped-auth") == 0), 5000);
    test_nap_ms(100);
    CHECK_INT(srv_count(f.v), 1);
    sfx_close(&f);
}

/* 413 above 2 votes: the sender splits until the collector takes the batches; every vote sent
 * exactly once. */
static void t_413_split(void)
{
    int max = 2;
    sfx f;
    REQUIRE(sfx_run(&f, h_413_above, &max, 7) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(count_state(&f, "sent"), 7);
    srv_lock(f.v);
    CHECK_INT(f.v->reqs[0].n_votes, 7);
    CHECK_INT(f.v->reqs[1].n_votes, 3);
    CHECK_INT(f.v->reqs[2].n_votes, 1);
    CHECK_INT(f.v->n_sent_votes, 7);
    CHECK_INT(f.v->accepted_twice, 0);
    srv_unlock(f.v);
    sfx_close(&f);
}

/* A server that never answers: curl's timeout ends the request, the same batch goes again. */
static void t_hanging_server_times_out(void)
{
    first_ctx fc = {0, NULL, NULL, SRV_HANG, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    f.c.timeout_ms = 300;
    REQUIRE(sfx_start(&f) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 250);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    char val[256];
    db_text(f.db, "SELECT last_error FROM sync_status", val, sizeof val);
    CHECK_CONTAINS(val, "network");
    sfx_close(&f);
}

/* The connection closes without an answer: retried. */
static void t_dropped_connection(void)
{
    first_ctx fc = {0, NULL, NULL, SRV_DROP, 2};
    sfx f;
    REQUIRE(sfx_run(&f, h_first_then_accept, &fc, 2) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 3);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[2]));
    sfx_close(&f);
}

/* Nothing listening at all: backs off and keeps the votes; then the collector appears. */
static void t_connection_refused(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_accept, NULL, 2) == 0);
    f.c.url = "http://127.0.0.1:1/"; /* nothing listens on port 1 */
    REQUIRE(sfx_start(&f) == 0);
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strstr(ss.last_error, "network") != NULL), 5000);
    CHECK_INT(count_state(&f, "unsent"), 2);
    char vi[320];
    sync_error_vi(ss.last_error, vi, sizeof vi);
    CHECK_CONTAINS(vi, "Không kết nối được máy chủ tổng hợp");
    sync_error_vi("votes.db: disk I/O error", vi, sizeof vi); /* not the sender's: the store's */
    CHECK_CONTAINS(vi, "Lỗi đọc hoặc ghi dữ liệu phiếu trên máy");
    sync_error_vi("", vi, sizeof vi);
    CHECK_STR(vi, "");
    sfx_close(&f);
}

/* A 200 the kiosk cannot read, or one for another batch, marks nothing and is retried. */
static void t_bad_200(void)
{
    first_ctx fc = {200, NULL, "this is not json", SRV_SEND, 1};
    sfx f;
    REQUIRE(sfx_run(&f, h_first_then_accept, &fc, 2) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    sfx_close(&f);

    static const char other[] = "{\"batch_id\":\"99999999-9999-4999-8999-999999999999\","
                                "\"results\":[]}";
    first_ctx fc2 = {200, NULL, other, SRV_SEND, 1};
    REQUIRE(sfx_run(&f, h_first_then_accept, &fc2, 1) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    sfx_close(&f);
}

/* Another 4xx (400): the votes are kept and retried, slowly (the cap), never dropped. */
static void t_other_4xx_kept(void)
{
    first_ctx fc = {400, NULL, "{\"error\":\"votes: bad\"}", SRV_SEND, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    f.c.cap_ms = 400;
    REQUIRE(sfx_start(&f) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 380); /* the cap, not a quick retry */
    sfx_close(&f);
}

/* Every log message, for the tests that check what reached the log (the sender logs on its own
 * thread). */
static pthread_mutex_t logged_mu = PTHREAD_MUTEX_INITIALIZER;
static char logged[16384];

static void log_capture(log_level level, const char *msg, void *ctx)
{
    (void)level, (void)ctx;
    pthread_mutex_lock(&logged_mu);
    size_t used = strlen(logged);
    util_fmt(logged + used, sizeof logged - used, "%s\n", msg);
    pthread_mutex_unlock(&logged_mu);
}

/* `hailong-kiosk status --data-dir dir`: exit code, output in out. */
static int run_status(const char *dir, char *out, size_t cap)
{
    char args[PATH_MAX + 64], cmd[PATH_MAX * 2];
    util_fmt(args, sizeof args, "status --data-dir '%s'", dir);
    test_kiosk_cmd(cmd, sizeof cmd, args);
    return test_capture_to(cmd, out, cap);
}

/* A collector's error body quoted in the error (400) cannot forge a log line or drive a terminal:
 * newline, carriage return, ESC and a C1 control arrive as '?', in the log, in sync_status (what
 * `status` and the admin screen show); its Vietnamese stays readable. */
static void t_error_body_cleaned(void)
{
    first_ctx fc = {400, NULL,
                    "lỗi\n2026-12-01T00:00:00.000Z hailong error: forged\r\x1b[31mred\xc2\x9b",
                    SRV_SEND, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    f.c.cap_ms = 400;
    logged[0] = '\0';
    log_set_hook(log_capture, NULL);
    REQUIRE(sfx_start(&f) == 0);
    CHECK_WITHIN(srv_count(f.v) >= 1, 10000);
    char val[600];
    CHECK_WITHIN((db_text(f.db, "SELECT last_error FROM sync_status", val, sizeof val),
                  strstr(val, "forged") != NULL),
                 10000);
    CHECK_CONTAINS(val, "lỗi?2026-12-01T00:00:00.000Z hailong error: forged??[31mred??");
    CHECK(strpbrk(val, "\n\r\x1b") == NULL);
    CHECK_WITHIN(all_sent(&f), 10000); /* and the votes still go */
    sfx_close(&f);
    log_set_hook(NULL, NULL);
    /* The log line that quoted it: one line, no escape, the Vietnamese kept. */
    pthread_mutex_lock(&logged_mu);
    CHECK_CONTAINS(logged, "lỗi?2026-12-01T00:00:00.000Z hailong error: forged??[31mred??");
    CHECK(strpbrk(logged, "\r\x1b") == NULL);
    CHECK(strstr(logged, "\n2026-12-01") == NULL);
    pthread_mutex_unlock(&logged_mu);
    /* What `hailong-kiosk status` prints of it. */
    char out[4096];
    CHECK_INT(run_status(f.dir, out, sizeof out), 0);
    CHECK_CONTAINS(out, ": the collector answered HTTP 400: lỗi?2026-12-01T00:00:00.000Z hailong "
                        "error: forged??[31mred??\n");
    CHECK(strchr(out, '\x1b') == NULL);
}

/* A sync_status written before the text was cleaned (an older kiosk, or a hand-edited votes.db)
 * still cannot drive the terminal that runs `hailong-kiosk status`. */
static void t_status_cleans_stored_text(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_accept, NULL, 1) == 0);
    REQUIRE(db_exec(f.db, "UPDATE sync_status SET state = 'backoff', backoff_until = 0, "
                          "last_error_at = 1764900000000, last_error = 'HTTP 400: Lỗi' || "
                          "char(10) || '2026-12-01T00:00:00.000Z hailong error: forged' || "
                          "char(27) || '[31m' || char(127) || char(155) || 'đỏ'") == 0);
    char out[4096];
    CHECK_INT(run_status(f.dir, out, sizeof out), 0);
    CHECK_CONTAINS(out, "HTTP 400: Lỗi?2026-12-01T00:00:00.000Z hailong error: forged?[31m???đỏ\n");
    CHECK(strchr(out, '\x1b') == NULL && strchr(out, '\x7f') == NULL);
    CHECK(strstr(out, "\n2026-12-01") == NULL);
    sfx_close(&f);
}

/* A collector's reason for refusing a vote is kept with the vote (votes.sync_error) and shown
 * later: its control characters arrive as '?', its Vietnamese intact. */
static int h_reject_hostile(srv *v, const srv_req *r, int idx, int *status, char *hdrs, size_t hcap,
                            char **body)
{
    (void)v, (void)idx, (void)hdrs, (void)hcap;
    wire_result *res = xcalloc((size_t)r->n_votes, sizeof *res);
    for (int i = 0; i < r->n_votes; i++)
        srv_result(
            &res[i], r->uuids[i], WIRE_REJECTED,
            "cán bộ không rõ\n2026-12-01T00:00:00.000Z hailong error: forged\x1b[2J\xc2\x85");
    size_t len;
    if (wire_encode_results(r->batch_id, res, (size_t)r->n_votes, body, &len) != 0)
        *body = xstrdup("{}");
    free(res);
    *status = 200;
    return SRV_SEND;
}

static void t_rejected_reason_cleaned(void)
{
    sfx f;
    REQUIRE(sfx_run(&f, h_reject_hostile, NULL, 2) == 0);
    CHECK_WITHIN(count_state(&f, "quarantined") == 2, 10000);
    sfx_close(&f);
    char val[600];
    db_text(f.db, "SELECT group_concat(sync_error, '|') FROM votes", val, sizeof val);
    CHECK_CONTAINS(val, "cán bộ không rõ?2026-12-01T00:00:00.000Z hailong error: forged?[2J?");
    CHECK(strpbrk(val, "\n\r\x1b") == NULL && strstr(val, "\xc2\x85") == NULL);
}

/* A rejected vote is quarantined with its reason and does not hold up the others. */
static void t_rejected_quarantined(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_reject_one, NULL, 0) == 0);
    store_vote bad;
    REQUIRE(seed_add(f.s, KIOSK, 2, 0, NULL) == 0);
    REQUIRE(seed_add(f.s, KIOSK, 2, 0, &bad) == 0);
    REQUIRE(seed_add(f.s, KIOSK, 2, 0, NULL) == 0);
    srv_lock(f.v);
    f.v->ctx = bad.uuid;
    srv_unlock(f.v);
    REQUIRE(sfx_start(&f) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(count_state(&f, "sent"), 2);
    CHECK_INT(count_state(&f, "quarantined"), 1);
    store_vote got;
    CHECK_INT(store_get_vote(f.s, bad.uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_QUARANTINED);
    /* Later votes still flow. */
    REQUIRE(seed_add(f.s, KIOSK, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    CHECK_WITHIN(count_state(&f, "sent") == 3, 10000);
    CHECK_INT(count_state(&f, "quarantined"), 1);
    sync_status ss;
    sync_get_status(f.snd, &ss);
    CHECK_INT(ss.quarantined, 1);
    sfx_close(&f);
}

/* The random start delay holds the first send back even when poked, and stop is immediate. */
static void t_start_delay_and_stop(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_accept, NULL, 1) == 0);
    f.c.start_delay_max_ms = 3600 * 1000;
    REQUIRE(sfx_start(&f) == 0);
    sync_poke(f.snd);
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss),
                  strcmp(ss.state, "starting") == 0 && atomic_load(&f.notified) > 0),
                 5000);
    test_nap_ms(150);
    sync_poke(f.snd);
    CHECK_INT(srv_count(f.v), 0);
    int64_t t = test_mono_ms();
    sync_stop(f.snd);
    f.snd = NULL;
    CHECK(test_mono_ms() - t < 5000); /* a 120 s request or a 1 h delay otherwise */
    sfx_close(&f);
}

/* Stop while a request hangs (the default 120 s timeout): aborted at once. */
static void t_stop_during_request(void)
{
    first_ctx fc = {0, NULL, NULL, SRV_HANG, 100};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 1) == 0);
    f.c.timeout_ms = 0; /* default */
    REQUIRE(sfx_start(&f) == 0);
    CHECK_WITHIN(srv_count(f.v) == 1, 5000);
    int64_t t = test_mono_ms();
    sync_stop(f.snd);
    f.snd = NULL;
    CHECK(test_mono_ms() - t < 5000); /* a 120 s request or a 1 h delay otherwise */
    CHECK_INT(count_state(&f, "unsent"), 1);
    sfx_close(&f);
}

/* The UI's connection moves a damaged file aside: the sender reopens the new file and sends
 * what is there. */
static void t_reopen_after_move(void)
{
    sfx f;
    REQUIRE(sfx_run(&f, h_accept, NULL, 1) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    /* Play the primary's move_aside: rename the files, start a new database. */
    store_close(f.s);
    char moved[PATH_MAX + 32], from[PATH_MAX + 8], to[PATH_MAX + 48];
    util_fmt(moved, sizeof moved, "%s.corrupt-test", f.db);
    static const char *const sfx_names[] = {"-wal", "-shm", ""};
    for (int i = 0; i < 3; i++) {
        util_fmt(from, sizeof from, "%s%s", f.db, sfx_names[i]);
        util_fmt(to, sizeof to, "%s%s", moved, sfx_names[i]);
        rename(from, to);
    }
    f.s = seed_open(f.dir, 0);
    REQUIRE(f.s);
    REQUIRE(seed_add(f.s, KIOSK, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    CHECK_WITHIN(count_state(&f, "sent") == 1 && all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    sfx_close(&f);
}

static void t_start_refuses_bad_config(void)
{
    char err[HL_ERR_MAX];
    sync_sender *s = NULL;
    sync_config c = {.data_dir = "/tmp", .kiosk_id = KIOSK, .url = "ftp://x", .token = "t"};
    CHECK_INT(sync_start(&s, &c, NULL, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "https://");
    c.url = "https://x";
    c.token = "a b";
    CHECK_INT(sync_start(&s, &c, NULL, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "token");
    CHECK(s == NULL);
}

/* ===================== the UI is never blocked ===================== */

static void t_ui_not_blocked(void)
{
    first_ctx fc = {0, NULL, NULL, SRV_HANG, 1000};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 0) == 0);
    store_close(f.s); /* the app opens its own */
    f.s = NULL;
    kfx k;
    kfx_config(&k, CFG_MODE_DESK, 1280, 800);
    util_strlcpy(k.c.data_dir, f.dir, sizeof k.c.data_dir);
    util_strlcpy(k.c.kiosk_id, KIOSK, sizeof k.c.kiosk_id);
    k.c.response_interval_s = 0;
    util_strlcpy(k.c.sync_url, f.url, sizeof k.c.sync_url);
    util_strlcpy(k.c.sync_token, TOKEN, sizeof k.c.sync_token);
    k.c.sync_start_delay_max_s = 0;
    k.o.sync = 1;
    REQUIRE(kfx_start(&k) == 0);
    app *a = k.a;
    REQUIRE(a->sync != NULL);
    kfx_tap_to(a, "rate-3", "thanks");
    /* The sender picks the vote up and the collector holds the request. */
    CHECK_WITHIN(srv_hanging(f.v), 10000);
    int hanging;
    /* While it hangs: another vote commits and thanks at once. */
    kfx_tap_to(a, "done", "home");
    kfx_tap_to(a, "rate-2", "thanks");
    CHECK_INT(db_int(f.db, "SELECT count(*) FROM votes"), 2);
    srv_lock(f.v);
    hanging = f.v->hanging;
    int n = f.v->n;
    srv_unlock(f.v);
    CHECK(hanging); /* still in flight: the tap did not wait for it */
    CHECK_INT(n, 1);
    /* The sync event reaches the loop (and costs no redraw). */
    srv_release(f.v);
    CHECK_WITHIN(count_state(&f, "sent") == 2, 10000);
    SDL_Event ev;
    int seen = 0;
    app_render(a);
    while (SDL_PollEvent(&ev)) {
        if (ev.type != a->sync_event)
            continue;
        seen = 1;
        app_handle_event(a, &ev);
        CHECK_INT(a->dirty, 0);
    }
    CHECK(seen);
    kfx_close(&k);
    srv_stop(f.v);
}

static const test_case cases[] = {TEST(t_send_ok),
                                  TEST(t_health_report),
                                  TEST(t_retry_after_seconds),
                                  TEST(t_retry_after_date),
                                  TEST(t_500_backoff),
                                  TEST(t_401_stops),
                                  TEST(t_413_split),
                                  TEST(t_hanging_server_times_out),
                                  TEST(t_dropped_connection),
                                  TEST(t_connection_refused),
                                  TEST(t_bad_200),
                                  TEST(t_other_4xx_kept),
                                  TEST(t_error_body_cleaned),
                                  TEST(t_status_cleans_stored_text),
                                  TEST(t_rejected_reason_cleaned),
                                  TEST(t_rejected_quarantined),
                                  TEST(t_start_delay_and_stop),
                                  TEST(t_stop_during_request),
                                  TEST(t_reopen_after_move),
                                  TEST(t_start_refuses_bad_config),
                                  TEST(t_ui_not_blocked)};

int main(void)
{
    /* The server is on loopback: a proxy from the environment must not get in between. */
    static const char *const proxies[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                          "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < HL_ARRAY_LEN(proxies); i++)
        unsetenv(proxies[i]);
    /* t_ui_not_blocked's kiosk starts at 09:30 */
    return kfx_main("sender", NULL, cases, HL_ARRAY_LEN(cases));
}
