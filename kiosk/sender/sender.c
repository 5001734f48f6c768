/* sender: the sync thread. Loop: freeze (or re-read) the next batch, POST it through one reused
 * curl handle driven by a multi handle (so stop can interrupt it at once), apply the answer, and
 * on failure wait with full-jitter backoff on a condition variable that stop and poke signal. */
#include "sender.h"

#include "log.h"
#include "store.h"
#include "util.h"
#include "wire.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RETRY_AFTER_MAX_MS (3600 * 1000LL) /* a broken Retry-After must not stall us for days */

struct sync_sender {
    /* Copied config. */
    char *data_dir, *kiosk_id, *url, *token, *ca_file, *store_vfs;
    int batch_max;
    int64_t base_ms, cap_ms, start_delay_max_ms, idle_poll_ms;
    long connect_timeout_ms, timeout_ms, low_speed_limit, low_speed_time_s;
    hl_clock real_clock;
    const hl_clock *clock;
    sync_notify_fn notify;
    void *notify_ctx;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond; /* signalled by stop and poke */
    atomic_int stopping;
    int poked;          /* under mu */
    sync_status status; /* under mu */

    /* Sender thread only. */
    CURLM *multi;
    CURL *easy;
    char curl_err[CURL_ERROR_SIZE];
    char *resp;
    size_t resp_len;
    int resp_over;
    store *store;
    char state[24]; /* last state written to the store */
    int64_t state_until;
    int failures;              /* consecutive failed attempts, for the backoff */
    int sent_since_checkpoint; /* a batch was delivered since the last checkpoint */
    char *batch_url, *health_url;
    int64_t health_every_ms, health_next; /* health_next: monotonic ms */
    int sent_since_health;                /* a batch was delivered since the last report */
    int health_off;                       /* the collector does not take reports */
    wire_officer *officers;
    size_t n_officers;
    wire_reason *reasons;
    size_t n_reasons;
    char content_version[17];
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(const sync_sender *s)
{
    return clk_wall_ms(s->clock);
}

static int stopping(sync_sender *s)
{
    return atomic_load(&s->stopping);
}

/* Waits until mono deadline, stop, or (wake_on_poke) a poke. Returns 1 if poked. */
static int wait_until(sync_sender *s, int64_t deadline, int wake_on_poke)
{
    int poked = 0;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        if (stopping(s))
            break;
        if (wake_on_poke && s->poked) {
            poked = 1;
            break;
        }
        int64_t now = mono_ms();
        if (deadline != CLK_NEVER && now >= deadline)
            break;
        if (deadline == CLK_NEVER) {
            pthread_cond_wait(&s->cond, &s->mu);
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ns = ts.tv_nsec + (deadline - now) % 1000 * 1000000;
            ts.tv_sec += (time_t)((deadline - now) / 1000 + ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&s->cond, &s->mu, &ts);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return poked;
}

static void notify(sync_sender *s)
{
    if (s->notify)
        s->notify(s->notify_ctx);
}

/* Publishes the state in memory (for the app) and in the store (for the status command); the
 * store is written only when the state or its deadline changed, to keep writes off the drain. */
static void set_state(sync_sender *s, const char *state, int64_t until)
{
    if (strcmp(s->state, state) == 0 && s->state_until == until)
        return;
    if (s->store && store_sync_set_state(s->store, state, until, wall_ms(s)) == STORE_OK) {
        util_strlcpy(s->state, state, sizeof s->state);
        s->state_until = until;
    }
    pthread_mutex_lock(&s->mu);
    util_strlcpy(s->status.state, state, sizeof s->status.state);
    s->status.backoff_until = until;
    pthread_mutex_unlock(&s->mu);
    notify(s);
}

/* A failed attempt: recorded in memory and (with the batch's attempt count) in the store. */
static void record_failure(sync_sender *s, const char *batch_id, int http_status, const char *msg,
                           const char *state, int64_t until)
{
    if (s->store && store_sync_note_failure(s->store, batch_id, http_status, msg, wall_ms(s), state,
                                            until) == STORE_OK) {
        util_strlcpy(s->state, state, sizeof s->state);
        s->state_until = until;
    } else {
        s->state[0] = '\0'; /* unknown in the store: write it again next time */
    }
    pthread_mutex_lock(&s->mu);
    util_strlcpy(s->status.state, state, sizeof s->status.state);
    s->status.backoff_until = until;
    util_strlcpy(s->status.last_error, msg, sizeof s->status.last_error);
    pthread_mutex_unlock(&s->mu);
    notify(s);
}

/* The beginnings of the sender's own messages, which sync_error_vi reads back. */
#define E_NETWORK        "network: "
#define E_TOO_BIG_ANSWER "the collector's answer is larger"
#define E_BAD_ANSWER     "the collector answered 200"
#define E_AUTH           "the collector refused this kiosk's token"
#define E_SPLIT          "the collector refused a batch of "
#define E_HTTP           "the collector answered HTTP "
#define E_OOM            "out of memory"

/* Full jitter (a uniform draw in [0, ceiling]) so that kiosks that failed together do not retry
 * together; the ceiling doubles per consecutive failure up to the cap. */
static int64_t backoff_ms(sync_sender *s)
{
    int64_t ceiling = s->base_ms;
    for (int i = 1; i < s->failures && ceiling < s->cap_ms; i++)
        ceiling *= 2;
    if (ceiling > s->cap_ms)
        ceiling = s->cap_ms;
    if (ceiling > UINT32_MAX - 1)
        ceiling = UINT32_MAX - 1;
    return (int64_t)util_random_below((uint32_t)ceiling + 1);
}

/* Waits out a backoff of delay_ms after recording the failure. Pokes do not shorten it. */
static void back_off(sync_sender *s, const char *batch_id, int http_status, const char *msg,
                     int64_t delay_ms)
{
    int64_t until = wall_ms(s) + delay_ms;
    record_failure(s, batch_id, http_status, msg, STORE_SYNC_STATE_BACKOFF, until);
    wait_until(s, mono_ms() + delay_ms, 0);
}

/* ---- store connection ---- */

static int ensure_store(sync_sender *s)
{
    if (s->store && !store_needs_reopen(s->store))
        return 0;
    if (s->store) {
        log_warn("sync: %s was replaced or found damaged; opening it again", store_path(s->store));
        store_close(s->store);
        s->store = NULL;
        s->state[0] = '\0';
    }
    char err[HL_ERR_MAX];
    store_opts o = {.vfs = s->store_vfs, .secondary = 1};
    if (store_open(&s->store, s->data_dir, &o, err, sizeof err) != STORE_OK) {
        s->failures++;
        back_off(s, NULL, 0, err, backoff_ms(s));
        return -1;
    }
    return 0;
}

/* ---- HTTP ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    sync_sender *s = ctx;
    size_t n = size * nmemb;
    if (n > SYNC_MAX_RESPONSE - s->resp_len) {
        s->resp_over = 1;
        return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
    }
    s->resp = xrealloc(s->resp, s->resp_len + n + 1);
    memcpy(s->resp + s->resp_len, data, n);
    s->resp_len += n;
    s->resp[s->resp_len] = '\0';
    return n;
}

static int setup_curl(sync_sender *s, char *err, size_t errlen)
{
    s->multi = curl_multi_init();
    s->easy = curl_easy_init();
    if (!s->multi || !s->easy) {
        util_fmt(err, errlen, "sync: cannot initialise libcurl");
        return HL_EXIT_RUNTIME;
    }
    char url[2048], ua[64];
    size_t ulen = strlen(s->url);
    while (ulen > 0 && s->url[ulen - 1] == '/')
        ulen--;
    if (util_fmt(url, sizeof url, "%.*s/v1/kiosks/%s/vote-batches", (int)ulen, s->url,
                 s->kiosk_id) != 0) {
        util_fmt(err, errlen, "sync: [sync] url too long");
        return HL_EXIT_USAGE;
    }
    s->batch_url = xstrdup(url);
    char hurl[2048];
    util_fmt(hurl, sizeof hurl, "%.*s/v1/kiosks/%s/status", (int)ulen, s->url, s->kiosk_id);
    s->health_url = xstrdup(hurl);
    util_fmt(ua, sizeof ua, "hailong-kiosk/%s", HL_VERSION);
    CURL *e = s->easy;
    int bad = 0;
    bad |= curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, ua) != CURLE_OK;
    /* Certificates are always verified; a private CA comes in through ca_file, never by turning
     * verification off. */
    bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
    if (s->ca_file && *s->ca_file)
        bad |= curl_easy_setopt(e, CURLOPT_CAINFO, s->ca_file) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s->timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, s->low_speed_limit) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, s->low_speed_time_s) != CURLE_OK;
    /* Threads: no signals (the resolver's alarm() would hit the UI thread). */
    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->curl_err) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, s) != CURLE_OK;
    /* Proxies: libcurl reads http_proxy / https_proxy / no_proxy from the environment itself. */
    if (bad) {
        util_fmt(err, errlen, "sync: libcurl refused an option (built without HTTPS?)");
        return HL_EXIT_RUNTIME;
    }
    return 0;
}

/* Runs the transfer on the multi handle so that sync_stop's curl_multi_wakeup ends it at once. */
static CURLcode perform(sync_sender *s)
{
    CURLcode res = CURLE_ABORTED_BY_CALLBACK;
    if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK)
        return CURLE_FAILED_INIT;
    int running = 1;
    while (running && !stopping(s)) {
        if (curl_multi_perform(s->multi, &running) != CURLM_OK)
            break;
        if (running && curl_multi_poll(s->multi, NULL, 0, 1000, NULL) != CURLM_OK)
            break;
    }
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->multi, &left)))
        if (m->msg == CURLMSG_DONE && m->easy_handle == s->easy)
            res = m->data.result;
    curl_multi_remove_handle(s->multi, s->easy);
    return res;
}

/* Retry-After as a delay in ms from now: delta-seconds or an HTTP-date; -1 if absent or bad. */
static int64_t retry_after_ms(sync_sender *s)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(s->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h)
        return -1;
    long secs;
    if (util_parse_int(h->value, 0, 365L * 24 * 3600, &secs) == 0)
        return (int64_t)secs * 1000;
    time_t t = curl_getdate(h->value, NULL);
    if (t == (time_t)-1)
        return -1;
    int64_t d = (int64_t)t * 1000 - wall_ms(s);
    return d > 0 ? d : 0;
}

typedef enum { R_OK, R_RETRY, R_AUTH, R_SPLIT, R_OTHER } outcome;

/* Posts one batch and applies the answer. msg says what went wrong for anything but R_OK. */
static outcome send_batch(sync_sender *s, const store_batch *b, int *http_status,
                          int64_t *retry_after, char *msg, size_t msglen)
{
    char key[80];
    *http_status = 0;
    *retry_after = -1;
    msg[0] = '\0';
    struct curl_slist *hdr = NULL, *tmp;
    static const char *const fixed[] = {"Content-Type: application/json", "Content-Encoding: gzip",
                                        "Accept: application/json", "Expect:"};
    for (size_t i = 0; i < HL_ARRAY_LEN(fixed); i++) {
        tmp = curl_slist_append(hdr, fixed[i]);
        if (!tmp)
            goto oom;
        hdr = tmp;
    }
    size_t alen = strlen(s->token) + 32;
    char *auth = xmalloc(alen);
    util_fmt(auth, alen, "Authorization: Bearer %s", s->token);
    tmp = curl_slist_append(hdr, auth);
    free(auth);
    if (!tmp)
        goto oom;
    hdr = tmp;
    util_fmt(key, sizeof key, "Idempotency-Key: %s", b->batch_id);
    tmp = curl_slist_append(hdr, key);
    if (!tmp)
        goto oom;
    hdr = tmp;
    /* This kiosk's clock now: the collector judges the votes' times by it (a batch resent days
     * later is a backlog, not a wrong clock). The body stays the bytes frozen once. */
    util_fmt(key, sizeof key, WIRE_SENT_AT_HEADER ": %lld", (long long)wall_ms(s));
    tmp = curl_slist_append(hdr, key);
    if (!tmp)
        goto oom;
    hdr = tmp;

    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, b->body);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->body_len);
    free(s->resp);
    s->resp = NULL;
    s->resp_len = 0;
    s->resp_over = 0;
    s->curl_err[0] = '\0';
    pthread_mutex_lock(&s->mu);
    s->status.requests++;
    pthread_mutex_unlock(&s->mu);

    CURLcode res = perform(s);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdr);
    if (res != CURLE_OK) {
        if (s->resp_over)
            util_fmt(msg, msglen, E_TOO_BIG_ANSWER " than %u bytes", SYNC_MAX_RESPONSE);
        else
            util_fmt(msg, msglen, E_NETWORK "%s",
                     s->curl_err[0] ? s->curl_err : curl_easy_strerror(res));
        return R_RETRY;
    }
    long code = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    *http_status = (int)code;
    *retry_after = retry_after_ms(s);
    if (code == 200) {
        char bid[37], err[160];
        wire_result *r = NULL;
        size_t n = 0;
        if (wire_decode_results(s->resp ? s->resp : "", s->resp_len, bid, &r, &n, err,
                                sizeof err) != 0) {
            util_fmt(msg, msglen, E_BAD_ANSWER " with unreadable results: %s", err);
            return R_RETRY;
        }
        if (strcmp(bid, b->batch_id) != 0) {
            free(r);
            util_fmt(msg, msglen, E_BAD_ANSWER " for batch %s, not %s", bid, b->batch_id);
            return R_RETRY;
        }
        /* A rejection's reason is the collector's text, kept with the vote and shown later. */
        for (size_t i = 0; i < n; i++)
            util_text_clean(r[i].reason);
        store_sync_applied applied;
        store_rc rc = store_sync_apply(s->store, b->batch_id, r, n, wall_ms(s), &applied);
        free(r);
        if (rc == STORE_NONE) {
            util_fmt(msg, msglen, E_BAD_ANSWER " without listing the batch's votes");
            return R_RETRY;
        }
        if (rc != STORE_OK) {
            util_fmt(msg, msglen, "%s", store_last_error(s->store));
            return R_RETRY;
        }
        log_msg(LOG_DEBUG, "sync: batch %s: %d sent, %d quarantined, %d for a later batch",
                b->batch_id, applied.sent, applied.quarantined, applied.unlisted);
        pthread_mutex_lock(&s->mu);
        s->status.votes_sent += applied.sent;
        s->status.quarantined += applied.quarantined;
        s->status.last_success_at = wall_ms(s);
        pthread_mutex_unlock(&s->mu);
        return R_OK;
    }
    if (code == 401 || code == 403) {
        util_fmt(msg, msglen,
                 E_AUTH " (HTTP %ld); check [sync] token_file "
                        "and that kiosk %s is enrolled, then restart the kiosk",
                 code, s->kiosk_id);
        return R_AUTH;
    }
    if (code == 413) {
        util_fmt(msg, msglen, E_SPLIT "%d votes as too large (HTTP 413)", b->n_votes);
        return b->n_votes + b->n_feedback > 1 ? R_SPLIT : R_OTHER;
    }
    if (code == 408 || code == 429 || (code >= 500 && code <= 599)) {
        util_fmt(msg, msglen, E_HTTP "%ld", code);
        return R_RETRY;
    }
    /* 2xx other than 200, 3xx, other 4xx: not something a quick retry fixes. The votes stay. */
    util_fmt(msg, msglen, E_HTTP "%ld%s%.*s", code, s->resp_len ? ": " : "",
             s->resp_len > 160 ? 160 : (int)s->resp_len, s->resp ? s->resp : "");
    return R_OTHER;
oom:
    curl_slist_free_all(hdr);
    util_fmt(msg, msglen, E_OOM " building the request");
    return R_RETRY;
}

/* Posts the health report (wire_health) on the batches' connection. Never touches the votes or
 * the backoff: a report that fails is only logged, and the next one goes at its time. */
static void send_health(sync_sender *s)
{
    wire_health h;
    memset(&h, 0, sizeof h);
    util_strlcpy(h.kiosk_id, s->kiosk_id, sizeof h.kiosk_id);
    h.sent_at = wall_ms(s);
    util_strlcpy(h.version, HL_VERSION, sizeof h.version);
    util_strlcpy(h.content_version, s->content_version, sizeof h.content_version);
    h.clock_suspect = !clk_plausible(h.sent_at);
    store_sync_status st;
    if (store_sync_status_get(s->store, s->kiosk_id, &st) == STORE_OK)
        h.unsent = st.waiting;
    h.officers = s->officers;
    h.n_officers = s->n_officers;
    h.reasons = s->reasons;
    h.n_reasons = s->n_reasons;
    char *json = NULL;
    size_t len = 0;
    wire_encode_health(&h, &json, &len);
    struct curl_slist *hdr = NULL, *tmp;
    size_t alen = strlen(s->token) + 32;
    char *auth = xmalloc(alen);
    util_fmt(auth, alen, "Authorization: Bearer %s", s->token);
    const char *const lines[] = {"Content-Type: application/json", "Accept: application/json",
                                 "Expect:", auth};
    for (size_t i = 0; i < HL_ARRAY_LEN(lines); i++) {
        tmp = curl_slist_append(hdr, lines[i]);
        if (!tmp)
            break;
        hdr = tmp;
    }
    free(auth);
    curl_easy_setopt(s->easy, CURLOPT_URL, s->health_url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    free(s->resp);
    s->resp = NULL;
    s->resp_len = 0;
    s->resp_over = 0;
    s->curl_err[0] = '\0';
    CURLcode res = perform(s);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(s->easy, CURLOPT_URL, s->batch_url);
    curl_slist_free_all(hdr);
    free(json);
    long code = 0;
    if (res == CURLE_OK)
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    if (code == 200) {
        pthread_mutex_lock(&s->mu);
        s->status.health_sent++;
        pthread_mutex_unlock(&s->mu);
        log_msg(LOG_DEBUG, "sync: health report delivered (%lld unsent)", (long long)h.unsent);
    } else if (code == 404) {
        s->health_off = 1;
        log_info("sync: the collector takes no health reports (an older version); votes are "
                 "sent as before");
    } else {
        log_info("sync: health report not delivered (%s); the next one in %lld s",
                 res != CURLE_OK ? (s->curl_err[0] ? s->curl_err : curl_easy_strerror(res))
                                 : "an HTTP error",
                 (long long)(s->health_every_ms / 1000));
    }
}

/* With nothing to send: the report, when a round delivered votes or the interval has passed. */
static void maybe_health(sync_sender *s)
{
    if (s->health_every_ms <= 0 || s->health_off || stopping(s))
        return;
    if (!s->sent_since_health && mono_ms() < s->health_next)
        return;
    send_health(s);
    s->sent_since_health = 0;
    s->health_next = mono_ms() + s->health_every_ms;
}

/* One round: the next batch, sent and settled. Returns 1 if there was nothing to send. */
static int round_once(sync_sender *s)
{
    store_batch b;
    pthread_mutex_lock(&s->mu);
    s->poked = 0; /* a vote after this point pokes again */
    pthread_mutex_unlock(&s->mu);
    store_rc got = store_sync_freeze(s->store, s->kiosk_id, s->batch_max, wall_ms(s), &b);
    if (got == STORE_ERROR) {
        s->failures++;
        back_off(s, NULL, 0, store_last_error(s->store), backoff_ms(s));
        return 0;
    }
    if (got == STORE_NONE) {
        set_state(s, STORE_SYNC_STATE_IDLE, 0);
        /* A round that sent something ends here: fold the write-ahead log into votes.db and
         * empty it, so a damaged -wal can cost only the votes recorded since (skipped while the
         * kiosk's own connection is busy; its idle time does the same). */
        if (s->sent_since_checkpoint && store_checkpoint(s->store) == STORE_OK)
            s->sent_since_checkpoint = 0;
        return 1;
    }
    set_state(s, STORE_SYNC_STATE_SENDING, 0);
    int http = 0;
    int64_t retry_after;
    char msg[512];
    outcome o = send_batch(s, &b, &http, &retry_after, msg, sizeof msg);
    /* msg may quote the collector's answer: no raw newline or escape reaches the log, the
     * database, status or the admin screen. */
    util_text_clean(msg);
    if (stopping(s)) {
        store_batch_free(&b);
        return 0;
    }
    switch (o) {
    case R_OK:
        s->failures = 0;
        s->sent_since_checkpoint = 1;
        s->sent_since_health = 1;
        notify(s);
        break;
    case R_SPLIT: {
        int limit = 0;
        if (store_sync_split(s->store, b.batch_id, &limit) == STORE_OK)
            log_warn("sync: %s; sending at most %d votes per batch for now", msg, limit);
        else
            back_off(s, b.batch_id, http, store_last_error(s->store), backoff_ms(s));
        break;
    }
    case R_AUTH:
        log_error("sync: %s", msg);
        record_failure(s, b.batch_id, http, msg, STORE_SYNC_STATE_AUTH, 0);
        break;
    case R_RETRY:
    case R_OTHER: {
        s->failures++;
        int64_t delay = o == R_RETRY ? backoff_ms(s) : s->cap_ms;
        if (retry_after > delay)
            delay = retry_after < RETRY_AFTER_MAX_MS ? retry_after : RETRY_AFTER_MAX_MS;
        if (o == R_OTHER)
            log_error("sync: batch %s: %s; keeping its %d votes and %d feedback items, next try "
                      "in %lld s",
                      b.batch_id, msg, b.n_votes, b.n_feedback, (long long)(delay / 1000));
        else
            log_warn("sync: batch %s (attempt %d): %s; next try in %lld ms", b.batch_id,
                     b.attempts + 1, msg, (long long)delay);
        back_off(s, b.batch_id, http, msg, delay);
        break;
    }
    }
    int auth = o == R_AUTH;
    store_batch_free(&b);
    if (auth) /* until restart: the same token would only be refused again */
        wait_until(s, CLK_NEVER, 0);
    return 0;
}

static void *run(void *arg)
{
    sync_sender *s = arg;
    int64_t delay = s->start_delay_max_ms > 0
                        ? (int64_t)util_random_below((uint32_t)s->start_delay_max_ms + 1)
                        : 0;
    int64_t start_at = mono_ms() + delay;
    while (!stopping(s) && ensure_store(s) != 0) {
    }
    if (stopping(s))
        goto out;
    set_state(s, STORE_SYNC_STATE_STARTING, delay ? wall_ms(s) + delay : 0);
    wait_until(s, start_at, 0);
    while (!stopping(s)) {
        if (ensure_store(s) != 0)
            continue;
        if (round_once(s)) {
            maybe_health(s);
            int64_t next = mono_ms() + s->idle_poll_ms;
            if (s->health_every_ms > 0 && !s->health_off && s->health_next < next)
                next = s->health_next;
            wait_until(s, next, 1);
        }
    }
out:
    if (s->store) {
        set_state(s, STORE_SYNC_STATE_STOPPED, 0);
        store_close(s->store);
        s->store = NULL;
    }
    return NULL;
}

/* ---- public ---- */

static int token_ok(const char *t)
{
    if (!t || !*t)
        return 0;
    for (; *t; t++)
        if (*t <= ' ' || *t > '~')
            return 0;
    return 1;
}

/* A plain-HTTP collector on this machine (tests, a local relay) is not worth a warning. */
static int is_loopback(const char *host)
{
    static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < HL_ARRAY_LEN(names); i++) {
        size_t n = strlen(names[i]);
        if (strncmp(host, names[i], n) == 0 &&
            (host[n] == '\0' || host[n] == ':' || host[n] == '/'))
            return 1;
    }
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static void free_sender(sync_sender *s)
{
    if (s->easy)
        curl_easy_cleanup(s->easy);
    if (s->multi)
        curl_multi_cleanup(s->multi);
    free(s->resp);
    free(s->data_dir);
    free(s->kiosk_id);
    free(s->url);
    free(s->token);
    free(s->ca_file);
    free(s->store_vfs);
    free(s->batch_url);
    free(s->health_url);
    free(s->officers);
    free(s->reasons);
    free(s);
}

int sync_start(sync_sender **out, const sync_config *c, sync_notify_fn notify_fn, void *ctx,
               char *err, size_t errlen)
{
    *out = NULL;
    if (!c->url || (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0)) {
        util_fmt(err, errlen, "sync: url must start with https:// (or http:// for a test)");
        return HL_EXIT_USAGE;
    }
    if (!token_ok(c->token)) {
        util_fmt(err, errlen, "sync: the token is empty or has spaces or control characters");
        return HL_EXIT_USAGE;
    }
    if (!c->data_dir || !*c->data_dir || !c->kiosk_id || !wire_valid_kiosk_id(c->kiosk_id)) {
        util_fmt(err, errlen, "sync: no data directory or no valid kiosk id");
        return HL_EXIT_USAGE;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        util_fmt(err, errlen, "sync: cannot initialise libcurl");
        return HL_EXIT_RUNTIME;
    }
    sync_sender *s = xcalloc(1, sizeof *s);
    s->data_dir = xstrdup(c->data_dir);
    s->kiosk_id = xstrdup(c->kiosk_id);
    s->url = xstrdup(c->url);
    s->token = xstrdup(c->token);
    s->ca_file = dup_or_null(c->ca_file);
    s->store_vfs = dup_or_null(c->store_vfs);
    s->batch_max =
        c->batch_max >= 1 && c->batch_max <= WIRE_MAX_VOTES ? c->batch_max : WIRE_MAX_VOTES;
    s->base_ms = c->base_ms > 0 ? c->base_ms : SYNC_DEFAULT_BASE_MS;
    s->cap_ms = c->cap_ms > 0 ? c->cap_ms : SYNC_DEFAULT_CAP_MS;
    if (s->cap_ms < s->base_ms)
        s->cap_ms = s->base_ms;
    s->start_delay_max_ms = c->start_delay_max_ms > 0 ? c->start_delay_max_ms : 0;
    if (s->start_delay_max_ms > UINT32_MAX - 1)
        s->start_delay_max_ms = UINT32_MAX - 1;
    s->idle_poll_ms = c->idle_poll_ms > 0 ? c->idle_poll_ms : 60000;
    s->connect_timeout_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 15000;
    s->timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 120000;
    s->low_speed_limit = c->low_speed_limit > 0 ? c->low_speed_limit : 100;
    s->low_speed_time_s = c->low_speed_time_s > 0 ? c->low_speed_time_s : 30;
    s->health_every_ms = c->health_every_ms > 0 ? c->health_every_ms : 0;
    if (c->n_officers > 0 && c->officers) {
        s->n_officers = c->n_officers < WIRE_MAX_OFFICERS ? c->n_officers : WIRE_MAX_OFFICERS;
        s->officers = xcalloc(s->n_officers, sizeof *s->officers);
        memcpy(s->officers, c->officers, s->n_officers * sizeof *s->officers);
    }
    if (c->n_reasons > 0 && c->reasons) {
        s->n_reasons = c->n_reasons < WIRE_MAX_REASONS ? c->n_reasons : WIRE_MAX_REASONS;
        s->reasons = xcalloc(s->n_reasons, sizeof *s->reasons);
        memcpy(s->reasons, c->reasons, s->n_reasons * sizeof *s->reasons);
    }
    util_strlcpy(s->content_version,
                 c->content_version && *c->content_version ? c->content_version : "0",
                 sizeof s->content_version);
    s->real_clock = clk_real();
    s->clock = c->clock ? c->clock : &s->real_clock;
    s->notify = notify_fn;
    s->notify_ctx = ctx;
    util_strlcpy(s->status.state, STORE_SYNC_STATE_STARTING, sizeof s->status.state);

    int rc = setup_curl(s, err, errlen);
    if (rc != 0) {
        free_sender(s);
        curl_global_cleanup();
        return rc;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->stopping, 0);
    int e = pthread_create(&s->thread, NULL, run, s);
    if (e != 0) {
        util_fmt(err, errlen, "sync: cannot start the sender thread: %s", strerror(e));
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->mu);
        free_sender(s);
        curl_global_cleanup();
        return HL_EXIT_RUNTIME;
    }
    if (strncmp(c->url, "http://", 7) == 0 && !is_loopback(c->url + 7))
        log_warn("sync: %s is plain HTTP: votes and the token travel unencrypted; use https:// "
                 "outside tests",
                 c->url);
    log_info("sync: sending votes of kiosk %s to %s", s->kiosk_id, s->url);
    *out = s;
    return 0;
}

void sync_stop(sync_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stopping, 1);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    curl_multi_wakeup(s->multi);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    free_sender(s);
    curl_global_cleanup();
}

void sync_poke(sync_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->poked = 1;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

void sync_get_status(sync_sender *s, sync_status *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->status;
    pthread_mutex_unlock(&s->mu);
}

void sync_error_vi(const char *detail, char *out, size_t n)
{
#define STARTS(p) (strncmp(detail, p, sizeof p - 1) == 0)
    if (!detail || !*detail) {
        util_strlcpy(out, "", n);
        return;
    }
    long http = STARTS(E_HTTP) ? strtol(detail + sizeof E_HTTP - 1, NULL, 10) : 0;
    if (STARTS(E_NETWORK))
        util_strlcpy(out,
                     "Không kết nối được máy chủ tổng hợp (lỗi mạng hoặc máy chủ tắt). Máy sẽ tự "
                     "gửi lại; nếu kéo dài, kiểm tra dây mạng và địa chỉ máy chủ.",
                     n);
    else if (STARTS(E_AUTH))
        util_strlcpy(out,
                     "Máy chủ từ chối mã đăng ký của máy. Cán bộ CNTT cần kiểm tra tệp mã "
                     "(token_file) hoặc đăng ký lại máy, rồi khởi động lại chương trình.",
                     n);
    else if (STARTS(E_SPLIT))
        util_strlcpy(out, "Máy chủ từ chối một gói phiếu vì quá lớn; máy đã chia nhỏ gói để gửi.",
                     n);
    else if (STARTS(E_HTTP) && (http == 408 || http == 429 || (http >= 500 && http <= 599)))
        util_fmt(out, n, "Máy chủ tổng hợp đang bận hoặc gặp sự cố (mã %ld). Máy sẽ tự gửi lại.",
                 http);
    else if (STARTS(E_HTTP))
        util_fmt(out, n,
                 "Máy chủ tổng hợp không nhận gói phiếu (mã %ld). Phiếu vẫn giữ trên máy; "
                 "báo cán bộ CNTT xem nhật ký.",
                 http);
    else if (STARTS(E_BAD_ANSWER) || STARTS(E_TOO_BIG_ANSWER))
        util_strlcpy(out,
                     "Máy chủ trả lời không đúng cách (có thể là máy chủ khác hoặc phiên bản cũ). "
                     "Máy sẽ gửi lại; báo cán bộ CNTT nếu kéo dài.",
                     n);
    else if (STARTS(E_OOM))
        util_strlcpy(out, "Máy thiếu bộ nhớ khi chuẩn bị gửi; sẽ thử lại.", n);
    else
        util_strlcpy(out,
                     "Lỗi đọc hoặc ghi dữ liệu phiếu trên máy (votes.db). Báo cán bộ CNTT xem "
                     "nhật ký.",
                     n);
#undef STARTS
}
