/* alerts: raising alerts from the operator's rules and delivering them (see alerts.h). Each
 * alert has an id made of its rule, its event (a vote's uuid; an officer and a window; a kiosk and
 * its last contact) and its channel, so that a round run twice, or by two collectors sharing a
 * PostgreSQL database, raises it once; a delivery is claimed before it is tried. */
#include "alerts.h"

#include "alert_send.h"

#include "clock.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Votes received this recently are looked at in the next round: a batch committing while a
 * round reads must not be skipped by the cursor. */
#define SETTLE_MS 2000

struct alerts {
    alerts_opts o;
    pthread_t thread;
    int wake[2]; /* a pipe: alerts_stop writes a byte, the thread's poll() wakes */
};

int alerts_office_hours(int64_t utc_ms)
{
    clk_local l = clk_to_local(utc_ms);
    return l.weekday >= 1 && l.weekday <= 5 && l.hour >= 7 && l.hour < 17;
}

int64_t alerts_retry_delay(int64_t interval_ms, int64_t attempts)
{
    int64_t d = interval_ms > 0 ? interval_ms : 30000;
    for (int64_t i = 1; i < attempts && d < 3600000; i++)
        d *= 2;
    return d < 3600000 ? d : 3600000;
}

/* ---- raising ---- */

typedef struct {
    db_rule *r;
    size_t n;
    char **s; /* the copied strings */
    size_t ns;
} rules;

static const char *keep(rules *l, const char *s)
{
    l->s = xrealloc(l->s, (l->ns + 1) * sizeof *l->s);
    return l->s[l->ns++] = xstrdup(s);
}

static int rule_cb(const db_rule *r, void *ctx)
{
    rules *l = ctx;
    l->r = xrealloc(l->r, (l->n + 1) * sizeof *l->r);
    db_rule *x = &l->r[l->n++];
    *x = *r;
    x->name = keep(l, r->name);
    x->kind = keep(l, r->kind);
    x->unit = keep(l, r->unit);
    x->email = keep(l, r->email);
    x->webhook = keep(l, r->webhook);
    return 0;
}

static void rules_free(rules *l)
{
    for (size_t i = 0; i < l->ns; i++)
        free(l->s[i]);
    free(l->s);
    free(l->r);
}

/* Raises the alert of rule r for event on each of r's channels. */
static int raise_alert(db *d, const db_rule *r, const char *event, db_alert *a, int64_t now,
                       char *err, size_t errlen)
{
    const char *channel[2] = {"email", "webhook"}, *target[2] = {r->email, r->webhook};
    for (int k = 0; k < 2; k++) {
        if (!target[k][0])
            continue;
        unsigned char h[32];
        char hex[65], basis[600];
        util_fmt(basis, sizeof basis, "%s\x1f%s\x1f%s", r->name, event, channel[k]);
        crypto_hash_sha256(h, (const unsigned char *)basis, strlen(basis));
        for (int i = 0; i < 16; i++)
            util_fmt(hex + 2 * i, 3, "%02x", h[i]);
        a->id = hex;
        a->rule = r->name;
        a->kind = r->kind;
        a->channel = channel[k];
        a->target = target[k];
        a->created_at = now;
        if (db_alert_put(d, a, err, errlen))
            return 1;
    }
    return 0;
}

typedef struct {
    db *d;
    rules *rl;
    int64_t now;
    int failed;
    char *err;
    size_t errlen;
} round_ctx;

static void when(int64_t ms, char out[32])
{
    clk_local l = clk_to_local(ms);
    util_fmt(out, 32, "%02d:%02d ngày %02d/%02d/%04d", l.hour % 100, l.minute % 100, l.day % 100,
             l.month % 100, l.year % 10000);
}

/* The rows a round reads are copied out first and acted on after: on SQLite a connection still
 * reading cannot start to write while another holds the write lock (it would fail at once, not
 * wait). */
typedef struct {
    db_unhappy *v;
    char **s;
    size_t n, ns;
} unhappy_list;

static const char *ukeep(unhappy_list *l, const char *s)
{
    l->s = xrealloc(l->s, (l->ns + 1) * sizeof *l->s);
    return l->s[l->ns++] = xstrdup(s);
}

static int collect_unhappy(const db_unhappy *v, void *ctx)
{
    unhappy_list *l = ctx;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    db_unhappy *x = &l->v[l->n++];
    *x = *v;
    x->uuid = ukeep(l, v->uuid);
    x->kiosk_id = ukeep(l, v->kiosk_id);
    x->unit = ukeep(l, v->unit);
    x->officer_code = ukeep(l, v->officer_code);
    x->officer_name = ukeep(l, v->officer_name);
    x->reasons = ukeep(l, v->reasons);
    return 0;
}

static int collect_contact(const char *kiosk, const char *unit, int64_t at, void *ctx)
{
    unhappy_list *l = ctx;
    db_unhappy v = {.uuid = "",
                    .kiosk_id = kiosk,
                    .unit = unit,
                    .officer_code = "",
                    .officer_name = "",
                    .reasons = "",
                    .placed_at = at,
                    .received_at = at};
    return collect_unhappy(&v, l);
}

static void unhappy_free(unhappy_list *l)
{
    for (size_t i = 0; i < l->ns; i++)
        free(l->s[i]);
    free(l->s);
    free(l->v);
}

static int unhappy_cb(const db_unhappy *v, void *ctx)
{
    round_ctx *c = ctx;
    const char *who = v->officer_name[0] ? v->officer_name : v->officer_code;
    char t[32], subject[400], text[1200], event[200];
    when(v->placed_at, t);
    for (size_t i = 0; i < c->rl->n && !c->failed; i++) {
        const db_rule *r = &c->rl->r[i];
        if (r->unit[0] && strcmp(r->unit, v->unit) != 0)
            continue;
        db_alert a = {.unit = v->unit, .kiosk_id = v->kiosk_id, .officer_code = v->officer_code};
        if (strcmp(r->kind, ALERT_UNHAPPY) == 0) {
            util_fmt(subject, sizeof subject, "Chưa hài lòng: %s (%s)", who, v->unit);
            util_fmt(text, sizeof text,
                     "Một người dân vừa đánh giá \"Chưa hài lòng\" đối với cán bộ %s (mã %s) tại "
                     "%s, máy %s, lúc %s.\nLý do đã chọn (mã): %s\n",
                     who, v->officer_code, v->unit, v->kiosk_id, t,
                     strcmp(v->reasons, "[]") == 0 ? "không chọn" : v->reasons);
            a.subject = subject;
            a.body = text;
            c->failed = raise_alert(c->d, r, v->uuid, &a, c->now, c->err, c->errlen);
        } else if (strcmp(r->kind, ALERT_MANY) == 0) {
            int64_t win = r->window_min * 60000, n = 0;
            if (db_unhappy_count(c->d, v->unit, v->officer_code, v->placed_at - win, v->placed_at,
                                 &n, c->err, c->errlen)) {
                c->failed = 1;
                break;
            }
            if (n < r->threshold)
                continue;
            /* One alert per officer and window: the window the vote reaching N falls in. */
            util_fmt(event, sizeof event, "%s\x1f%s\x1f%lld", v->unit, v->officer_code,
                     (long long)(v->placed_at / (win > 0 ? win : 1)));
            util_fmt(subject, sizeof subject, "%lld phiếu chưa hài lòng trong %lld phút: %s (%s)",
                     (long long)n, (long long)r->window_min, who, v->unit);
            util_fmt(text, sizeof text,
                     "Cán bộ %s (mã %s) tại %s đã nhận %lld phiếu \"Chưa hài lòng\" trong %lld "
                     "phút, phiếu gần nhất lúc %s (máy %s). Đề nghị lãnh đạo xem xét.\n",
                     who, v->officer_code, v->unit, (long long)n, (long long)r->window_min, t,
                     v->kiosk_id);
            a.subject = subject;
            a.body = text;
            c->failed = raise_alert(c->d, r, event, &a, c->now, c->err, c->errlen);
        }
    }
    return c->failed;
}

static int contact_cb(const char *kiosk, const char *unit, int64_t at, void *ctx)
{
    round_ctx *c = ctx;
    for (size_t i = 0; i < c->rl->n && !c->failed; i++) {
        const db_rule *r = &c->rl->r[i];
        if (strcmp(r->kind, ALERT_SILENT) != 0 || (r->unit[0] && strcmp(r->unit, unit) != 0))
            continue;
        /* A kiosk never heard from is not installed yet: nothing to miss. */
        if (at <= 0 || c->now - at <= r->threshold * 60000)
            continue;
        char t[32], subject[400], text[1000], event[200];
        when(at, t);
        util_fmt(event, sizeof event, "%s\x1f%lld", kiosk, (long long)at);
        util_fmt(subject, sizeof subject, "Máy đánh giá không liên lạc: %s (%s)", kiosk, unit);
        util_fmt(text, sizeof text,
                 "Máy đánh giá %s tại %s không liên lạc với máy chủ từ %s (%lld phút), trong giờ "
                 "làm việc. Có thể máy bị tắt, mất điện hoặc mất mạng; đề nghị cán bộ phụ trách "
                 "kiểm tra.\n",
                 kiosk, unit, t, (long long)((c->now - at) / 60000));
        db_alert a = {
            .unit = unit, .kiosk_id = kiosk, .officer_code = "", .subject = subject, .body = text};
        c->failed = raise_alert(c->d, r, event, &a, c->now, c->err, c->errlen);
    }
    return c->failed;
}

/* The phản ánh items that arrived, copied out like the votes (see unhappy_list). */
typedef struct {
    char uuid[37], kiosk_id[64], unit[256], officer[300], text[4 * 200 + 8];
    int64_t placed_at;
} fb_item;
typedef struct {
    fb_item *v;
    size_t n;
} fb_list;

static int collect_feedback(const db_feedback_row *r, void *ctx)
{
    fb_list *l = ctx;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    fb_item *x = &l->v[l->n++];
    util_strlcpy(x->uuid, r->uuid, sizeof x->uuid);
    util_strlcpy(x->kiosk_id, r->kiosk_id, sizeof x->kiosk_id);
    util_strlcpy(x->unit, r->unit, sizeof x->unit);
    util_strlcpy(x->officer, r->officer_name[0] ? r->officer_name : r->officer_code,
                 sizeof x->officer);
    /* The start of the text only (never the contact data). */
    util_utf8_excerpt(r->text, 200, x->text, sizeof x->text);
    x->placed_at = r->placed_at;
    return 0;
}

static void feedback_raise(round_ctx *c, const fb_item *f)
{
    char t[32], subject[400], text[1200];
    when(f->placed_at, t);
    for (size_t i = 0; i < c->rl->n && !c->failed; i++) {
        const db_rule *r = &c->rl->r[i];
        if (strcmp(r->kind, ALERT_FEEDBACK) != 0 || (r->unit[0] && strcmp(r->unit, f->unit) != 0))
            continue;
        util_fmt(subject, sizeof subject, "Phản ánh mới: %s (%s)",
                 f->officer[0] ? f->officer : "không nêu tên cán bộ", f->unit);
        util_fmt(text, sizeof text,
                 "Một người dân vừa gửi phản ánh – kiến nghị từ máy đánh giá %s tại %s, lúc %s%s%s."
                 "\nNội dung: %s\nXem và xử lý trong Hộp thư góp ý, ý kiến %.8s.\n",
                 f->kiosk_id, f->unit, t, f->officer[0] ? ", về cán bộ " : "", f->officer, f->text,
                 f->uuid);
        db_alert a = {.unit = f->unit,
                      .kiosk_id = f->kiosk_id,
                      .officer_code = "",
                      .subject = subject,
                      .body = text};
        c->failed = raise_alert(c->d, r, f->uuid, &a, c->now, c->err, c->errlen);
    }
}

/* ---- delivering ---- */

typedef struct {
    db *d;
    const alerts_opts *o;
    int64_t now;
    int failed;
    char *err;
    size_t errlen;
} send_ctx;

/* The alert's e-mail recipients ("a@b.vn, c@d.vn") as the array alert_send_mail takes. */
static int split_addresses(const char *list, char (*one)[256], const char **to, int max)
{
    int n = 0;
    for (const char *p = list; *p && n < max;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t k = strcspn(p, ", ");
        if (k && k < sizeof one[0]) {
            memcpy(one[n], p, k);
            one[n][k] = '\0';
            to[n] = one[n];
            n++;
        }
        p += k;
    }
    return n;
}

/* A webhook's URL without its path and query (they often hold a token), for the log. */
static void url_host(const char *url, char *out, size_t cap)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    size_t k = strcspn(h, "/?#");
    util_fmt(out, cap, "%.*s%.*s", (int)(h - url), url, (int)k, h);
}

static int due_cb(const db_alert *a, void *ctx)
{
    send_ctx *c = ctx;
    const alerts_opts *o = c->o;
    alert_channel_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    util_strlcpy(cfg.smtp_url, o->smtp_url ? o->smtp_url : "", sizeof cfg.smtp_url);
    util_strlcpy(cfg.smtp_user, o->smtp_user ? o->smtp_user : "", sizeof cfg.smtp_user);
    util_strlcpy(cfg.smtp_pass, o->smtp_password ? o->smtp_password : "", sizeof cfg.smtp_pass);
    util_strlcpy(cfg.from, o->smtp_from ? o->smtp_from : "", sizeof cfg.from);
    /* A login never crosses the network in clear: with a user, STARTTLS is required. */
    cfg.starttls = cfg.smtp_user[0] != '\0' && strncmp(cfg.smtp_url, "smtps://", 8) != 0;
    util_strlcpy(cfg.webhook_url, a->target, sizeof cfg.webhook_url);
    alert_msg m = {.kind = a->kind,
                   .unit = a->unit,
                   .officer_code = a->officer_code[0] ? a->officer_code : NULL,
                   .officer_name = NULL,
                   .kiosk_id = a->kiosk_id,
                   .subject = a->subject,
                   .text = a->body,
                   .at_ms = a->created_at,
                   .id = a->id};
    char why[512] = "", where[256];
    int rc;
    if (strcmp(a->channel, "email") == 0) {
        char one[16][256];
        const char *to[16];
        int n = split_addresses(a->target, one, to, 16);
        if (!cfg.smtp_url[0] || !cfg.from[0]) {
            util_fmt(why, sizeof why, "no SMTP server configured (serve --smtp-url, --smtp-from)");
            rc = 1;
        } else {
            rc = alert_send_mail(&cfg, to, n, &m, why, sizeof why);
        }
        util_strlcpy(where, a->target, sizeof where);
    } else {
        rc = alert_send_webhook(&cfg, &m, why, sizeof why);
        url_host(a->target, where, sizeof where);
    }
    int64_t attempts = a->attempts + 1;
    if (rc == 0) {
        log_info("alert %s (%s) delivered by %s to %s, attempt %lld", a->id, a->kind, a->channel,
                 where, (long long)attempts);
        if (db_alert_done(c->d, a->id, c->now, c->err, c->errlen))
            c->failed = 1;
        return 0;
    }
    int give_up = attempts >= ALERT_MAX_ATTEMPTS;
    int64_t next = c->now + alerts_retry_delay(o->interval_ms, attempts);
    log_warn("alert %s (%s) by %s, attempt %lld failed: %s; %s", a->id, a->kind, a->channel,
             (long long)attempts, why, give_up ? "given up" : "will retry");
    if (db_alert_failed(c->d, a->id, next, give_up, why, c->err, c->errlen))
        c->failed = 1;
    return 0;
}

int alerts_round(const alerts_opts *o, char *err, size_t errlen)
{
    db *d = db_pool_get(o->pool, err, errlen);
    if (!d)
        return 1;
    int64_t now = o->now_ms(), cursor = 0, fcursor = 0, settled = now - SETTLE_MS;
    rules rl = {0};
    unhappy_list votes = {0}, kiosks = {0};
    fb_list items = {0};
    round_ctx rc = {d, &rl, now, 0, err, errlen};
    int failed = db_rule_list(d, rule_cb, &rl, err, errlen) ||
                 db_cursor_get(d, "votes", &cursor, err, errlen) ||
                 db_cursor_get(d, "feedback", &fcursor, err, errlen);
    /* The first round starts from now: rules look forward, not at years of old votes (nor at the
     * feedback stored before this collector looked for it). */
    int fresh = !failed && cursor == 0, ffresh = !failed && fcursor == 0;
    if (fresh)
        cursor = settled;
    if (ffresh)
        fcursor = settled;
    if (!failed && rl.n > 0) {
        failed = db_unhappy_since(d, cursor, settled, collect_unhappy, &votes, err, errlen) ||
                 db_feedback_since(d, ALERT_FEEDBACK, fcursor, settled, collect_feedback, &items,
                                   err, errlen);
        if (!failed && alerts_office_hours(now))
            failed = db_last_contact(d, collect_contact, &kiosks, err, errlen);
    }
    /* Raised and the cursor moved in one transaction: a failure raises nothing and the next
     * round looks at the same votes again. */
    if (!failed && !(failed = db_tx_begin(d, err, errlen))) {
        for (size_t i = 0; i < votes.n && !rc.failed; i++)
            unhappy_cb(&votes.v[i], &rc);
        for (size_t i = 0; i < kiosks.n && !rc.failed; i++)
            contact_cb(kiosks.v[i].kiosk_id, kiosks.v[i].unit, kiosks.v[i].placed_at, &rc);
        for (size_t i = 0; i < items.n && !rc.failed; i++)
            feedback_raise(&rc, &items.v[i]);
        failed =
            rc.failed ||
            ((fresh || settled > cursor) && db_cursor_put(d, "votes", settled, err, errlen)) ||
            ((ffresh || settled > fcursor) && db_cursor_put(d, "feedback", settled, err, errlen));
        failed = db_tx_end(d, failed, err, errlen);
    }
    unhappy_free(&votes);
    unhappy_free(&kiosks);
    free(items.v);
    rules_free(&rl);
    if (!failed) {
        send_ctx sc = {d, o, now, 0, err, errlen};
        failed = db_alert_due(d, now, 5 * 60000, due_cb, &sc, err, errlen) || sc.failed;
    }
    db_pool_put(o->pool, d);
    return failed ? 1 : 0;
}

/* Rounds until stopped, waiting interval_ms between them in poll(): a relative timeout, so a
 * wall clock set back (NTP, an operator) does not stop the alerts for as long. */
static void *thread_main(void *arg)
{
    alerts *a = arg;
    for (;;) {
        char err[HL_ERR_MAX];
        if (alerts_round(&a->o, err, sizeof err))
            log_error("alerts: %s", err);
        struct pollfd p = {a->wake[0], POLLIN, 0};
        int64_t ms = a->o.interval_ms < INT32_MAX ? a->o.interval_ms : INT32_MAX;
        int r = poll(&p, 1, (int)ms);
        if (r > 0 || (r < 0 && errno != EINTR))
            break;
    }
    return NULL;
}

alerts *alerts_start(const alerts_opts *o)
{
    if (o->interval_ms <= 0)
        return NULL;
    char err[HL_ERR_MAX];
    if (alert_send_init(err, sizeof err) != 0) {
        log_error("alerts: %s; no alerts will be sent", err);
        return NULL;
    }
    alerts *a = xcalloc(1, sizeof *a);
    a->o = *o;
    if (pipe(a->wake) != 0) {
        log_error("alerts: cannot make a pipe: %s; no alerts will be sent", strerror(errno));
        free(a);
        return NULL;
    }
    if (pthread_create(&a->thread, NULL, thread_main, a) != 0) {
        log_error("alerts: cannot start the thread; no alerts will be sent");
        close(a->wake[0]);
        close(a->wake[1]);
        free(a);
        return NULL;
    }
    log_info("alerts: checking the rules every %lld s%s", (long long)(o->interval_ms / 1000),
             o->smtp_url && *o->smtp_url ? "" : "; no SMTP server: e-mail alerts cannot be sent");
    return a;
}

void alerts_stop(alerts *a)
{
    if (!a)
        return;
    if (write(a->wake[1], "x", 1) != 1)
        log_warn("alerts: cannot wake the thread: %s", strerror(errno));
    pthread_join(a->thread, NULL);
    close(a->wake[0]);
    close(a->wake[1]);
    free(a);
}
