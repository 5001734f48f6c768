/* ratelimit: a token bucket per key (kiosk id) in memory, so one misbehaving kiosk cannot crowd
 * out the others. Prefix: rl_. Thread-safe. */
#ifndef HL_RATELIMIT_H
#define HL_RATELIMIT_H

#include <stdint.h>

typedef struct ratelimit ratelimit;

/* rate: tokens added per second; burst: bucket size (requests allowed at once). */
ratelimit *rl_new(double rate, double burst);
void rl_free(ratelimit *rl);

/* Takes one token for key at monotonic time now_ms: 0 if allowed, else the whole seconds (>= 1)
 * until a token is there, for Retry-After. */
int rl_take(ratelimit *rl, const char *key, int64_t now_ms);

#endif
