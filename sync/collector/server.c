/* server: one thread per HTTP connection (libmicrohttpd), sharing a small pool of database
 * connections. A batch is checked in the order that costs an attacker most and us least: token
 * and rate limit before the body is read, then size caps, then JSON, then one transaction. */
#include "server.h"

#include "alerts.h"
#include "retention.h"
#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "db.h"
#include "faults.h"
#include "log.h"
#include "notify.h"
#include "ratelimit.h"
#include "report.h"
#include "util.h"
#include "web.h"
#include "wire.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* A body sent without Content-Length (chunked) that goes past the cap is drained up to this much
 * more so the 413 can still be delivered; beyond it the connection is simply closed. */
#define DRAIN_MAX (4u << 20)
/* What a kiosk is told to wait after a database failure (503). */
#define DB_RETRY_AFTER_S 5
/* /healthz tries a write at most this often and answers from the latest result in between, so
 * probes (a load balancer's every second, or anyone's: it is open) cost at most one small
 * transaction per interval. */
#define HEALTH_PROBE_MS 5000

enum { R_NONE, R_BATCH, R_STATUS, R_SUMMARY, R_CSV, R_HEALTH, R_WEB };

typedef struct {
    db_pool *pool;
    ratelimit *rl;
    rl_guard *guard;
    hl_clock clk;
    /* 1 while the latest batch could not be stored (a full or failing disk): /healthz then says
     * so, since a read-only ping would still answer. Cleared by the next batch stored. */
    atomic_int store_failing;
    /* The latest write probe of /healthz: when (monotonic ms; 0 = never) and whether it failed. */
    pthread_mutex_t probe_mu;
    int64_t probe_at;
    int probe_failed;
    web *web;             /* the dashboard (web/) */
    alerts *alerts;       /* the alerts' thread (alerts/; NULL: none) */
    retention *retention; /* erases feedback's contact data when its time ends */
} srv;

/* Per request, from the first call of the access handler to the completion callback. */
typedef struct {
    int route;
    rl_conn *conn; /* the connection guard's record of this connection (NULL if none) */
    int64_t t0;
    char method[8];
    char path[80];
    char kiosk_id[64];
    int gzip;
    int responded;
    int status;
    buf body; /* capped at WIRE_MAX_GZIP */
    size_t drained;
    int too_big;
    char batch_id[37];
    int n_acc, n_dup, n_rej;
    const char *note;
} req;

/* ---- responses ---- */

static void add_header(struct MHD_Response *resp, const char *name, const char *value)
{
    if (MHD_add_response_header(resp, name, value) != MHD_YES)
        log_warn("http: cannot add header %s", name);
}

static enum MHD_Result queue(struct MHD_Connection *c, req *r, int status,
                             struct MHD_Response *resp, const char *ctype, int retry_after)
{
    if (!resp)
        return MHD_NO;
    add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (retry_after >= 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after);
        add_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (status == MHD_HTTP_UNAUTHORIZED)
        add_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        add_header(resp, MHD_HTTP_HEADER_ALLOW,
                   r->route == R_BATCH || r->route == R_STATUS ? "POST" : "GET, HEAD");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    r->responded = 1;
    r->status = status;
    return rc;
}

static enum MHD_Result send_body(struct MHD_Connection *c, req *r, int status, const char *ctype,
                                 const char *body, size_t len, int retry_after)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    return queue(c, r, status, resp, ctype, retry_after);
}

static enum MHD_Result send_error(struct MHD_Connection *c, req *r, int status, int retry_after,
                                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum MHD_Result send_error(struct MHD_Connection *c, req *r, int status, int retry_after,
                                  const char *fmt, ...)
{
    char msg[HL_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages may quote client input: keep the JSON valid UTF-8 whatever it was. */
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    enum MHD_Result rc = send_body(c, r, status, "application/json", json ? json : "{}",
                                   json ? strlen(json) : 2, retry_after);
    cJSON_free(json);
    log_info("%s %s: %d %s", r->method, r->path, status, msg);
    return rc;
}

/* ---- routing and auth ---- */

static int route(const char *url, char kiosk_id[64])
{
    static const char pre[] = "/v1/kiosks/", suf[] = "/vote-batches", suf2[] = "/status";
    if (strcmp(url, "/healthz") == 0)
        return R_HEALTH;
    if (strcmp(url, "/v1/summary") == 0)
        return R_SUMMARY;
    if (strcmp(url, "/v1/votes.csv") == 0)
        return R_CSV;
    if (web_owns(url))
        return R_WEB;
    if (strncmp(url, pre, sizeof pre - 1) == 0) {
        const char *id = url + sizeof pre - 1, *slash = strchr(id, '/');
        int which = !slash                     ? R_NONE
                    : strcmp(slash, suf) == 0  ? R_BATCH
                    : strcmp(slash, suf2) == 0 ? R_STATUS
                                               : R_NONE;
        if (which != R_NONE && (size_t)(slash - id) < 64) {
            memcpy(kiosk_id, id, (size_t)(slash - id));
            kiosk_id[slash - id] = '\0';
            if (wire_valid_kiosk_id(kiosk_id))
                return which;
        }
    }
    return R_NONE;
}

/* Checks the bearer token for a kiosk (kiosk_id set) or an operator (kiosk_id NULL). 0 when it
 * may go on; otherwise the error response has been queued and *ret holds what to return. */
static int check_auth(srv *s, struct MHD_Connection *c, req *r, const char *kiosk_id,
                      db_token *t_out, enum MHD_Result *ret)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char token[AUTH_TOKEN_MAX];
    if (!h) {
        *ret = send_error(c, r, 401, -1, "Authorization header missing; send Bearer <token>");
        return -1;
    }
    if (auth_parse_bearer(h, token) != 0) {
        *ret = send_error(c, r, 401, -1, "Authorization: not a Bearer token of ours");
        return -1;
    }
    char hash[AUTH_HASH_HEX], err[HL_ERR_MAX];
    auth_hash(token, hash);
    db *d = db_pool_get(s->pool, err, sizeof err);
    db_token t;
    int rc = d ? db_token_lookup(d, hash, &t, err, sizeof err) : 1;
    db_pool_put(s->pool, d);
    if (rc) {
        log_error("auth: %s", err);
        *ret = send_error(c, r, 503, DB_RETRY_AFTER_S, "database unavailable; retry later");
        return -1;
    }
    /* The row is found by the hash (an index probe: its timing can reveal at most something about
     * a SHA-256 of 256 random bits, which helps nobody); the final equality is still checked in
     * constant time, so no comparison in our code branches on secret bytes. */
    if (!t.found || !auth_hash_equal(t.hash, hash)) {
        *ret = send_error(c, r, 401, -1, "unknown token");
        return -1;
    }
    if (t.revoked) {
        *ret = send_error(c, r, 403, -1, "token revoked");
        return -1;
    }
    if (kiosk_id && t.kind != DB_TOKEN_KIOSK) {
        *ret = send_error(c, r, 403, -1, "not a kiosk token");
        return -1;
    }
    if (kiosk_id && strcmp(t.name, kiosk_id) != 0) {
        *ret = send_error(c, r, 403, -1, "token belongs to another kiosk");
        return -1;
    }
    if (!kiosk_id && t.kind != DB_TOKEN_OPERATOR) {
        *ret = send_error(c, r, 403, -1,
                          "not an operator token; use `hailong-collector "
                          "operator add NAME` to make one");
        return -1;
    }
    if (t_out)
        *t_out = t;
    return 0;
}

/* ---- vote batches ---- */

static enum MHD_Result batch_begin(srv *s, struct MHD_Connection *c, req *r)
{
    enum MHD_Result ret;
    if (check_auth(s, c, r, r->kiosk_id, NULL, &ret))
        return ret;
    int wait = rl_take(s->rl, r->kiosk_id, clk_mono_ms(&s->clk));
    if (wait > 0)
        return send_error(c, r, 429, wait, "too many requests from kiosk %s; retry after %d s",
                          r->kiosk_id, wait);
    const char *enc =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (enc && strcasecmp(enc, "gzip") == 0)
        r->gzip = 1;
    else if (enc && strcasecmp(enc, "identity") != 0)
        return send_error(c, r, 415, -1, "Content-Encoding: %.32s is not supported; use gzip", enc);
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    long n = 0;
    if (cl && util_parse_int(cl, 0, 1L << 40, &n) == 0 && n > (long)WIRE_MAX_GZIP)
        return send_error(c, r, 413, -1, "body of %ld bytes; at most %u", n,
                          (unsigned)WIRE_MAX_GZIP);
    if (r->route == R_BATCH && !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key"))
        return send_error(c, r, 400, -1, "Idempotency-Key header missing; set it to the batch_id");
    return MHD_YES;
}

static enum MHD_Result batch_finish(srv *s, struct MHD_Connection *c, req *r)
{
    fault_action f = fault_take();
    if (f.kill) {
        log_warn("fault: kill-mid-request: exiting with status 9 before committing");
        _exit(9);
    }
    if (f.hang_s > 0) {
        log_warn("fault: hang: holding the request %d s, then closing", f.hang_s);
        r->note = "fault hang";
        fault_sleep(f.hang_s);
        return MHD_NO;
    }
    if (f.status > 0)
        return send_error(c, r, f.status, f.retry_after, "fault injected: status %d", f.status);
    if (r->too_big)
        return send_error(c, r, 413, -1, "body larger than %u bytes", (unsigned)WIRE_MAX_GZIP);

    char err[HL_ERR_MAX];
    /* The database connection is taken before decoding: the pool's size then also bounds how
     * many bodies are decompressed and parsed at once, and so the memory that takes. */
    db *d = db_pool_get(s->pool, err, sizeof err);
    if (!d) {
        log_error("batch: %s", err);
        return send_error(c, r, 503, DB_RETRY_AFTER_S, "database unavailable; retry later");
    }
    enum MHD_Result ret;
    const char *json = r->body.p;
    size_t len = r->body.len;
    void *plain = NULL;
    wire_batch b;
    memset(&b, 0, sizeof b);
    if (r->gzip) {
        int g =
            wire_gunzip_ex(r->body.p, r->body.len, WIRE_MAX_BODY, &plain, &len, err, sizeof err);
        if (g != 0) {
            ret = send_error(c, r, g == -2 ? 413 : 400, -1, "%s", err);
            goto out;
        }
        json = plain;
    }
    if (wire_decode_batch(json, len, &b, err, sizeof err) != 0) {
        ret = send_error(c, r, 400, -1, "%s", err);
        goto out;
    }
    util_strlcpy(r->batch_id, b.batch_id, sizeof r->batch_id);
    if (strcmp(b.kiosk_id, r->kiosk_id) != 0) {
        ret = send_error(c, r, 400, -1, "kiosk_id: \"%s\" in the body, but the URL names \"%s\"",
                         b.kiosk_id, r->kiosk_id);
        goto out;
    }
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (!key || strcmp(key, b.batch_id) != 0) {
        ret = send_error(c, r, 400, -1, "Idempotency-Key must equal the body's batch_id %s",
                         b.batch_id);
        goto out;
    }
    /* The kiosk's clock at this send: what its votes' times are judged by (db_clock_judge). A
     * kiosk that does not send it is judged by the batch's frozen_at. */
    int64_t sent_at = b.frozen_at;
    const char *sent = MHD_lookup_connection_value(c, MHD_HEADER_KIND, WIRE_SENT_AT_HEADER);
    if (sent && wire_parse_ms(sent, &sent_at) != 0) {
        ret = send_error(c, r, 400, -1,
                         WIRE_SENT_AT_HEADER ": must be the kiosk's clock as UTC milliseconds "
                                             "(digits only)");
        goto out;
    }
    size_t n_res = b.n + b.n_feedback; /* the votes' results, then the feedback items' */
    wire_result *res = xcalloc(n_res ? n_res : 1, sizeof *res);
    int64_t now = clk_wall_ms(&s->clk);
    int failed = fault_take_store_fail();
    if (failed)
        util_fmt(err, sizeof err, "fault store-fail: storing the batch failed (as on a full disk)");
    if (failed || db_store_batch(d, &b, r->kiosk_id, now, sent_at, res, err, sizeof err) != 0) {
        log_error("batch %s from %s: %s", b.batch_id, r->kiosk_id, err);
        atomic_store(&s->store_failing, 1);
        free(res);
        ret = send_error(c, r, 503, DB_RETRY_AFTER_S, "database unavailable; retry later");
        goto out;
    }
    atomic_store(&s->store_failing, 0);
    for (size_t i = 0; i < n_res; i++) {
        r->n_acc += res[i].status == WIRE_ACCEPTED;
        r->n_dup += res[i].status == WIRE_DUPLICATE;
        r->n_rej += res[i].status == WIRE_REJECTED;
    }
    if (fault_take_drop_after_commit()) {
        log_warn("fault: drop-after-commit: closing without an answer");
        r->note = "fault drop-after-commit";
        free(res);
        ret = MHD_NO;
        goto out;
    }
    char *out_json;
    size_t out_len;
    wire_encode_results(b.batch_id, res, n_res, &out_json, &out_len);
    free(res);
    ret = send_body(c, r, 200, "application/json", out_json, out_len, -1);
    free(out_json);
out:
    db_pool_put(s->pool, d);
    wire_batch_free(&b);
    free(plain);
    return ret;
}

/* A kiosk's health report (wire_health): stored, answered {"status":"ok"}. */
static enum MHD_Result status_finish(srv *s, struct MHD_Connection *c, req *r)
{
    if (r->too_big || r->body.len > WIRE_HEALTH_MAX)
        return send_error(c, r, 413, -1, "body larger than %u bytes", (unsigned)WIRE_HEALTH_MAX);
    char err[HL_ERR_MAX];
    void *plain = NULL;
    const char *json = r->body.p;
    size_t len = r->body.len;
    if (r->gzip) {
        int g =
            wire_gunzip_ex(r->body.p, r->body.len, WIRE_HEALTH_MAX, &plain, &len, err, sizeof err);
        if (g != 0)
            return send_error(c, r, g == -2 ? 413 : 400, -1, "%s", err);
        json = plain;
    }
    wire_health h;
    int bad = wire_decode_health(json, len, &h, err, sizeof err) != 0;
    free(plain);
    if (bad)
        return send_error(c, r, 400, -1, "%s", err);
    enum MHD_Result ret;
    if (strcmp(h.kiosk_id, r->kiosk_id) != 0) {
        ret = send_error(c, r, 400, -1, "kiosk_id: \"%s\" in the body, but the URL names \"%s\"",
                         h.kiosk_id, r->kiosk_id);
        goto out;
    }
    db *d = db_pool_get(s->pool, err, sizeof err);
    if (!d || db_store_health(d, &h, clk_wall_ms(&s->clk), err, sizeof err) != 0) {
        db_pool_put(s->pool, d);
        log_error("status from %s: %s", r->kiosk_id, err);
        ret = send_error(c, r, 503, DB_RETRY_AFTER_S, "database unavailable; retry later");
        goto out;
    }
    db_pool_put(s->pool, d);
    static const char ok[] = "{\"status\":\"ok\"}";
    ret = send_body(c, r, 200, "application/json", ok, sizeof ok - 1, -1);
out:
    wire_health_free(&h);
    return ret;
}

/* ---- read side ---- */

static enum MHD_Result arg_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    return report_args_add(cls, key, value) == 0 ? MHD_YES : MHD_NO;
}

static enum MHD_Result handle_read(srv *s, struct MHD_Connection *c, req *r)
{
    char err[HL_ERR_MAX];
    if (r->route == R_HEALTH) {
        /* Open to all, so load balancers can probe it: it tells nothing but up or down. */
        db *d = db_pool_get(s->pool, err, sizeof err);
        int rc = d ? db_ping(d, err, sizeof err) : 1;
        if (rc) {
            db_pool_put(s->pool, d);
            log_error("healthz: %s", err);
            return send_error(c, r, 503, DB_RETRY_AFTER_S, "database unavailable");
        }
        /* A read answers on a full or read-only disk too: a write is what batches need. One
         * caller probes while others wait for its result, at most once per HEALTH_PROBE_MS. */
        pthread_mutex_lock(&s->probe_mu);
        int64_t now = clk_mono_ms(&s->clk);
        if (s->probe_at == 0 || now - s->probe_at >= HEALTH_PROBE_MS) {
            s->probe_failed = db_probe_write(d, err, sizeof err) != 0;
            s->probe_at = clk_mono_ms(&s->clk);
            if (s->probe_failed)
                log_error("healthz: the database takes no write: %s", err);
        }
        int not_writable = s->probe_failed;
        pthread_mutex_unlock(&s->probe_mu);
        db_pool_put(s->pool, d);
        if (not_writable)
            return send_error(c, r, 503, DB_RETRY_AFTER_S,
                              "database cannot be written (disk full, read-only or failing; the "
                              "collector's log says which)");
        if (atomic_load(&s->store_failing))
            return send_error(c, r, 503, DB_RETRY_AFTER_S,
                              "database cannot store batches (the latest failed: disk full or "
                              "failing?)");
        static const char ok[] = "{\"status\":\"ok\"}";
        return send_body(c, r, 200, "application/json", ok, sizeof ok - 1, -1);
    }
    enum MHD_Result ret;
    db_token op;
    if (check_auth(s, c, r, NULL, &op, &ret))
        return ret;
    /* The values point into the connection's memory, which outlives this request. */
    report_args a;
    report_args_init(&a, r->route == R_SUMMARY);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, arg_iter, &a);
    db_filter sel;
    if (report_args_check(&a, &sel, err, sizeof err) != 0)
        return send_error(c, r, 400, -1, "%s", err);
    /* A commune leader's token reads its own unit only, whatever the request asks. */
    if (op.unit[0]) {
        if (sel.unit && *sel.unit && strcmp(sel.unit, op.unit) != 0)
            return send_error(c, r, 403, -1,
                              "this token reads only the votes of its own unit; leave unit= out");
        sel.unit = op.unit;
    }
    const char *from = a.from, *to = a.to;
    db *d = db_pool_get(s->pool, err, sizeof err);
    if (!d) {
        log_error("%s: %s", r->path, err);
        return send_error(c, r, 503, DB_RETRY_AFTER_S, "database unavailable; retry later");
    }
    if (r->route == R_SUMMARY) {
        char *json = NULL;
        size_t len = 0;
        int rc = report_summary(d, a.by, from, to, &sel, &json, &len, err, sizeof err);
        db_pool_put(s->pool, d);
        if (rc == HL_EXIT_USAGE)
            return send_error(c, r, 400, -1, "%s", err);
        if (rc) {
            log_error("summary: %s", err);
            return send_error(c, r, 503, DB_RETRY_AFTER_S, "database unavailable; retry later");
        }
        ret = send_body(c, r, 200, "application/json", json, len, -1);
        free(json);
        return ret;
    }
    /* CSV: written to an unlinked temporary file and sent from there, so a year's export costs
     * disk, not memory, and the database connection is free again before the client reads. */
    FILE *f = tmpfile();
    if (!f) {
        db_pool_put(s->pool, d);
        log_error("votes.csv: cannot create a temporary file: %s", strerror(errno));
        return send_error(c, r, 503, DB_RETRY_AFTER_S, "cannot write the export; retry later");
    }
    int rc = report_votes_csv(d, &sel, f, err, sizeof err);
    db_pool_put(s->pool, d);
    long size = ftell(f);
    int fd = rc == 0 && size >= 0 ? dup(fileno(f)) : -1;
    fclose(f);
    if (fd < 0) {
        log_error("votes.csv: %s", rc ? err : strerror(errno));
        return send_error(c, r, 503, DB_RETRY_AFTER_S, "cannot write the export; retry later");
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((size_t)size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    char disp[96];
    util_fmt(disp, sizeof disp, "attachment; filename=\"votes%s%s%s%s.csv\"",
             from && *from ? "-" : "", from && *from ? from : "", to && *to ? "-" : "",
             to && *to ? to : "");
    add_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
    return queue(c, r, 200, resp, "text/csv; charset=utf-8", -1);
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result web_answer(srv *s, struct MHD_Connection *c, req *r, const char *form,
                                  size_t len)
{
    enum MHD_Result rc =
        (enum MHD_Result)server_web(c, s->web, r->method, r->path, form, len, &r->status, &r->note);
    r->responded = 1;
    return rc;
}

static enum MHD_Result first_call(srv *s, struct MHD_Connection *c, req *r, const char *method)
{
    int is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (r->route == R_NONE)
        return send_error(c, r, 404, -1, "no such endpoint; see docs/PROTOCOL.md");
    if (r->route == R_WEB) {
        /* A form's body (login, logout) is small: it is read whole, then answered. */
        if (strcmp(method, "POST") == 0) {
            r->body.max = WEB_FORM_MAX;
            return MHD_YES;
        }
        return web_answer(s, c, r, NULL, 0);
    }
    int post = r->route == R_BATCH || r->route == R_STATUS;
    if (post && strcmp(method, "POST") != 0)
        return send_error(c, r, 405, -1, "use POST");
    if (post)
        return batch_begin(s, c, r);
    if (!is_get)
        return send_error(c, r, 405, -1, "use GET");
    return handle_read(s, c, r);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    req *r = *con_cls;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->body.max = WIRE_MAX_GZIP;
        *con_cls = r;
        r->t0 = clk_mono_ms(&s->clk);
        util_strlcpy(r->method, method, sizeof r->method);
        util_strlcpy(r->path, url, sizeof r->path);
        for (char *p = r->path; *p; p++)
            if ((unsigned char)*p < 0x21 || (unsigned char)*p >= 0x7f)
                *p = '?';
        r->route = route(url, r->kiosk_id);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        r->conn = ci ? ci->socket_context : NULL;
        enum MHD_Result ret = first_call(s, c, r, method);
        /* From here the request's own deadline runs: a body still to come must arrive within
         * --request-timeout of the request's start; one answered already is only drained. */
        int body = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH) != NULL ||
                   MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
        rl_conn_phase(s->guard, r->conn,
                      !r->responded ? RL_READING
                      : body        ? RL_DRAINING
                                    : RL_ANSWERING);
        return ret;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->responded || r->too_big) {
            /* Discard: an early answer (401, 413 ...) is already queued, or the body is over. */
            r->drained += n;
            return r->drained > DRAIN_MAX ? MHD_NO : MHD_YES;
        }
        if (buf_add(&r->body, upload_data, n) != 0) {
            r->too_big = 1;
            buf_free(&r->body);
        }
        return MHD_YES;
    }
    /* The whole request is in: what remains is ours to do (no deadline but --timeout). */
    rl_conn_phase(s->guard, r->conn, RL_ANSWERING);
    if (r->responded)
        return MHD_YES;
    if (r->route == R_WEB)
        return r->too_big ? send_error(c, r, 413, -1, "form too large")
                          : web_answer(s, c, r, buf_cstr(&r->body), r->body.len);
    return r->route == R_STATUS ? status_finish(s, c, r) : batch_finish(s, c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)c;
    srv *s = cls;
    req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    /* A kept-alive connection now waits for its next request: --header-timeout again. */
    rl_conn_phase(s->guard, r->conn, RL_WAITING);
    long long ms = (long long)(clk_mono_ms(&s->clk) - r->t0);
    const char *how = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK      ? ""
                      : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timed out)"
                      : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT    ? " (client closed)"
                      : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? " (shutting down)"
                      : toe == MHD_REQUEST_TERMINATED_READ_ERROR      ? " (read error)"
                      : toe == MHD_REQUEST_TERMINATED_WITH_ERROR      ? " (closed)"
                                                                      : " (closed)";
    if (r->route == R_BATCH && r->batch_id[0])
        log_info("batch kiosk=%s batch=%s status=%d accepted=%d duplicate=%d rejected=%d "
                 "ms=%lld%s%s%s",
                 r->kiosk_id, r->batch_id, r->status, r->n_acc, r->n_dup, r->n_rej, ms, how,
                 r->note ? " " : "", r->note ? r->note : "");
    else if (r->status == 200 || r->note)
        log_info("%s %s status=%d ms=%lld%s%s%s", r->method, r->path, r->status, ms, how,
                 r->note ? " " : "", r->note ? r->note : "");
    buf_free(&r->body);
    free(r);
}

/* The connection guard learns of every connection as libmicrohttpd opens and closes it (CLOSED
 * comes before the socket is closed, so the guard never shuts down a reused descriptor). */
static void notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
                        enum MHD_ConnectionNotificationCode code)
{
    srv *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? rl_conn_open(s->guard, ci->connect_fd) : NULL;
    } else {
        rl_conn_close(s->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* Called for each new connection (after libmicrohttpd's own limits): makes room among the
 * unfinished ones, so the reserve stays free. Never refuses: the oldest unfinished goes instead. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)addr;
    (void)len;
    srv *s = cls;
    rl_guard_admit(s->guard);
    return MHD_YES;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

/* ---- setup ---- */

static char *read_pem(const char *flag, const char *path, char *err, size_t errlen)
{
    size_t n = 0;
    /* A certificate chain is a few KiB; 1 MiB bounds a wrong path (/dev/zero, a log file). */
    const size_t max = 1024 * 1024;
    char *s = util_read_file_max(path, max, &n);
    if (!s) {
        char why[96];
        util_read_why(errno, max, why, sizeof why);
        util_fmt(err, errlen, "%s: %s: cannot read: %s", flag, path, why);
    }
    return s;
}

static int write_port_file(const char *path, unsigned port, char *err, size_t errlen)
{
    /* Written to a temporary name and renamed, so a test polling for it never reads half. */
    char tmp[4096];
    if (util_fmt(tmp, sizeof tmp, "%s.tmp", path) != 0) {
        util_fmt(err, errlen, "--port-file: path too long");
        return HL_EXIT_USAGE;
    }
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        util_fmt(err, errlen, "--port-file: %s: %s", path, strerror(errno));
        return HL_EXIT_RUNTIME;
    }
    return 0;
}

/* Waits for SIGINT or SIGTERM; returns the signal. Under a unit with WatchdogSec= this (main)
 * thread wakes every half interval to send WATCHDOG=1. That proves the process is alive and
 * scheduled, not that every request is answered: libmicrohttpd serves on its own threads, a stuck
 * request is ended by --timeout, and whether the server answers is for a probe of /healthz from
 * outside to watch (docs/DEPLOY.md). A feed from a request thread would prove no more, as no
 * request may come for hours. */
static int wait_for_stop(const sigset_t *set)
{
    int64_t wd_ms = notify_watchdog_ms();
    if (!wd_ms) {
        int sig = 0;
        sigwait(set, &sig);
        return sig;
    }
    int64_t half = wd_ms / 2 > 0 ? wd_ms / 2 : 1;
    log_info("collector: systemd watchdog %lld ms, fed every %lld ms", (long long)wd_ms,
             (long long)half);
    struct timespec every = {(time_t)(half / 1000), (long)(half % 1000) * 1000000L};
    for (;;) {
        int sig = sigtimedwait(set, NULL, &every);
        if (sig > 0)
            return sig;
        if (errno == EAGAIN)
            notify_watchdog();
    }
}

static int64_t wall_now_ms(void)
{
    hl_clock clk = clk_real();
    return clk_wall_ms(&clk);
}

int server_run(const server_opts *o, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int rc = server_parse_listen(o->listen, &ss, &sslen, err, errlen);
    if (rc)
        return rc;
    if (auth_init() != 0) {
        util_fmt(err, errlen, "libsodium: cannot initialise");
        return HL_EXIT_RUNTIME;
    }
    if (!o->tls_cert != !o->tls_key) {
        util_fmt(err, errlen, "--tls-cert and --tls-key: give both, or neither for plain HTTP");
        return HL_EXIT_USAGE;
    }
    char *cert = NULL, *key = NULL;
    if (o->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            util_fmt(err, errlen, "--tls-cert: this libmicrohttpd was built without TLS");
            return HL_EXIT_USAGE;
        }
        cert = read_pem("--tls-cert", o->tls_cert, err, errlen);
        key = cert ? read_pem("--tls-key", o->tls_key, err, errlen) : NULL;
        if (!key) {
            free(cert);
            return HL_EXIT_USAGE;
        }
    }
    srv s;
    memset(&s, 0, sizeof s);
    atomic_init(&s.store_failing, 0);
    pthread_mutex_init(&s.probe_mu, NULL);
    s.clk = clk_real();
    s.pool = db_pool_new(o->db_url, o->db_connections);
    s.rl = rl_new(o->rate, o->burst);
    s.guard = rl_guard_new(o->header_timeout_s, o->request_timeout_s,
                           server_max_unfinished(o->max_connections));
    if (!s.guard) {
        util_fmt(err, errlen, "cannot start the connection guard's thread");
        rc = HL_EXIT_RUNTIME;
        goto done;
    }
    /* Open one connection now: a wrong --db fails at start, not at the first kiosk. */
    db *d = db_pool_get(s.pool, err, errlen);
    if (!d) {
        rc = db_check_url(o->db_url, NULL, 0) ? HL_EXIT_USAGE : HL_EXIT_RUNTIME;
        goto done;
    }
    db_pool_put(s.pool, d);
    s.web =
        web_new(&(web_opts){.pool = s.pool, .secure_cookies = cert != NULL, .now_ms = wall_now_ms});

    /* The signals that stop us are taken by sigwait in this thread only; every thread started
     * from here on inherits the blocked mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    /* [::] means every address, IPv4 included (one dual-stack socket); other IPv6 addresses
     * only themselves. */
    if (ss.ss_family == AF_INET6)
        flags |= IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr)
                     ? MHD_USE_DUAL_STACK
                     : MHD_USE_IPv6;
    if (cert)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        /* The logger first, or libmicrohttpd prints to stderr itself until it is set. */
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)(void (*)(void))mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s, NULL},
        /* Enough for a request line with thousands of query parameters (each costs libmicrohttpd
         * a header record from this pool) to be answered with a 400 rather than dropped. */
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 512 * 1024, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_ip, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)(void (*)(void))completed, &s},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)(void (*)(void))notify_conn, &s},
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *daemon = MHD_start_daemon(flags, 0, accept_policy, &s, handler, &s,
                                                 MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!daemon) {
        util_fmt(err, errlen,
                 "--listen: cannot listen on %s (in use, or not an address of this "
                 "machine?)",
                 o->listen);
        rc = HL_EXIT_RUNTIME;
        goto done;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : 0;
    log_info("collector: listening on %s (bound port %u, %s), database %s", o->listen, port,
             cert ? "https" : "http",
             strncmp(o->db_url, "sqlite:", 7) == 0 ? o->db_url : "postgresql");
    log_info("collector: limits: %d connections (%d unfinished at most), %d per address; idle %d "
             "s, headers %d s, request %d s",
             o->max_connections, server_max_unfinished(o->max_connections), o->max_per_ip,
             o->timeout_s, o->header_timeout_s, o->request_timeout_s);
    if (fault_armed())
        log_warn("collector: HAILONG_COLLECTOR_FAULTS is set: this server fails on purpose");
    if (o->port_file && (rc = write_port_file(o->port_file, port, err, errlen)) != 0) {
        MHD_stop_daemon(daemon);
        goto done;
    }
    /* Type=notify: up once it listens (and has told the port, when asked to). */
    char status[160];
    util_fmt(status, sizeof status, "listening on %s (port %u, %s)", o->listen, port,
             cert ? "https" : "http");
    notify_ready(status);
    s.alerts = alerts_start(&(alerts_opts){.pool = s.pool,
                                           .interval_ms = (int64_t)o->alert_interval_s * 1000,
                                           .smtp_url = o->smtp_url,
                                           .smtp_from = o->smtp_from,
                                           .smtp_user = o->smtp_user,
                                           .smtp_password = o->smtp_password,
                                           .now_ms = wall_now_ms});
    s.retention = retention_start(s.pool, o->contact_retention_days, wall_now_ms);
    int sig = wait_for_stop(&set);
    notify_stopping();
    log_info("collector: signal %d, stopping", sig);
    fault_wake_all();
    MHD_stop_daemon(daemon);
    rc = 0;
done:
    alerts_stop(s.alerts); /* before the pool it uses */
    retention_stop(s.retention);
    web_free(s.web);
    rl_guard_free(s.guard);
    pthread_mutex_destroy(&s.probe_mu);
    db_pool_free(s.pool);
    rl_free(s.rl);
    free(cert);
    free(key);
    return rc;
}
