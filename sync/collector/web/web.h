/* web: the collector's dashboard for people (province and commune leaders, officers): pages of
 * server-rendered HTML with SVG charts, a login with sessions and CSRF tokens, and CSV/XLSX
 * downloads. It knows nothing of HTTP libraries: server.c hands it a web_req and sends the
 * web_resp it fills, so that tests can call it directly. Prefix: web_. */
#ifndef HL_WEB_H
#define HL_WEB_H

#include "buf.h"
#include "db.h"

#include <stdint.h>
#include <stdio.h>

/* The session cookie's name; the pre-login CSRF cookie's. */
#define WEB_COOKIE     "hl_session"
#define WEB_PRE_COOKIE "hl_login"
/* The largest form body accepted: the inbox's form (a note of 500 characters, %-encoded: up to
 * 6 kB, and a handler) is the largest. */
#define WEB_FORM_MAX 16384

typedef struct {
    db_pool *pool;
    int secure_cookies;      /* add Secure: served over TLS, or behind a TLS proxy */
    int64_t session_ms;      /* a session's life (default 12 h) */
    int max_failed;          /* failed logins in a row before the lock (default 5) */
    int64_t lock_ms;         /* how long the lock lasts (default 15 min) */
    int64_t silent_ms;       /* a kiosk without contact this long is shown as silent */
    int64_t (*now_ms)(void); /* the wall clock (tests may pass their own) */
} web_opts;

typedef struct web web;

web *web_new(const web_opts *o);
void web_free(web *w);

/* One request as the server read it. arg(): a query parameter, %-decoded (NULL when absent). */
typedef struct {
    const char *method; /* "GET", "HEAD", "POST" */
    const char *path;
    const char *(*arg)(void *ctx, const char *name);
    void *arg_ctx;
    const char *cookie;     /* the value of WEB_COOKIE (NULL: none) */
    const char *pre_cookie; /* the value of WEB_PRE_COOKIE (NULL: none) */
    const char *form;       /* a POST's body, application/x-www-form-urlencoded (NULL: none) */
    size_t form_len;
    const char *client; /* the client's address, for the log */
} web_req;

/* The answer: status, type, headers, and a body in memory or (downloads) in a file. */
typedef struct {
    int status;
    const char *ctype;
    buf body;
    FILE *file;         /* when set, the body is this file's content, from its start */
    char location[512]; /* a redirect's target ("": none) */
    char cookies[2][300];
    char disposition[200]; /* Content-Disposition ("": none) */
    const char *note;      /* a word for the server's log line (e.g. "login failed") */
} web_resp;

/* 1 if path is the dashboard's: "/", "/dang-nhap", "/xa", "/hop-thu[/<id>]", "/static/...",
 * "/tai/..." ... */
int web_owns(const char *path);
/* Answers req into resp (resp zeroed by the caller; free its body and file after sending). */
void web_handle(web *w, const web_req *req, web_resp *resp);
void web_resp_free(web_resp *resp);

#endif
