/* server: hailong-collector's HTTP side on libmicrohttpd: the vote-batch endpoint, the read side
 * (summary, votes.csv) and /healthz, with auth, rate limits and size caps. Prefix: server_. */
#ifndef HL_SERVER_H
#define HL_SERVER_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct {
    const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:443"; port 0 = any */
    const char *db_url;   /* sqlite:PATH | postgresql://...; must be set */
    const char *tls_cert; /* PEM files; both or neither */
    const char *tls_key;
    const char *port_file; /* if set, the bound port is written there once listening */
    double rate, burst;    /* batch requests per second per kiosk, and the burst allowed */
    int max_connections;   /* concurrent HTTP connections (one thread each) */
    int max_per_ip;        /* of them from one client address; 0 = no limit (behind a proxy) */
    int db_connections;    /* database connections shared by them */
    int timeout_s;         /* idle connection timeout */
    int header_timeout_s;  /* a request's headers must be complete this long after it began */
    int request_timeout_s; /* ... and its body this long after it began */
    int alert_interval_s;  /* alerts: look and deliver this often; 0 = no alerts */
    const char *smtp_url, *smtp_from, *smtp_user, *smtp_password; /* alerts by e-mail */
    int contact_retention_days; /* feedback's contact data erased after this (retention.h) */
} server_opts;

void server_default_opts(server_opts *o);

/* Of max_connections, how many may be unfinished (no complete request yet, or a refused body
 * being drained) before a new connection closes the oldest of them: all but a quarter. */
int server_max_unfinished(int max_connections);

/* Parses HOST:PORT. 0, or 2 with err. */
int server_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
                        size_t errlen);

/* The dashboard's requests (server_web.c), from server.c's handler: answers the request with
 * web_handle's page and gives its status and log note. */
struct MHD_Connection;
struct web;
int server_web(struct MHD_Connection *c, struct web *w, const char *method, const char *url,
               const char *form, size_t form_len, int *status, const char **note);

/* Serves until SIGINT or SIGTERM. Returns the exit code (0 after a clean stop; 1 when the
 * database or the socket cannot be opened; 2 for bad options) with err set on failure. */
int server_run(const server_opts *o, char *err, size_t errlen);

#endif
