/* ratelimit: the collector's limits on clients. A token bucket per key (kiosk id) in memory, so
 * one misbehaving kiosk cannot crowd out the others; and the connection guard (rl_guard), which
 * gives every request a deadline for its headers and body and keeps a reserve of connections for
 * requests that have arrived (slowloris). Prefix: rl_. Thread-safe. */
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

/* ---- the connection guard ----
 * libmicrohttpd's --timeout is per inactivity: a client sending one header line every few seconds
 * is never idle and holds its connection (a thread) for ever. The guard knows every open
 * connection and its phase, and a thread of its own shuts down (shutdown(2); libmicrohttpd then
 * closes it as a client that went away) any that is past its deadline:
 *   RL_WAITING    no complete request yet (new, or idle after a request): header_s from when the
 *                 wait began;
 *   RL_READING    its headers are in and the body is being read: request_s from the same start;
 *   RL_DRAINING   answered early (401, 413 ...), reading the rest of a body it will discard:
 *                 request_s, as RL_READING;
 *   RL_ANSWERING  the whole request is in and is being handled or answered: no deadline (the
 *                 inactivity --timeout still applies).
 * The reserve: connections WAITING or DRAINING (nothing we wait for) may hold at most
 * max_unfinished slots; a new connection beyond that shuts down the oldest of them first, so the
 * remaining slots stay free for requests that have arrived, whoever holds the others. */
enum { RL_WAITING, RL_READING, RL_DRAINING, RL_ANSWERING };

typedef struct rl_guard rl_guard;
typedef struct rl_conn rl_conn;

typedef struct {
    long headers, bodies, evicted; /* connections shut down for each reason, since the start */
} rl_guard_stats;

/* Starts the guard's thread (NULL if it cannot). header_s, request_s >= 1; max_unfinished >= 1. */
rl_guard *rl_guard_new(int header_s, int request_s, int max_unfinished);
/* Stops the thread; every rl_conn must have been closed. NULL is fine. */
void rl_guard_free(rl_guard *g);

/* A new connection on socket fd, RL_WAITING from now. Call rl_guard_admit first. */
rl_conn *rl_conn_open(rl_guard *g, int fd);
/* Before a new connection is taken: shuts down the oldest unfinished one if they are at the cap.
 * Returns 1 if one was shut down. */
int rl_guard_admit(rl_guard *g);
/* Moves c to phase; RL_WAITING restarts its clock (the next request on a kept-alive connection). */
void rl_conn_phase(rl_guard *g, rl_conn *c, int phase);
/* The connection is closed (before its socket is): forgets it. NULL is fine. */
void rl_conn_close(rl_guard *g, rl_conn *c);
/* How many connections are open, and the counts since the start. */
int rl_guard_count(rl_guard *g, rl_guard_stats *st);

#endif
