/* web_int: what the dashboard's files share: who is asking (the session), what view is asked
 * (period, commune, grouping), the HTML and number formatting, the statistics, the charts.
 * Included only by sync/collector/web/. */
#ifndef HL_WEB_INT_H
#define HL_WEB_INT_H

#include "web.h"

#include <semaphore.h>

/* Fewer counted votes than this and a rate says too little to compare: no rank, no bar, a
 * note instead ("chưa đủ phiếu"). With 30 votes the 95 % interval of a rate near 85 % is still
 * about ±13 points wide. */
#define WEB_MIN_VOTES 30

struct web {
    web_opts o;
    /* Argon2id costs 64 MiB per check: at most this many run at once, the rest wait. */
    sem_t hashing;
    /* Checked against when the user does not exist, so that an unknown name takes as long as a
     * wrong password (no way to tell which accounts exist by timing). */
    char dummy_hash[128];
};

/* The signed-in user of a request. */
typedef struct {
    db_user user;
    char csrf[48];
    char sess_hash[65];
    int64_t inbox_new; /* items in state "moi" the user's inbox holds (the navigation says so) */
} web_who;

/* What a page shows: a range of whole local days, a unit (commune page), a trend grouping. */
typedef struct {
    char from[11], to[11]; /* inclusive, YYYY-MM-DD */
    char period[24];       /* the named period chosen ("" when from/to were given) */
    char unit[256];        /* "" on the overview */
    char officer[32];      /* an officer's own view */
    char group;            /* trend buckets: 'd' day, 'w' week, 'm' month */
    db_filter f;
} web_view;

/* ---- web.c ---- */
/* Fills resp with a complete error page (status, Vietnamese message). */
void web_error(web_resp *resp, int status, const char *msg);
/* A database connection from the pool, or NULL after web_error(503). */
db *web_db(web *w, web_resp *resp);
void web_db_put(web *w, db *d);

/* ---- web_auth.c: login, logout, sessions ---- */
/* 0 with *who filled when req carries a live session; -1 when not (nothing written). -2 after a
 * database error was answered. */
int web_session(web *w, db *d, const web_req *req, web_who *who, web_resp *resp);
void web_login_page(web *w, const web_req *req, web_resp *resp, const char *msg);
void web_login_post(web *w, db *d, const web_req *req, web_resp *resp);
void web_logout(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp);
/* 1 if the form's csrf field is the session's token (compared in constant time). */
int web_csrf_ok(const web_req *req, const char *expected);
/* A form field's value, %-decoded into out. 0, or -1 when absent or too long. */
int web_form_field(const char *form, size_t len, const char *name, char *out, size_t cap);

/* ---- web_html.c ---- */
void web_esc(buf *b, const char *s); /* HTML text or attribute value */
void web_url(buf *b, const char *s); /* a query value, %-encoded */
void web_int(buf *b, int64_t v);     /* 12.345 (Vietnamese digit grouping) */
void web_pct(buf *b, double share);  /* 0.853 -> "85,3 %" */
/* The page's start (head, header with the user and the logout button) and end. */
void web_page_begin(buf *b, const char *title, const web_who *who);
void web_page_end(buf *b);
/* The period chooser (a GET form to action, keeping unit). */
void web_period_form(buf *b, const web_view *v, const char *action, int64_t now_ms);
/* The query string of v ("from=..&to=..[&unit=..]") for links and downloads. */
void web_view_query(buf *b, const web_view *v);
/* Reads the view from the request (period, from, to, unit, nhom), defaulting to this month. 0, or
 * -1 with msg (Vietnamese) for a bad value. */
int web_view_parse(const web_req *req, int64_t now_ms, web_view *v, char *msg, size_t msglen);
extern const char web_css[];
extern const char web_css_inbox[]; /* served after web_css */
/* The built-in font (web_static.c): Noto Sans, regular or bold. */
const unsigned char *web_font(int bold, size_t *len);

/* ---- web_stats.c ---- */
typedef struct {
    int64_t r3, r2, r1, misuse, suspect, total;
} web_counts;
int64_t web_counted(const web_counts *c);
/* The satisfied share (r3 + r2) / counted and its 95 % Wilson interval; 0 when nothing counted. */
int web_rate(const web_counts *c, double *rate, double *lo, double *hi);
/* The bucket (first day number) a local day falls in: the day, its week's Monday, its month's
 * first day. */
int64_t web_bucket(int64_t day, char group);
/* "05/12", "T2 30/11", "12/2026": a bucket's label. */
void web_bucket_label(int64_t first_day, char group, char *out, size_t cap);

/* ---- web_svg.c ---- */
typedef struct {
    int64_t first_day;
    web_counts c;
} web_point;
/* Bars of counted votes per bucket, stacked by level, with the satisfied share as a line. */
void web_svg_trend(buf *b, const web_point *p, size_t n, char group);
/* One 100 % bar split by the three levels. */
void web_svg_share(buf *b, const web_counts *c);
/* The hour x weekday map (cells[weekday 0 Sunday][hour]). */
void web_svg_heat(buf *b, int64_t cells[7][24]);

/* ---- web_pages.c ---- */
void web_overview(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp);
void web_commune(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp);

/* ---- web_feedback.c: the feedback inbox ---- */
/* 1 for "/hop-thu", 2 for "/hop-thu/<id>" (8 to 36 of 0-9, a-f, '-'), else 0. */
int web_feedback_path(const char *path);
/* GET /hop-thu, GET and POST /hop-thu/<id>. */
void web_feedback(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp);

/* ---- web_export.c ---- */
/* /tai/<what>.<csv|xlsx>: what is "tong-hop" (the view's table) or "phieu" (the votes). */
void web_download(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp);

/* The unit a user may read (their own for commune and officer roles, "" = all for province),
 * checked against the one asked: 0, or -1 after a 403 page was written. */
int web_scope(const web_who *who, web_view *v, web_resp *resp);

/* web_letter.c: the letter form on an item's page (for the commune's own leader) and its POST
 * /hop-thu/<id>/thu, answered with the PDF. */
void web_letter_form(buf *b, const web_who *who, const char *uuid, const char *unit,
                     const char *kind, int has_contact);
void web_letter_post(web *w, db *d, const web_req *req, const web_who *who, const char *id,
                     web_resp *resp);

#endif
