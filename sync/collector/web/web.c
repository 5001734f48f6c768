/* web: the dashboard's front door: which path is whose, who may see what (a commune's leader
 * only their commune, an officer only their own results), and the error pages. The pages
 * themselves are in web_pages.c, web_feedback.c (the inbox) and web_export.c, signing in in
 * web_auth.c. */
#include "web_int.h"

#include "auth.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Argon2id runs allowed at once (64 MiB each). */
#define HASHING_AT_ONCE 2

web *web_new(const web_opts *o)
{
    web *w = xcalloc(1, sizeof *w);
    w->o = *o;
    if (!w->o.session_ms)
        w->o.session_ms = 12 * 3600 * 1000LL;
    if (!w->o.max_failed)
        w->o.max_failed = 5;
    if (!w->o.lock_ms)
        w->o.lock_ms = 15 * 60 * 1000LL;
    if (!w->o.silent_ms)
        w->o.silent_ms = 2 * 3600 * 1000LL;
    sem_init(&w->hashing, 0, HASHING_AT_ONCE);
    /* A hash of a random password nobody knows: what an unknown name is checked against. */
    char pw[33];
    auth_random_hex(pw, 16);
    if (auth_password_hash(pw, w->dummy_hash) != 0)
        w->dummy_hash[0] = '\0';
    return w;
}

void web_free(web *w)
{
    if (!w)
        return;
    sem_destroy(&w->hashing);
    free(w);
}

void web_resp_free(web_resp *resp)
{
    buf_free(&resp->body);
    if (resp->file)
        fclose(resp->file);
    resp->file = NULL;
}

int web_owns(const char *path)
{
    static const char *const exact[] = {"/", "/dang-nhap", "/dang-xuat", "/xa", NULL};
    for (int i = 0; exact[i]; i++)
        if (strcmp(path, exact[i]) == 0)
            return 1;
    return strncmp(path, "/tai/", 5) == 0 || strncmp(path, "/static/", 8) == 0 ||
           web_feedback_path(path) != 0;
}

void web_error(web_resp *resp, int status, const char *msg)
{
    buf_reset(&resp->body);
    resp->status = status;
    resp->ctype = "text/html; charset=utf-8";
    buf *b = &resp->body;
    web_page_begin(b, "Không xem được trang", NULL);
    buf_str(b, "<h1>Không xem được trang</h1><p class=\"msg\">");
    web_esc(b, msg);
    buf_str(b, "</p><p><a href=\"/\">Về trang chính</a></p>");
    web_page_end(b);
}

db *web_db(web *w, web_resp *resp)
{
    char err[HL_ERR_MAX];
    db *d = db_pool_get(w->o.pool, err, sizeof err);
    if (!d) {
        log_error("dashboard: %s", err);
        web_error(resp, 503, "Cơ sở dữ liệu đang bận hoặc không truy cập được; hãy thử lại sau.");
    }
    return d;
}

void web_db_put(web *w, db *d)
{
    db_pool_put(w->o.pool, d);
}

int web_scope(const web_who *who, web_view *v, web_resp *resp)
{
    if (who->user.role == DB_ROLE_PROVINCE)
        return 0;
    if (v->unit[0] && strcmp(v->unit, who->user.unit) != 0) {
        resp->note = "refused: another unit";
        web_error(resp, 403,
                  "Tài khoản này chỉ xem được số liệu của đơn vị mình. Hãy liên hệ quản trị "
                  "viên của tỉnh nếu cần xem đơn vị khác.");
        return -1;
    }
    util_strlcpy(v->unit, who->user.unit, sizeof v->unit);
    v->f.unit = v->unit;
    if (who->user.role == DB_ROLE_OFFICER)
        util_strlcpy(v->officer, who->user.officer_code, sizeof v->officer);
    return 0;
}

static void serve_static(const web_req *req, web_resp *resp)
{
    resp->status = 200;
    if (strcmp(req->path, "/static/app.css") == 0) {
        resp->ctype = "text/css; charset=utf-8";
        buf_str(&resp->body, web_css);
        buf_str(&resp->body, web_css_inbox);
        return;
    }
    int bold = strcmp(req->path, "/static/noto-sans-bold.ttf") == 0;
    if (bold || strcmp(req->path, "/static/noto-sans.ttf") == 0) {
        size_t len;
        const unsigned char *f = web_font(bold, &len);
        resp->ctype = "font/ttf";
        buf_add(&resp->body, f, len);
        return;
    }
    web_error(resp, 404, "Không có trang này.");
}

void web_handle(web *w, const web_req *req, web_resp *resp)
{
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    int post = strcmp(req->method, "POST") == 0;
    if (!get && !post) {
        web_error(resp, 405, "Phương thức không được hỗ trợ.");
        return;
    }
    if (strncmp(req->path, "/static/", 8) == 0) {
        if (!get)
            web_error(resp, 405, "Phương thức không được hỗ trợ.");
        else
            serve_static(req, resp);
        return;
    }
    int login = strcmp(req->path, "/dang-nhap") == 0;
    int logout = strcmp(req->path, "/dang-xuat") == 0;
    int inbox = web_feedback_path(req->path);
    if ((post && !login && !logout && inbox != 2 && inbox != 3) || (get && logout)) {
        web_error(resp, 405, "Phương thức không được hỗ trợ.");
        return;
    }
    db *d = web_db(w, resp);
    if (!d)
        return;
    web_who who;
    int s = web_session(w, d, req, &who, resp);
    if (s == -2) {
        web_db_put(w, d);
        return;
    }
    if (login) {
        if (post)
            web_login_post(w, d, req, resp);
        else if (s == 0) {
            resp->status = 303;
            util_strlcpy(resp->location, "/", sizeof resp->location);
        } else
            web_login_page(w, req, resp, NULL);
    } else if (s != 0) {
        /* Not signed in (or the session ended): to the login page; a form post is refused. */
        if (post) {
            web_error(resp, 403, "Phiên làm việc đã hết. Hãy đăng nhập lại.");
        } else {
            resp->status = 303;
            util_strlcpy(resp->location, "/dang-nhap", sizeof resp->location);
        }
    } else if (logout) {
        web_logout(w, d, req, &who, resp);
    } else if (strcmp(req->path, "/") == 0) {
        if (who.user.role == DB_ROLE_PROVINCE) {
            web_overview(w, d, req, &who, resp);
        } else {
            /* A commune's leader or officer has one page: their commune's. */
            buf to = {0};
            buf_str(&to, "/xa?unit=");
            web_url(&to, who.user.unit);
            resp->status = 303;
            util_strlcpy(resp->location, buf_cstr(&to), sizeof resp->location);
            buf_free(&to);
        }
    } else if (strcmp(req->path, "/xa") == 0) {
        web_commune(w, d, req, &who, resp);
    } else if (inbox) {
        web_feedback(w, d, req, &who, resp);
    } else if (strncmp(req->path, "/tai/", 5) == 0) {
        web_download(w, d, req, &who, resp);
    } else {
        web_error(resp, 404, "Không có trang này.");
    }
    web_db_put(w, d);
}
