/* db_sql: the text of every fixed statement (Q_* in db_int.h), written once with $1, $2 ...
 * placeholders for both backends: PostgreSQL takes them as positional parameters, SQLite as named
 * ones that db.c binds by name. Part of the db module. */
#include "db_int.h"

/* The selection of db_filter: the range by placed_at, then a unit and a kiosk ('' for any). */
#define FILTER                                                                                     \
    " WHERE v.placed_at >= $1 AND v.placed_at < $2"                                                \
    " AND ($3 = '' OR coalesce(k.unit, '') = $3) AND ($4 = '' OR v.kiosk_id = $4)"                 \
    " AND ($5 = '' OR v.officer_code = $5)"

/* key, key2 (the unit by officer, else ''), key3 (the officer's name by officer, else ''), the
 * counts; `join` adds a table, `group` groups. */
#define SUMMARY(key, key2, key3, join, group)                                                      \
    "SELECT " key ", " key2 ", " key3 ","                                                          \
    " sum(CASE WHEN v.misuse = 0 AND v.rating = 3 THEN 1 ELSE 0 END),"                             \
    " sum(CASE WHEN v.misuse = 0 AND v.rating = 2 THEN 1 ELSE 0 END),"                             \
    " sum(CASE WHEN v.misuse = 0 AND v.rating = 1 THEN 1 ELSE 0 END),"                             \
    " sum(v.misuse), sum(v.clock_suspect), count(*)"                                               \
    " FROM votes v LEFT JOIN kiosks k ON k.id = v.kiosk_id" join FILTER " GROUP BY " group         \
    " ORDER BY " group

/* Summaries over the totals. Every one gives (key, key2, key3, r3, r2, r1, misuse, suspect,
 * total) like SUMMARY. A unit's: tot_day rows of the unit's kiosks ($1 <= day < $2, $3 the unit,
 * $4 a kiosk or '', $5 an officer or ''): a range scan per kiosk on its primary key. */
#define TCOUNTS " sum(t.r3), sum(t.r2), sum(t.r1), sum(t.misuse), sum(t.suspect), sum(t.total)"
#define TUNIT(key, key2, key3, join, group)                                                        \
    "SELECT " key ", " key2 ", " key3 "," TCOUNTS                                                  \
    " FROM tot_day t LEFT JOIN kiosks k ON k.id = t.kiosk_id" join                                 \
    " WHERE t.kiosk_id IN (SELECT id FROM kiosks WHERE unit = $3)"                                 \
    " AND t.day >= $1 AND t.day < $2 AND ($4 = '' OR t.kiosk_id = $4)"                             \
    " AND ($5 = '' OR t.officer_code = $5) GROUP BY " group " ORDER BY " group
/* Every unit's, per kiosk: per day from tot_kday ($1 <= day < $2) or per month from tot_kmonth
 * ($1 <= month < $2); $3 a kiosk or ''. */
#define TKIOSK(table, col, key, group)                                                             \
    "SELECT " key ", '', ''," TCOUNTS " FROM " table " t LEFT JOIN kiosks k ON k.id = t.kiosk_id"  \
    " WHERE t." col " >= $1 AND t." col " < $2 AND ($3 = '' OR t.kiosk_id = $3)"                   \
    " GROUP BY " group " ORDER BY " group
#define OFFICER_NAME                                                                               \
    " LEFT JOIN officers o ON o.unit = coalesce(k.unit, '') AND o.code = t.officer_code"
#define TOT_ADD(table, keys, n)                                                                    \
    "INSERT INTO " table " VALUES (" n ") ON CONFLICT (" keys ") DO UPDATE SET"                    \
    " r3 = " table ".r3 + excluded.r3, r2 = " table ".r2 + excluded.r2,"                           \
    " r1 = " table ".r1 + excluded.r1, misuse = " table ".misuse + excluded.misuse,"               \
    " suspect = " table ".suspect + excluded.suspect, total = " table ".total + excluded.total"

/* A feedback item with its officer's name (db_feedback.c reads the columns in this order). */
#define FB_COLS                                                                                    \
    "SELECT f.uuid, f.kiosk_id, f.unit, f.seq, f.kind, f.officer_code, coalesce(o.name, ''),"      \
    " f.vote_uuid, f.body, f.consent, f.contact_name, f.contact_phone, f.contact_address,"         \
    " f.contact_erased_at, f.created_at, f.placed_at, f.received_at, f.clock_suspect, f.state,"    \
    " f.handler, f.due_at, f.updated_at FROM feedback f"                                           \
    " LEFT JOIN officers o ON o.unit = f.unit AND o.code = f.officer_code"

const char *const db_sql[Q_COUNT] = {
    [Q_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
    [Q_SCHEMA_SET] = "INSERT INTO schema_version (version) VALUES ($1)",
    /* Both only on a database at schema 2 or later (the column is migration 2's). */
    [Q_SCHEMA_NOTE_PROGRAM] = "UPDATE schema_version SET program = $1 WHERE version = $2",
    [Q_SCHEMA_PROGRAM] = "SELECT coalesce(max(program), '') FROM schema_version WHERE version = $1",
    [Q_TOKEN_LOOKUP] = "SELECT kind, name, revoked_at, token_hash, unit FROM tokens"
                       " WHERE token_hash = $1",
    [Q_TOKEN_ACTIVE] = "SELECT count(*) FROM tokens"
                       " WHERE kind = $1 AND name = $2 AND revoked_at IS NULL",
    [Q_TOKEN_INSERT] = "INSERT INTO tokens (token_hash, kind, name, created_at, unit)"
                       " VALUES ($1, $2, $3, $4, $5)",
    [Q_KIOSK_UNIT_OF] = "SELECT unit FROM kiosks WHERE id = $1",
    [Q_HEALTH_PUT] = "INSERT INTO kiosk_health (kiosk_id, last_contact, sent_at, version,"
                     " content_version, clock_suspect, unsent) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                     " ON CONFLICT (kiosk_id) DO UPDATE SET last_contact = excluded.last_contact,"
                     " sent_at = excluded.sent_at, version = excluded.version,"
                     " content_version = excluded.content_version,"
                     " clock_suspect = excluded.clock_suspect, unsent = excluded.unsent",
    [Q_OFFICER_PUT] = "INSERT INTO officers (unit, code, name, title, counter, kiosk_id,"
                      " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                      " ON CONFLICT (unit, code) DO UPDATE SET name = excluded.name,"
                      " title = excluded.title, counter = excluded.counter,"
                      " kiosk_id = excluded.kiosk_id, updated_at = excluded.updated_at",
    [Q_REASON_PUT] = "INSERT INTO reasons (unit, code, label, updated_at) VALUES ($1, $2, $3, $4)"
                     " ON CONFLICT (unit, code) DO UPDATE SET label = excluded.label,"
                     " updated_at = excluded.updated_at",
    [Q_REASON_LABELS] = "SELECT unit, code, label FROM reasons WHERE $1 = '' OR unit = $1"
                        " ORDER BY unit, code",
    [Q_OFFICERS_OF] = "SELECT unit, code, name, title, counter FROM officers"
                      " WHERE $1 = '' OR unit = $1 ORDER BY unit, code",
    [Q_HEALTH_LIST] = "SELECT k.id, k.unit, h.last_contact, h.version, h.content_version,"
                      " h.clock_suspect, h.unsent, h.sent_at,"
                      " (SELECT count(*) FROM officers o WHERE o.kiosk_id = k.id)"
                      " FROM kiosks k LEFT JOIN kiosk_health h ON h.kiosk_id = k.id ORDER BY k.id",
    [Q_OPERATOR_LIST] = "SELECT name, unit, created_at, revoked_at FROM tokens"
                        " WHERE kind = 'operator' ORDER BY name, created_at",
    [Q_TOKEN_REVOKE] = "UPDATE tokens SET revoked_at = $3"
                       " WHERE kind = $1 AND name = $2 AND revoked_at IS NULL",
    [Q_KIOSK_INSERT] = "INSERT INTO kiosks (id, unit, created_at) VALUES ($1, $2, $3)"
                       " ON CONFLICT (id) DO NOTHING",
    [Q_KIOSK_UNIT] = "UPDATE kiosks SET unit = $2 WHERE id = $1",
    [Q_KIOSK_LIST] = "SELECT k.id, k.unit, k.created_at,"
                     " (SELECT count(*) FROM tokens t WHERE t.kind = 'kiosk' AND t.name = k.id"
                     "  AND t.revoked_at IS NULL),"
                     " (SELECT count(*) FROM votes v WHERE v.kiosk_id = k.id),"
                     " (SELECT coalesce(max(v.received_at), 0) FROM votes v"
                     "  WHERE v.kiosk_id = k.id)"
                     " FROM kiosks k ORDER BY k.id",
    [Q_VOTE_OWNER] = "SELECT kiosk_id FROM votes WHERE uuid = $1",
    [Q_SUM_UNIT] = SUMMARY("coalesce(k.unit, '')", "''", "''", "", "1"),
    [Q_SUM_KIOSK] = SUMMARY("v.kiosk_id", "''", "''", "", "1"),
    /* Officer codes are unique only inside one commune: tp-hung of two communes are two people. */
    [Q_SUM_OFFICER] = SUMMARY("v.officer_code", "coalesce(k.unit, '')", "coalesce(max(o.name), '')",
                              " LEFT JOIN officers o ON o.unit = coalesce(k.unit, '')"
                              " AND o.code = v.officer_code",
                              "2, 1"),
    /* The Vietnam-local day number (UTC+7, no DST): integer division on both backends. */
    [Q_SUM_DAY] = SUMMARY("(v.placed_at + 25200000) / 86400000", "''", "''", "", "1"),
    [Q_VOTES] = "SELECT v.uuid, v.kiosk_id, coalesce(k.unit, ''), v.seq, v.boot_id,"
                " v.officer_code, v.rating, v.reasons, v.created_at, v.received_at, v.misuse,"
                " v.clock_suspect, v.placed_at"
                " FROM votes v LEFT JOIN kiosks k ON k.id = v.kiosk_id" FILTER
                " ORDER BY v.placed_at, v.kiosk_id, v.seq",
    /* Totals are added to at ingest (db_totals.c): one upsert per distinct key of a batch. */
    [Q_TOT_DAY_ADD] =
        TOT_ADD("tot_day", "kiosk_id, day, officer_code", "$1, $2, $3, $4, $5, $6, $7, $8, $9"),
    [Q_TOT_KDAY_ADD] = TOT_ADD("tot_kday", "day, kiosk_id", "$1, $2, $3, $4, $5, $6, $7, $8"),
    [Q_TOT_KMONTH_ADD] = TOT_ADD("tot_kmonth", "month, kiosk_id", "$1, $2, $3, $4, $5, $6, $7, $8"),
    [Q_TOT_HOUR_ADD] = "INSERT INTO tot_hour VALUES ($1, $2, $3, $4) ON CONFLICT (kiosk_id, day,"
                       " hour) DO UPDATE SET n = tot_hour.n + excluded.n",
    [Q_TOT_REASON_ADD] = "INSERT INTO tot_reason VALUES ($1, $2, $3, $4, $5) ON CONFLICT"
                         " (kiosk_id, day, officer_code, reason) DO UPDATE SET"
                         " n = tot_reason.n + excluded.n",
    [Q_TOT_KDAYS] = "SELECT day, kiosk_id, r3, r2, r1, misuse, suspect, total FROM tot_kday",
    [Q_TU_UNIT] = TUNIT("coalesce(k.unit, '')", "''", "''", "", "1"),
    [Q_TU_KIOSK] = TUNIT("t.kiosk_id", "''", "''", "", "1"),
    /* Officer codes are unique only inside one commune: tp-hung of two communes are two people. */
    [Q_TU_OFFICER] = TUNIT("t.officer_code", "coalesce(k.unit, '')", "coalesce(max(o.name), '')",
                           OFFICER_NAME, "2, 1"),
    [Q_TU_DAY] = TUNIT("t.day", "''", "''", "", "1"),
    /* By officer across every unit (the API's by=officer without unit=): every row in range. */
    [Q_TA_OFFICER] =
        "SELECT t.officer_code, coalesce(k.unit, ''), coalesce(max(o.name), '')," TCOUNTS
        " FROM tot_day t LEFT JOIN kiosks k ON k.id = t.kiosk_id" OFFICER_NAME
        " WHERE t.day >= $1 AND t.day < $2 AND ($3 = '' OR t.kiosk_id = $3)"
        " AND ($4 = '' OR t.officer_code = $4) GROUP BY 2, 1 ORDER BY 2, 1",
    [Q_TK_UNIT] = TKIOSK("tot_kday", "day", "coalesce(k.unit, '')", "1"),
    [Q_TK_KIOSK] = TKIOSK("tot_kday", "day", "t.kiosk_id", "1"),
    [Q_TK_DAY] = TKIOSK("tot_kday", "day", "t.day", "1"),
    [Q_TM_UNIT] = TKIOSK("tot_kmonth", "month", "coalesce(k.unit, '')", "1"),
    [Q_TM_KIOSK] = TKIOSK("tot_kmonth", "month", "t.kiosk_id", "1"),
    [Q_TM_MONTH] = TKIOSK("tot_kmonth", "month", "t.month", "1"),
    /* The hour x weekday map of a unit: day 0 (1 January 1970) was a Thursday, so (day + 4) % 7
     * is 0 on a Sunday. */
    [Q_TOT_HOURS] = "SELECT (t.day + 4) % 7, t.hour, sum(t.n) FROM tot_hour t"
                    " WHERE t.kiosk_id IN (SELECT id FROM kiosks WHERE unit = $3)"
                    " AND t.day >= $1 AND t.day < $2 AND ($4 = '' OR t.kiosk_id = $4)"
                    " GROUP BY 1, 2 ORDER BY 1, 2",
    [Q_TOT_REASONS] = "SELECT t.reason, sum(t.n) FROM tot_reason t"
                      " WHERE t.kiosk_id IN (SELECT id FROM kiosks WHERE unit = $3)"
                      " AND t.day >= $1 AND t.day < $2 AND ($4 = '' OR t.kiosk_id = $4)"
                      " AND ($5 = '' OR t.officer_code = $5) GROUP BY 1 ORDER BY 2 DESC, 1",
    [Q_RULE_PUT] = "INSERT INTO alert_rules VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                   " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, unit = excluded.unit,"
                   " threshold = excluded.threshold, window_min = excluded.window_min,"
                   " email = excluded.email, webhook = excluded.webhook",
    [Q_RULE_DROP] = "DELETE FROM alert_rules WHERE name = $1",
    [Q_RULE_LIST] = "SELECT name, kind, unit, threshold, window_min, email, webhook, created_at"
                    " FROM alert_rules ORDER BY name",
    [Q_ALERT_PUT] = "INSERT INTO alerts (id, rule, kind, unit, kiosk_id, officer_code, subject,"
                    " body, channel, target, created_at, next_at) VALUES ($1, $2, $3, $4, $5, $6,"
                    " $7, $8, $9, $10, $11, $11) ON CONFLICT (id) DO NOTHING",
    [Q_ALERT_DUE] = "SELECT id, kind, unit, kiosk_id, officer_code, subject, body, channel, target,"
                    " rule, attempts, created_at FROM alerts WHERE sent_at = 0 AND gave_up = 0"
                    " AND next_at <= $1 ORDER BY next_at LIMIT 50",
    /* Claimed by moving next_at on: another collector sharing the database skips it. */
    [Q_ALERT_CLAIM] = "UPDATE alerts SET next_at = $3 WHERE id = $1 AND next_at <= $2"
                      " AND sent_at = 0",
    [Q_ALERT_DONE] = "UPDATE alerts SET sent_at = $2, attempts = attempts + 1, last_error = ''"
                     " WHERE id = $1",
    [Q_ALERT_FAILED] = "UPDATE alerts SET attempts = attempts + 1, next_at = $2, gave_up = $3,"
                       " last_error = $4 WHERE id = $1",
    [Q_ALERT_LIST] = "SELECT id, rule, kind, unit, kiosk_id, officer_code, subject, channel,"
                     " target, created_at, attempts, sent_at, gave_up, last_error FROM alerts"
                     " WHERE $1 = '' OR unit = $1 ORDER BY created_at DESC, id LIMIT $2",
    [Q_CURSOR_GET] = "SELECT value FROM alert_cursor WHERE name = $1",
    [Q_CURSOR_PUT] = "INSERT INTO alert_cursor VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET"
                     " value = excluded.value",
    /* The "chưa hài lòng" votes received in (from, to] with their unit and officer's name. */
    [Q_UNHAPPY_SINCE] = "SELECT v.uuid, v.kiosk_id, coalesce(k.unit, ''), v.officer_code,"
                        " coalesce(o.name, ''), v.placed_at, v.received_at, v.reasons FROM votes v"
                        " LEFT JOIN kiosks k ON k.id = v.kiosk_id LEFT JOIN officers o"
                        " ON o.unit = coalesce(k.unit, '') AND o.code = v.officer_code"
                        " WHERE v.received_at > $1 AND v.received_at <= $2 AND v.rating = 1"
                        " AND v.misuse = 0 ORDER BY v.received_at, v.uuid",
    /* One officer's "chưa hài lòng" of a unit placed in [$3, $4]. */
    [Q_UNHAPPY_COUNT] = "SELECT count(*) FROM votes v WHERE v.kiosk_id IN"
                        " (SELECT id FROM kiosks WHERE unit = $1) AND v.officer_code = $2"
                        " AND v.rating = 1 AND v.misuse = 0 AND v.placed_at >= $3"
                        " AND v.placed_at <= $4",
    /* Each kiosk's last contact: its latest report, else its latest batch, else 0. */
    [Q_LAST_CONTACT] = "SELECT k.id, k.unit, coalesce(h.last_contact, (SELECT max(v.received_at)"
                       " FROM votes v WHERE v.kiosk_id = k.id), 0) FROM kiosks k"
                       " LEFT JOIN kiosk_health h ON h.kiosk_id = k.id WHERE EXISTS (SELECT 1"
                       " FROM tokens t WHERE t.kind = 'kiosk' AND t.name = k.id"
                       " AND t.revoked_at IS NULL) ORDER BY k.id",
    [Q_USER_PUT] = "INSERT INTO users (name, role, unit, officer_code, pw_hash, created_at)"
                   " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO UPDATE SET"
                   " role = excluded.role, unit = excluded.unit,"
                   " officer_code = excluded.officer_code, pw_hash = excluded.pw_hash, failed = 0,"
                   " locked_until = 0, disabled_at = NULL",
    [Q_USER_GET] = "SELECT name, role, unit, officer_code, pw_hash, failed, locked_until,"
                   " created_at, coalesce(disabled_at, 0) FROM users WHERE name = $1",
    [Q_USER_LIST] = "SELECT name, role, unit, officer_code, '', failed, locked_until, created_at,"
                    " coalesce(disabled_at, 0) FROM users ORDER BY name",
    /* A failed login: counted, and the account locked until $2 once $3 failures in a row are
     * reached. */
    [Q_USER_FAILED] = "UPDATE users SET failed = failed + 1, locked_until = CASE WHEN failed + 1"
                      " >= $3 THEN $2 ELSE locked_until END WHERE name = $1",
    [Q_USER_LOGGED_IN] = "UPDATE users SET failed = 0, locked_until = 0 WHERE name = $1",
    [Q_USER_DISABLE] = "UPDATE users SET disabled_at = $2 WHERE name = $1 AND disabled_at IS NULL",
    [Q_SESSION_PUT] = "INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at)"
                      " VALUES ($1, $2, $3, $4, $5)",
    [Q_SESSION_GET] = "SELECT s.user_name, s.csrf, s.expires_at FROM sessions s"
                      " WHERE s.id_hash = $1",
    [Q_SESSION_DROP] = "DELETE FROM sessions WHERE id_hash = $1",
    [Q_SESSION_DROP_USER] = "DELETE FROM sessions WHERE user_name = $1",
    [Q_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= $1",
    [Q_PING] = "SELECT 1",
    /* The write probe's row: version -1, below every real one (they are counted by max). */
    [Q_PROBE_IN] = "INSERT INTO schema_version (version) VALUES (-1)",
    [Q_PROBE_OUT] = "DELETE FROM schema_version WHERE version = -1",
    [Q_FB_INSERT] = "INSERT INTO feedback (uuid, kiosk_id, unit, seq, kind, officer_code,"
                    " vote_uuid, body, consent, contact_name, contact_phone, contact_address,"
                    " created_at, placed_at, received_at, clock_suspect, due_at, updated_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
                    " $16, $17, $15) ON CONFLICT (uuid) DO NOTHING",
    [Q_FB_OWNER] = "SELECT kiosk_id FROM feedback WHERE uuid = $1",
    [Q_FB_LIST] = FB_COLS " WHERE ($1 = '' OR f.unit = $1) AND ($2 = '' OR f.state = $2)"
                          " AND ($3 = '' OR f.kind = $3) ORDER BY f.received_at DESC, f.uuid"
                          " LIMIT $4",
    /* The id is checked to be hex digits and '-' before it gets here: no LIKE wildcard. */
    [Q_FB_GET] = FB_COLS " WHERE f.uuid LIKE $1 || '%' ORDER BY f.uuid LIMIT 2",
    [Q_FB_UPDATE] = "UPDATE feedback SET state = $2, handler = $3, due_at = $4, updated_at = $5"
                    " WHERE uuid = $1",
    [Q_FB_LOG_ADD] = "INSERT INTO feedback_log (uuid, at, user_name, action, note)"
                     " VALUES ($1, $2, $3, $4, $5)",
    /* The alerts' look at what arrived: a kind received in [$2, $3). */
    [Q_FB_SINCE] = FB_COLS " WHERE f.kind = $1 AND f.received_at >= $2 AND f.received_at < $3"
                           " ORDER BY f.received_at, f.uuid",
    [Q_FB_COUNT] = "SELECT count(*) FROM feedback WHERE ($1 = '' OR unit = $1) AND state = $2",
    [Q_FB_LOG] = "SELECT at, user_name, action, note FROM feedback_log WHERE uuid = $1"
                 " ORDER BY at, action",
    [Q_FB_ERASE] = "UPDATE feedback SET contact_name = '', contact_phone = '',"
                   " contact_address = '', contact_erased_at = $2"
                   " WHERE consent = 1 AND contact_erased_at = 0 AND received_at < $1",
    [Q_FB_COMMEND] = "SELECT officer_code, count(*) FROM feedback WHERE unit = $1"
                     " AND kind = 'bieu-duong' AND officer_code <> '' AND placed_at >= $2"
                     " AND placed_at < $3 GROUP BY officer_code ORDER BY officer_code",
    [Q_UNIT_PUT] = "INSERT INTO unit_profiles (unit, body, place, chairman, symbol, updated_at)"
                   " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unit) DO UPDATE SET"
                   " body = excluded.body, place = excluded.place,"
                   " chairman = excluded.chairman, symbol = excluded.symbol,"
                   " updated_at = excluded.updated_at",
    [Q_UNIT_GET] = "SELECT unit, body, place, chairman, symbol FROM unit_profiles WHERE unit = $1",
    [Q_LETTER_NEXT] = "SELECT coalesce(max(number), 0) + 1 FROM letters WHERE unit = $1"
                      " AND year = $2",
    [Q_LETTER_ADD] = "INSERT INTO letters (unit, year, number, symbol, kind, feedback, recipient,"
                     " signer, issued_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                     " $10)",
    [Q_LETTER_LIST] = "SELECT unit, year, number, symbol, kind, feedback, recipient, signer,"
                      " issued_at, created_by FROM letters WHERE $1 = '' OR unit = $1"
                      " ORDER BY unit, year, number",
};
