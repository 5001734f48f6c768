/* alert_send: delivering one alert, by e-mail (SMTP through libcurl) and to a webhook (a JSON POST,
 * HMAC-signed when a secret is set). One attempt per call, no state and no database: the caller's
 * thread keeps what was tried and says when to try again (alerts.c). Prefix: alert_. */
#ifndef HL_ALERT_SEND_H
#define HL_ALERT_SEND_H

#include <stddef.h>
#include <stdint.h>

/* Where alerts go. A plain struct so the collector's options can fill it in place. */
typedef struct {
    char smtp_url[256];                  /* smtp://host:port or smtps://host:port ("": no e-mail) */
    char smtp_user[128], smtp_pass[128]; /* "" for a relay without AUTH */
    char from[256];                      /* a bare address: canh-bao@xa.gov.vn */
    /* 0: plain smtp:// as it is (the user and password, if any, cross the network in clear);
     * 1: STARTTLS required, the mail is not sent when the server does not offer it. smtps://
     * is TLS from the start either way. */
    int starttls;
    char webhook_url[512];    /* http:// or https:// ("": no webhook) */
    char webhook_secret[128]; /* "": no X-Hailong-Signature */
    int timeout_s;            /* for the whole of one attempt; <= 0: 20 s */
} alert_channel_cfg;

/* One alert. Only id, subject, text and at_ms are needed for e-mail; the webhook sends every field
 * (NULL ones as JSON null: a silent kiosk has no officer). */
typedef struct {
    const char *kind; /* the rule's kind, passed through as given ("nhieu-chua-hai-long", ...) */
    const char *unit, *officer_code, *officer_name, *kiosk_id;
    const char *subject, *text; /* Vietnamese, UTF-8 (NFC) */
    int64_t at_ms;              /* when it happened, UTC ms: the mail's Date, the webhook's "at" */
    /* Stable across retries: the Message-ID <id@hailong> and X-Hailong-Alert-Id, by which a
     * receiver drops a second copy. 1 to 128 of A-Z a-z 0-9 and !#$%&'*+/=?^_`{|}~.- */
    const char *id;
} alert_msg;

/* Once, before the thread that sends starts (curl_global_init is not thread-safe in every libcurl
 * Debian ships; sodium_init for the signature). 0, or 1 with err. */
int alert_send_init(char *err, size_t errlen);
/* At the end, after that thread has stopped. */
void alert_send_cleanup(void);

/* E-mail to the n_to addresses in to (bare addresses), one SMTP transaction: a text/plain UTF-8
 * message, base64, subject RFC 2047, Message-ID from m->id, Date from m->at_ms (so a retry sends
 * the very same message). A CR or LF in a header value (from, to, subject, id) is refused before
 * anything is sent. 0 when the server accepted the message for every recipient; else 1 with err
 * (curl's message and the server's last reply code; never the user or password). Calls from
 * several threads at once are safe: each uses its own curl handle. */
int alert_send_mail(const alert_channel_cfg *c, const char *const *to, int n_to, const alert_msg *m,
                    char *err, size_t errlen);

/* A JSON POST of m to c->webhook_url: {"id","kind","unit","officer_code","officer_name","kiosk_id",
 * "subject","text","at"} ("at": 2026-11-18T09:00:00+07:00), headers X-Hailong-Alert-Id and, with a
 * secret, X-Hailong-Signature: sha256=<hex HMAC-SHA256 of the body with the secret as key>.
 * Redirects are not followed. 0 on a 2xx reply; else 1 with err (the HTTP status, or curl's
 * message on a timeout or a refused connection; the URL's path and query, which often hold a
 * token, are left out). */
int alert_send_webhook(const alert_channel_cfg *c, const alert_msg *m, char *err, size_t errlen);

#endif
