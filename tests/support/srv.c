/* srv: a small HTTP server on 127.0.0.1 standing in for the collector in the sender's tests: each
 * request is recorded (its batch decoded) and answered as the test's handler decides. */
#include "srv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test.h"
#include "util.h"

/* Decodes a stored/sent body (gzip JSON) into a wire_batch. 0 on success. */
int srv_decode_body(const void *gz, size_t len, wire_batch *b)
{
    void *json = NULL;
    size_t jlen = 0;
    char err[256];
    if (wire_gunzip(gz, len, WIRE_MAX_BODY, &json, &jlen) != 0)
        return -1;
    int rc = wire_decode_batch(json, jlen, b, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "decode_body: %s\n", err);
    free(json);
    return rc;
}

void srv_result(wire_result *r, const char *uuid, wire_status st, const char *reason)
{
    memset(r, 0, sizeof *r);
    util_strlcpy(r->uuid, uuid, sizeof r->uuid);
    r->status = st;
    if (reason)
        util_strlcpy(r->reason, reason, sizeof r->reason);
}

void srv_lock(srv *v)
{
    pthread_mutex_lock(&v->mu);
}

void srv_unlock(srv *v)
{
    pthread_mutex_unlock(&v->mu);
}

/* Reads one request from fd: 0, or -1 if the peer closed or the server stops. */
static int read_request(srv *v, int fd, srv_req *r)
{
    char *buf = NULL;
    size_t len = 0, cap = 0, need = 0, hdr_end = 0;
    for (;;) {
        if (hdr_end && len >= hdr_end + need)
            break;
        if (atomic_load(&v->stop))
            goto fail;
        struct pollfd p = {fd, POLLIN, 0};
        int pr = poll(&p, 1, 20);
        if (pr <= 0)
            continue;
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 131072;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = recv(fd, buf + len, cap - len - 1, 0);
        if (got <= 0)
            goto fail;
        len += (size_t)got;
        buf[len] = '\0';
        if (!hdr_end) {
            char *e = strstr(buf, "\r\n\r\n");
            if (!e)
                continue;
            hdr_end = (size_t)(e - buf) + 4;
            const char *cl = strcasestr(buf, "\r\ncontent-length:");
            long n = 0;
            if (cl && cl < e)
                n = strtol(cl + 17, NULL, 10);
            need = (size_t)n;
        }
    }
    memset(r, 0, sizeof *r);
    sscanf(buf, "%*s %255s", r->path);
    size_t hl = hdr_end < sizeof r->headers ? hdr_end : sizeof r->headers - 1;
    memcpy(r->headers, buf, hl);
    r->headers[hl] = '\0';
    r->body_len = need;
    r->body = xmalloc(need + 1);
    memcpy(r->body, buf + hdr_end, need);
    r->at_ms = test_mono_ms();
    free(buf);
    wire_batch wb;
    if (srv_decode_body(r->body, r->body_len, &wb) == 0) {
        util_strlcpy(r->batch_id, wb.batch_id, sizeof r->batch_id);
        r->n_votes = (int)wb.n;
        r->uuids = xcalloc(wb.n, sizeof *r->uuids);
        for (size_t i = 0; i < wb.n; i++)
            util_strlcpy(r->uuids[i], wb.votes[i].uuid, sizeof r->uuids[i]);
        wire_batch_free(&wb);
    }
    return 0;
fail:
    free(buf);
    return -1;
}

/* 200 with every vote of the request accepted (or, with reject_seq, that one rejected). */
char *srv_results(srv *v, const srv_req *r, const char *reject_uuid)
{
    wire_result *res = xcalloc((size_t)r->n_votes, sizeof *res);
    for (int i = 0; i < r->n_votes; i++) {
        int rej = reject_uuid && strcmp(r->uuids[i], reject_uuid) == 0;
        srv_result(&res[i], r->uuids[i], rej ? WIRE_REJECTED : WIRE_ACCEPTED,
                   rej ? "officer: unknown officer code" : NULL);
        if (rej)
            continue;
        for (int k = 0; k < v->n_seen; k++)
            if (strcmp(v->seen[k], r->uuids[i]) == 0)
                v->accepted_twice++;
        if (v->n_seen < 2048)
            util_strlcpy(v->seen[v->n_seen++], r->uuids[i], 37);
        v->n_sent_votes++;
    }
    char *json = NULL;
    size_t len;
    if (wire_encode_results(r->batch_id, res, (size_t)r->n_votes, &json, &len) != 0)
        json = xstrdup("{}");
    free(res);
    return json;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void serve_conn(srv *v, int fd)
{
    for (;;) {
        srv_req r;
        if (read_request(v, fd, &r) != 0)
            return;
        int status = 500;
        char hdrs[512] = "";
        char *body = NULL;
        srv_lock(v);
        int idx = v->n;
        if (v->n < SRV_MAX_REQS)
            v->reqs[v->n++] = r;
        else
            free(r.body), free(r.uuids);
        int act = v->handler(v, &v->reqs[idx < SRV_MAX_REQS ? idx : SRV_MAX_REQS - 1], idx, &status,
                             hdrs, sizeof hdrs, &body);
        srv_unlock(v);
        if (act == SRV_DROP) {
            free(body);
            return;
        }
        if (act == SRV_HANG) {
            /* Hold the request until released, the client gives up, or the server stops. */
            int gone = 0;
            srv_lock(v);
            v->hanging = 1;
            pthread_cond_broadcast(&v->cond);
            srv_unlock(v);
            for (;;) {
                srv_lock(v);
                int rel = v->released;
                srv_unlock(v);
                if (rel || atomic_load(&v->stop))
                    break;
                struct pollfd p = {fd, POLLIN, 0};
                if (poll(&p, 1, 10) > 0) {
                    char c;
                    if (recv(fd, &c, 1, MSG_PEEK) <= 0) {
                        gone = 1;
                        break;
                    }
                }
            }
            srv_lock(v);
            v->hanging = 0;
            if (!gone && !atomic_load(&v->stop)) {
                free(body);
                body = srv_results(v, &v->reqs[idx], NULL);
                status = 200;
            }
            srv_unlock(v);
            if (gone || atomic_load(&v->stop)) {
                free(body);
                return;
            }
        }
        const char *text = body ? body : "";
        char head[1024];
        int hn = snprintf(head, sizeof head,
                          "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\n%s\r\n",
                          status, strlen(text), hdrs);
        send_all(fd, head, (size_t)hn);
        send_all(fd, text, strlen(text));
        free(body);
    }
}

static void *srv_main(void *arg)
{
    srv *v = arg;
    while (!atomic_load(&v->stop)) {
        struct pollfd p = {v->lfd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(v->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_conn(v, fd);
        close(fd);
    }
    return NULL;
}

/* A socket listening on a free port of 127.0.0.1, the port in *port; aborts when it cannot. */
static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        perror("test server");
        abort();
    }
    *port = ntohs(a.sin_port);
    return fd;
}

srv *srv_start(srv_handler h, void *ctx)
{
    srv *v = xcalloc(1, sizeof *v);
    v->lfd = listen_loopback(&v->port);
    v->handler = h;
    v->ctx = ctx;
    pthread_mutex_init(&v->mu, NULL);
    pthread_cond_init(&v->cond, NULL);
    pthread_create(&v->thread, NULL, srv_main, v);
    return v;
}

void srv_release(srv *v)
{
    srv_lock(v);
    v->released = 1;
    srv_unlock(v);
}

void srv_stop(srv *v)
{
    atomic_store(&v->stop, 1);
    pthread_join(v->thread, NULL);
    close(v->lfd);
    for (int i = 0; i < v->n; i++) {
        free(v->reqs[i].body);
        free(v->reqs[i].uuids);
    }
    pthread_cond_destroy(&v->cond);
    pthread_mutex_destroy(&v->mu);
    free(v);
}

int srv_count(srv *v)
{
    srv_lock(v);
    int n = v->n;
    srv_unlock(v);
    return n;
}

int srv_hanging(srv *v)
{
    srv_lock(v);
    int h = v->hanging;
    srv_unlock(v);
    return h;
}

/* The value of header name in r (without leading blanks), or "" */
void srv_header(const srv_req *r, const char *name, char *out, size_t cap)
{
    char pat[64];
    util_fmt(pat, sizeof pat, "\r\n%s:", name);
    const char *h = strcasestr(r->headers, pat);
    out[0] = '\0';
    if (!h)
        return;
    h += strlen(pat);
    while (*h == ' ')
        h++;
    util_fmt(out, cap, "%.*s", (int)strcspn(h, "\r\n"), h); /* cut to cap */
}
