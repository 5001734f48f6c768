/* server_opts: the collector server's settings and their parsing, apart from the server itself
 * (server.c). Part of the server module (server.h). */
#include "server.h"
#include "retention.h"

#include "util.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

void server_default_opts(server_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:8080";
    o->db_url = NULL; /* no default: the caller names the database (--db or collector.conf) */
    /* 100 batches a second: a kiosk draining a backlog in 500-vote batches may send 50 000
     * votes/s, while one stuck in a loop still costs at most 100 transactions a second. */
    o->rate = 100;
    o->burst = 200;
    /* Slow or idle clients hold a connection (a thread) each: a client address may hold only
     * max_per_ip of them, so one attacker (slowloris) cannot take the slots the kiosks and health
     * checks need; docs/COLLECTOR.md says what a reverse proxy adds. */
    o->max_connections = 256;
    o->max_per_ip = 16;
    o->db_connections = 8;
    o->timeout_s = 30;
    /* A kiosk sends its headers in one packet: 10 s is generous. The body is at most 1 MiB: 120 s
     * lets it through a 10 KB/s mobile link. */
    o->header_timeout_s = 10;
    o->request_timeout_s = 120;
    /* Alerts a leader reads within a minute; a failed delivery is retried after 30 s, 1 min, 2,
     * 4 ... up to an hour. */
    o->alert_interval_s = 30;
    o->contact_retention_days = RETENTION_DEFAULT_DAYS;
}

int server_max_unfinished(int max_connections)
{
    /* A quarter of the slots (at least one) is kept for requests that have arrived. */
    int reserve = max_connections / 4 > 0 ? max_connections / 4 : 1;
    return max_connections - reserve > 0 ? max_connections - reserve : 1;
}

int server_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
                        size_t errlen)
{
    char host[256], port[16];
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            goto bad;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host || memchr(s, ':', (size_t)(colon - s)))
            goto bad;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    long p;
    if (!host[0] || util_parse_int(colon + 1, 0, 65535, &p) != 0)
        goto bad;
    snprintf(port, sizeof port, "%ld", p);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        util_fmt(err, errlen, "--listen: cannot resolve \"%s\": %s", host, gai_strerror(rc));
        return HL_EXIT_USAGE;
    }
    memset(ss, 0, sizeof *ss);
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
bad:
    util_fmt(err, errlen,
             "--listen: \"%s\" is not HOST:PORT; e.g. 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080",
             s);
    return HL_EXIT_USAGE;
}
