/* srv: a scripted HTTP server on 127.0.0.1 that stands in for the collector in the sender's tests:
 * it records every request (its batch decoded) and answers as the test's handler says, or holds
 * the request, or drops the connection. */
#ifndef HL_SRV_H
#define HL_SRV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* What a handler does with a request: answer it, hold it until srv_release (or the client gives
 * up), or close the connection without an answer. */
enum { SRV_SEND, SRV_HANG, SRV_DROP };

#define SRV_MAX_REQS 256

/* One request as received (body_len bytes of body; the batch's id, votes and uuids when the body
 * decodes). */
typedef struct {
    char path[256];
    char headers[4096];
    unsigned char *body;
    size_t body_len;
    int64_t at_ms;
    char batch_id[37];
    int n_votes;
    char (*uuids)[37];
} srv_req;

typedef struct srv srv;
/* Decides the answer to request number idx (under the server's lock): fills status, extra header
 * lines (hdrs) and a malloc'ed body, returns SRV_SEND, SRV_HANG or SRV_DROP. */
typedef int (*srv_handler)(srv *v, const srv_req *r, int idx, int *status, char *hdrs, size_t hcap,
                           char **body);

/* Read it under srv_lock while the server runs. */
struct srv {
    int lfd, port;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    atomic_int stop;
    int released; /* SRV_HANG answers once this is set */
    int hanging;  /* a request is being held */
    srv_handler handler;
    void *ctx;
    srv_req reqs[SRV_MAX_REQS];
    int n;
    int n_sent_votes;
    char seen[2048][37]; /* uuids accepted, to catch a vote accepted twice */
    int n_seen, accepted_twice;
};

/* Listens on a free port of 127.0.0.1 (v->port) and serves one connection at a time on its own
 * thread. Aborts when it cannot listen. */
srv *srv_start(srv_handler h, void *ctx);
/* Lets held requests be answered (200, every vote accepted). */
void srv_release(srv *v);
void srv_stop(srv *v);
void srv_lock(srv *v);
void srv_unlock(srv *v);
/* Requests received so far; whether one is being held now. */
int srv_count(srv *v);
int srv_hanging(srv *v);

/* The collector's 200 body for r: every vote accepted, but reject_uuid (may be NULL) rejected;
 * accepted uuids are counted in n_sent_votes, a second acceptance in accepted_twice. Malloc'ed;
 * call under srv_lock. */
char *srv_results(srv *v, const srv_req *r, const char *reject_uuid);
/* The value of header name in r (without leading blanks), or "". */
void srv_header(const srv_req *r, const char *name, char *out, size_t cap);

/* Decodes a stored or sent body (gzipped JSON) into a wire_batch. 0 on success. */
int srv_decode_body(const void *gz, size_t len, wire_batch *b);
/* One result: uuid with status st and, for a rejection, reason (may be NULL). */
void srv_result(wire_result *r, const char *uuid, wire_status st, const char *reason);

#endif
