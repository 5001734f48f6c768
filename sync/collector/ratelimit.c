/* ratelimit: token buckets in a chained hash table. Buckets are never freed while the server runs:
 * keys are enrolled kiosk ids (checked before rl_take), so the table is bounded by the fleet. */
#include "ratelimit.h"

#include "util.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
