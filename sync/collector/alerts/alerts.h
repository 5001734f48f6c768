/* alerts: the collector's alerts. A background thread looks, every interval, at the votes
 * received since it last looked and at each kiosk's last contact, raises the alerts the
 * operator's rules call for (db: alert_rules, alerts), and delivers the due ones by e-mail (SMTP
 * through libcurl) and to webhooks (a JSON POST), retrying failed deliveries with a growing delay.
 * Prefix: alerts_. */
#ifndef HL_ALERTS_H
#define HL_ALERTS_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

/* The rules' kinds. */
#define ALERT_UNHAPPY  "chua-hai-long"       /* each "chưa hài lòng" */
#define ALERT_MANY     "nhieu-chua-hai-long" /* N of them for one officer within a window */
#define ALERT_SILENT   "may-im-lang"         /* a kiosk silent for N minutes in office hours */
#define ALERT_FEEDBACK "phan-anh" /* each phản ánh – kiến nghị a citizen sends from a kiosk */

/* Deliveries tried at most this many times, interval x 2^attempt apart (at most an hour): the
 * round's interval sets the pace, so a test with a 1 s interval sees its retries at once. */
#define ALERT_MAX_ATTEMPTS 10

typedef struct {
    db_pool *pool;
    int64_t interval_ms;   /* how often to look and deliver; 0: no alerts thread */
    const char *smtp_url;  /* smtp://host:port or smtps://host:port ("" or NULL: no e-mail) */
    const char *smtp_from; /* the sender address */
    const char *smtp_user, *smtp_password; /* optional */
    int64_t (*now_ms)(void);
} alerts_opts;

typedef struct alerts alerts;

/* Starts the thread (NULL when interval_ms is 0). */
alerts *alerts_start(const alerts_opts *o);
void alerts_stop(alerts *a);

/* One round, as the thread does it: raise, then deliver. 0, or 1 on a database error (err). */
int alerts_round(const alerts_opts *o, char *err, size_t errlen);

/* 1 if utc_ms falls in office hours: Monday to Friday, 07:00 to 17:00 Vietnam time. */
int alerts_office_hours(int64_t utc_ms);
/* The delay before delivery attempt attempts + 1 (attempts already made >= 1). */
int64_t alerts_retry_delay(int64_t interval_ms, int64_t attempts);

/* Delivery itself (one attempt, no state): alert_send.h. */

#endif
