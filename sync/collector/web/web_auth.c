/* web_auth: signing in and out of the dashboard. A session is a random cookie (HttpOnly,
 * SameSite=Strict, Secure behind TLS) whose SHA-256 alone is stored, with a CSRF token every form
 * must carry; the login form has its own (a cookie and a field that must match). Repeated wrong
 * passwords lock the account for a while; an unknown name costs as much time as a wrong password.
 */
#include "web_int.h"

#include "auth.h"
#include "log.h"
#include "report.h"
#include "util.h"

#include <sodium.h>
#include <string.h>

#define SESSION_HEX 64 /* 32 random bytes */
#define CSRF_HEX    40 /* 20 random bytes */

static int is_hex(const char *s, size_t n)
{
    if (!s || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int web_form_field(const char *form, size_t len, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    const char *p = form, *end = form ? form + len : NULL;
    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - p) > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
            size_t o = 0;
            for (const char *q = p + nlen + 1; q < stop; q++) {
                int c = (unsigned char)*q;
                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && stop - q > 2 && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
                    c = hexval(q[1]) * 16 + hexval(q[2]);
                    q += 2;
                }
                if (o + 1 >= cap || c == 0)
                    return -1;
                out[o++] = (char)c;
            }
            out[o] = '\0';
            return 0;
        }
        p = amp ? amp + 1 : end;
    }
    return -1;
}

int web_csrf_ok(const web_req *req, const char *expected)
{
    char got[CSRF_HEX + 2];
    if (!is_hex(expected, CSRF_HEX) ||
        web_form_field(req->form, req->form_len, "csrf", got, sizeof got) != 0 ||
        strlen(got) != CSRF_HEX)
        return 0;
    return sodium_memcmp(got, expected, CSRF_HEX) == 0;
}

static void set_cookie(web *w, web_resp *resp, int slot, const char *name, const char *value,
                       int64_t max_age_s)
{
    util_fmt(resp->cookies[slot], sizeof resp->cookies[slot],
             "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", name, value,
             (long long)max_age_s, w->o.secure_cookies ? "; Secure" : "");
}

int web_session(web *w, db *d, const web_req *req, web_who *who, web_resp *resp)
{
    memset(who, 0, sizeof *who);
    if (!is_hex(req->cookie, SESSION_HEX))
        return -1;
    char err[HL_ERR_MAX];
    auth_hash(req->cookie, who->sess_hash);
    db_session s;
    if (db_session_get(d, who->sess_hash, &s, err, sizeof err) ||
        (s.found && db_user_get(d, s.user, &who->user, err, sizeof err))) {
        log_error("dashboard: session: %s", err);
        web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
        return -2;
    }
    if (!s.found || s.expires_at <= w->o.now_ms() || !who->user.found || who->user.disabled_at)
        return -1;
    util_strlcpy(who->csrf, s.csrf, sizeof who->csrf);
    /* The new items of the inbox the user may read, for the navigation (not an officer's). */
    who->inbox_new = 0;
    if (who->user.role != DB_ROLE_OFFICER &&
        db_feedback_count(d, who->user.role == DB_ROLE_PROVINCE ? "" : who->user.unit, DB_FB_NEW,
                          &who->inbox_new, err, sizeof err)) {
        log_error("dashboard: counting new feedback: %s", err);
        who->inbox_new = 0; /* the page is still worth showing without it */
    }
    return 0;
}

void web_login_page(web *w, const web_req *req, web_resp *resp, const char *msg)
{
    /* The login form's CSRF pair: the cookie it already has, else a new one. */
    char pre[CSRF_HEX + 1];
    if (is_hex(req->pre_cookie, CSRF_HEX))
        util_strlcpy(pre, req->pre_cookie, sizeof pre);
    else
        auth_random_hex(pre, CSRF_HEX / 2);
    set_cookie(w, resp, 1, WEB_PRE_COOKIE, pre, 3600);
    buf *b = &resp->body;
    web_page_begin(b, "Đăng nhập", NULL);
    buf_str(b, "<section class=\"login\"><h1>Đăng nhập</h1><p>Trang theo dõi mức độ hài lòng "
               "của người dân tại nơi tiếp nhận hồ sơ của các xã, phường.</p>");
    if (msg) {
        buf_str(b, "<p class=\"msg\" role=\"alert\">");
        web_esc(b, msg);
        buf_str(b, "</p>");
    }
    buf_str(b, "<form method=\"post\" action=\"/dang-nhap\"><input type=\"hidden\" name=\"csrf\" "
               "value=\"");
    buf_str(b, pre);
    buf_str(b, "\"><label>Tên đăng nhập <input name=\"user\" autocomplete=\"username\" required "
               "autocapitalize=\"none\"></label><label>Mật khẩu <input type=\"password\" "
               "name=\"password\" autocomplete=\"current-password\" required></label>"
               "<button type=\"submit\">Đăng nhập</button></form></section>");
    web_page_end(b);
    resp->status = resp->status ? resp->status : 200;
    resp->ctype = "text/html; charset=utf-8";
}

static void lock_message(int64_t until, char *msg, size_t cap)
{
    char t[20];
    report_local_time(until, t);
    util_fmt(msg, cap,
             "Tài khoản đang tạm khóa vì nhập sai mật khẩu nhiều lần. Hãy thử lại sau %.5s "
             "ngày %.2s/%.2s.",
             t + 11, t + 8, t + 5);
}

/* Checks password against hash with at most a few argon2id runs at once. */
static int check_password(web *w, const char *hash, const char *password)
{
    sem_wait(&w->hashing);
    int ok = auth_password_check(hash, password);
    sem_post(&w->hashing);
    return ok;
}

void web_login_post(web *w, db *d, const web_req *req, web_resp *resp)
{
    if (!is_hex(req->pre_cookie, CSRF_HEX) || !web_csrf_ok(req, req->pre_cookie)) {
        resp->status = 403;
        resp->note = "login refused: CSRF token";
        web_login_page(w, req, resp,
                       "Trang đăng nhập đã cũ hoặc không hợp lệ. Hãy đăng nhập lại trên trang "
                       "này.");
        return;
    }
    char name[64], password[160], err[HL_ERR_MAX], msg[200];
    if (web_form_field(req->form, req->form_len, "user", name, sizeof name) ||
        web_form_field(req->form, req->form_len, "password", password, sizeof password)) {
        resp->status = 400;
        web_login_page(w, req, resp, "Hãy nhập tên đăng nhập và mật khẩu.");
        return;
    }
    db_user u;
    if (db_user_get(d, name, &u, err, sizeof err)) {
        log_error("dashboard: login: %s", err);
        web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
        return;
    }
    int64_t now = w->o.now_ms();
    if (u.found && !u.disabled_at && u.locked_until > now) {
        resp->status = 429;
        resp->note = "login refused: account locked";
        lock_message(u.locked_until, msg, sizeof msg);
        web_login_page(w, req, resp, msg);
        sodium_memzero(password, sizeof password);
        return;
    }
    int ok = check_password(w, u.found && !u.disabled_at ? u.pw_hash : w->dummy_hash, password);
    sodium_memzero(password, sizeof password);
    if (!ok || !u.found || u.disabled_at) {
        if (u.found && !u.disabled_at &&
            db_user_failed(d, name, now, w->o.lock_ms, w->o.max_failed, err, sizeof err))
            log_error("dashboard: login: %s", err);
        log_warn("dashboard: failed login for \"%s\" from %s", name,
                 req->client ? req->client : "?");
        resp->status = 401;
        resp->note = "login failed";
        if (u.found && !u.disabled_at && u.failed + 1 >= w->o.max_failed) {
            lock_message(now + w->o.lock_ms, msg, sizeof msg);
            web_login_page(w, req, resp, msg);
        } else {
            web_login_page(w, req, resp, "Tên đăng nhập hoặc mật khẩu không đúng.");
        }
        return;
    }
    char id[SESSION_HEX + 1], hash[AUTH_HASH_HEX], csrf[CSRF_HEX + 1];
    auth_random_hex(id, SESSION_HEX / 2);
    auth_random_hex(csrf, CSRF_HEX / 2);
    auth_hash(id, hash);
    if (db_user_logged_in(d, name, err, sizeof err) || db_session_purge(d, now, err, sizeof err) ||
        db_session_put(d, hash, name, csrf, now, now + w->o.session_ms, err, sizeof err)) {
        log_error("dashboard: login: %s", err);
        web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
        return;
    }
    log_info("dashboard: %s signed in from %s", name, req->client ? req->client : "?");
    set_cookie(w, resp, 0, WEB_COOKIE, id, w->o.session_ms / 1000);
    set_cookie(w, resp, 1, WEB_PRE_COOKIE, "", 0);
    sodium_memzero(id, sizeof id);
    resp->status = 303;
    util_strlcpy(resp->location, "/", sizeof resp->location);
    resp->note = "signed in";
}

void web_logout(web *w, db *d, const web_req *req, const web_who *who, web_resp *resp)
{
    if (!web_csrf_ok(req, who->csrf)) {
        resp->note = "logout refused: CSRF token";
        web_error(resp, 403, "Yêu cầu không hợp lệ (thiếu mã chống giả mạo). Hãy tải lại trang.");
        return;
    }
    char err[HL_ERR_MAX];
    if (db_session_drop(d, who->sess_hash, err, sizeof err))
        log_error("dashboard: logout: %s", err);
    set_cookie(w, resp, 0, WEB_COOKIE, "", 0);
    resp->status = 303;
    util_strlcpy(resp->location, "/dang-nhap", sizeof resp->location);
}
