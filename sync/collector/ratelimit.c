/* ratelimit: token buckets in a chained hash table. Buckets are never freed while the server runs:
 * keys are enrolled kiosk ids (checked before rl_take), so the table is bounded by the fleet. */
#include "ratelimit.h"

#include "clock.h"
#include "log.h"
#include "util.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define N_SLOTS 1024

typedef struct bucket {
    struct bucket *next;
    double tokens;
    int64_t last_ms;
    char key[64];
} bucket;

struct ratelimit {
    pthread_mutex_t mu;
    double rate, burst;
    bucket *slots[N_SLOTS];
};

ratelimit *rl_new(double rate, double burst)
{
    ratelimit *rl = xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->mu, NULL);
    rl->rate = rate > 0 ? rate : 1;
    rl->burst = burst >= 1 ? burst : 1;
    return rl;
}

void rl_free(ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < N_SLOTS; i++) {
        for (bucket *b = rl->slots[i], *next; b; b = next) {
            next = b->next;
            free(b);
        }
    }
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int rl_take(ratelimit *rl, const char *key, int64_t now_ms)
{
    unsigned slot = hash(key) % N_SLOTS;
    pthread_mutex_lock(&rl->mu);
    bucket *b = rl->slots[slot];
    while (b && strcmp(b->key, key) != 0)
        b = b->next;
    if (!b) {
        b = xcalloc(1, sizeof *b);
        util_strlcpy(b->key, key, sizeof b->key);
        b->tokens = rl->burst;
        b->last_ms = now_ms;
        b->next = rl->slots[slot];
        rl->slots[slot] = b;
    }
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * rl->rate / 1000.0;
        if (b->tokens > rl->burst)
            b->tokens = rl->burst;
        b->last_ms = now_ms;
    }
    int wait = 0;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
    } else {
        wait = (int)ceil((1.0 - b->tokens) / rl->rate);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock(&rl->mu);
    return wait;
}

/* ---- the connection guard ---- */

/* How often the guard looks at deadlines: a deadline is kept to within this. */
#define GUARD_TICK_MS 250
/* At most one log line per this long about connections shut down, so an attack cannot flood the
 * journal: it says how many since the last one. */
#define GUARD_LOG_MS 10000

struct rl_conn {
    rl_conn *prev, *next;
    int fd;
    int phase;
    int shut; /* shut down already: not counted, not shut down twice */
    int64_t since_ms;
};

struct rl_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int stop;
    hl_clock clk;
    int64_t header_ms, request_ms;
    int max_unfinished;
    rl_conn *head; /* oldest first: a connection goes to the tail whenever its clock restarts */
    rl_conn *tail;
    int open;
    rl_guard_stats st, logged;
    int64_t last_log_ms;
};

static void unlink_conn(rl_guard *g, rl_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        g->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        g->tail = c->prev;
    c->prev = c->next = NULL;
}

static void append_conn(rl_guard *g, rl_conn *c)
{
    c->prev = g->tail;
    c->next = NULL;
    if (g->tail)
        g->tail->next = c;
    else
        g->head = c;
    g->tail = c;
}

/* Called with g->mu held. The socket stays open (libmicrohttpd closes it, after telling
 * rl_conn_close, which needs the same lock): no other connection can have reused the number. */
static void shut(rl_conn *c)
{
    c->shut = 1;
    shutdown(c->fd, SHUT_RDWR);
}

static void guard_log(rl_guard *g, int64_t now)
{
    rl_guard_stats d = {g->st.headers - g->logged.headers, g->st.bodies - g->logged.bodies,
                        g->st.evicted - g->logged.evicted};
    if ((!d.headers && !d.bodies && !d.evicted) || now - g->last_log_ms < GUARD_LOG_MS)
        return;
    log_warn("connections closed: %ld without complete headers within %lld s, %ld whose body took "
             "over %lld s, %ld of the oldest unfinished for new ones (at most %d); slow clients "
             "or an attack (docs/COLLECTOR.md)",
             d.headers, (long long)(g->header_ms / 1000), d.bodies,
             (long long)(g->request_ms / 1000), d.evicted, g->max_unfinished);
    g->logged = g->st;
    g->last_log_ms = now;
}

static void *guard_main(void *arg)
{
    rl_guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        int64_t now = clk_mono_ms(&g->clk);
        for (rl_conn *c = g->head; c; c = c->next) {
            if (c->shut || c->phase == RL_ANSWERING)
                continue;
            int64_t limit = c->phase == RL_WAITING ? g->header_ms : g->request_ms;
            if (now - c->since_ms < limit)
                continue;
            shut(c);
            if (c->phase == RL_WAITING)
                g->st.headers++;
            else
                g->st.bodies++;
        }
        guard_log(g, now);
        /* CLOCK_REALTIME for the condition variable's wait only: a jump of the wall clock makes
         * one tick longer or shorter, the deadlines themselves are monotonic. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += GUARD_TICK_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        int rc = pthread_cond_timedwait(&g->cv, &g->mu, &ts);
        (void)rc; /* ETIMEDOUT or woken: either way look again */
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

rl_guard *rl_guard_new(int header_s, int request_s, int max_unfinished)
{
    rl_guard *g = xcalloc(1, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    g->clk = clk_real();
    g->header_ms = (int64_t)(header_s > 0 ? header_s : 1) * 1000;
    g->request_ms = (int64_t)(request_s > 0 ? request_s : 1) * 1000;
    g->max_unfinished = max_unfinished > 0 ? max_unfinished : 1;
    g->last_log_ms = clk_mono_ms(&g->clk) - GUARD_LOG_MS;
    if (pthread_create(&g->thread, NULL, guard_main, g) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        free(g);
        return NULL;
    }
    return g;
}

void rl_guard_free(rl_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->thread, NULL);
    for (rl_conn *c = g->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

int rl_guard_admit(rl_guard *g)
{
    int n = 0, evicted = 0;
    rl_conn *oldest = NULL;
    pthread_mutex_lock(&g->mu);
    for (rl_conn *c = g->head; c; c = c->next) {
        if (c->shut || (c->phase != RL_WAITING && c->phase != RL_DRAINING))
            continue;
        if (!oldest)
            oldest = c; /* the list is oldest first */
        n++;
    }
    if (oldest && n >= g->max_unfinished) {
        shut(oldest);
        g->st.evicted++;
        evicted = 1;
    }
    pthread_mutex_unlock(&g->mu);
    return evicted;
}

rl_conn *rl_conn_open(rl_guard *g, int fd)
{
    rl_conn *c = xcalloc(1, sizeof *c);
    c->fd = fd;
    c->phase = RL_WAITING;
    pthread_mutex_lock(&g->mu);
    c->since_ms = clk_mono_ms(&g->clk);
    append_conn(g, c);
    g->open++;
    pthread_mutex_unlock(&g->mu);
    return c;
}

void rl_conn_phase(rl_guard *g, rl_conn *c, int phase)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    if (phase == RL_WAITING && c->phase != RL_WAITING) {
        c->since_ms = clk_mono_ms(&g->clk);
        unlink_conn(g, c);
        append_conn(g, c);
    }
    c->phase = phase;
    pthread_mutex_unlock(&g->mu);
}

void rl_conn_close(rl_guard *g, rl_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    unlink_conn(g, c);
    g->open--;
    pthread_mutex_unlock(&g->mu);
    free(c);
}

int rl_guard_count(rl_guard *g, rl_guard_stats *st)
{
    pthread_mutex_lock(&g->mu);
    int n = g->open;
    if (st)
        *st = g->st;
    pthread_mutex_unlock(&g->mu);
    return n;
}
