/* retention: personal data kept no longer than said (docs/PRIVACY.md). The contact data citizens
 * agreed to leave with their feedback is erased once it is older than the retention time: by a
 * thread of `serve`, at its start and every hour, and by `feedback purge`. Prefix: retention_. */
#ifndef HL_RETENTION_H
#define HL_RETENTION_H

#include "db.h"

#include <stddef.h>
#include <stdint.h>

#define RETENTION_DEFAULT_DAYS 365
#define RETENTION_MAX_DAYS     3650

/* Erases the contact data of items received more than days ago; a log line names how many and
 * up to when. *n gets how many. 0, or 1 with err. */
int retention_purge(db *d, long days, int64_t now_ms, int64_t *n, char *err, size_t errlen);

typedef struct retention retention;
/* Starts the thread (days >= 1); NULL if it cannot start (logged). */
retention *retention_start(db_pool *pool, long days, int64_t (*now_ms)(void));
void retention_stop(retention *r);

#endif
