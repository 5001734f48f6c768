/* server_web: the HTTP side of the dashboard: a request's method, path, query, cookies and form
 * body handed to web_handle (web/), its answer sent with the headers every page carries (a strict
 * Content-Security-Policy: no script, no inline style, nothing from elsewhere). Part of server. */
#include "server.h"

#include "log.h"
#include "util.h"
#include "web.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* The client's address as text, for the log (failed logins name it). */
static void addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
    socklen_t len =
        sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (getnameinfo(sa, len, out, (socklen_t)cap, NULL, 0, NI_NUMERICHOST) != 0)
        util_strlcpy(out, "?", cap);
}

static const char *query_arg(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static void header(struct MHD_Response *resp, const char *name, const char *value)
{
    if (MHD_add_response_header(resp, name, value) != MHD_YES)
        log_warn("http: cannot add header %s", name);
}

int server_web(struct MHD_Connection *c, web *w, const char *method, const char *url,
               const char *form, size_t form_len, int *status, const char **note)
{
    char client[64] = "?";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr)
        addr_text(ci->client_addr, client, sizeof client);
    web_req req = {
        .method = method,
        .path = url,
        .arg = query_arg,
        .arg_ctx = c,
        .cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_COOKIE),
        .pre_cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_PRE_COOKIE),
        .form = form,
        .form_len = form_len,
        .client = client,
    };
    web_resp out;
    memset(&out, 0, sizeof out);
    web_handle(w, &req, &out);
    struct MHD_Response *resp = NULL;
    if (out.file) {
        /* A download: from its (unlinked) temporary file, which MHD closes when done. */
        long size = fseek(out.file, 0, SEEK_END) == 0 ? ftell(out.file) : -1;
        int fd = size >= 0 ? dup(fileno(out.file)) : -1;
        if (fd >= 0) {
            resp = MHD_create_response_from_fd((size_t)size, fd);
            if (!resp)
                close(fd);
        }
    } else {
        resp = MHD_create_response_from_buffer(out.body.len, (void *)(uintptr_t)buf_cstr(&out.body),
                                               MHD_RESPMEM_MUST_COPY);
    }
    if (!resp) {
        web_resp_free(&out);
        return (int)MHD_NO;
    }
    int is_static = strncmp(url, "/static/", 8) == 0 && out.status == 200;
    header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, out.ctype ? out.ctype : "text/plain");
    header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, is_static ? "public, max-age=86400" : "no-store");
    header(resp, "Content-Security-Policy",
           "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; "
           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    header(resp, "X-Content-Type-Options", "nosniff");
    header(resp, "X-Frame-Options", "DENY");
    header(resp, "Referrer-Policy", "no-referrer");
    if (out.location[0])
        header(resp, MHD_HTTP_HEADER_LOCATION, out.location);
    for (int i = 0; i < 2; i++)
        if (out.cookies[i][0])
            header(resp, MHD_HTTP_HEADER_SET_COOKIE, out.cookies[i]);
    if (out.disposition[0])
        header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, out.disposition);
    if (out.status == 405)
        header(resp, MHD_HTTP_HEADER_ALLOW,
               strcmp(url, "/dang-nhap") == 0   ? "GET, HEAD, POST"
               : strcmp(url, "/dang-xuat") == 0 ? "POST"
                                                : "GET, HEAD");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)out.status, resp);
    MHD_destroy_response(resp);
    *status = out.status;
    *note = out.note;
    web_resp_free(&out);
    return (int)rc;
}
