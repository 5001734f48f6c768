/* test_powercut: no acknowledged vote is lost to a power cut, which SIGKILL cannot show (the
 * kernel still writes back what a killed program wrote). The store runs on powervfs
 * (tests/support/powervfs.c): what SQLite wrote since a file's last sync is only in memory, and at
 * the cut the disk keeps none, a random part, or a torn piece of it. Each round opens the store
 * through it and uses it as the kiosk does (votes, their reasons, the sync thread's connection
 * freezing batches and marking them sent, checkpoints, a clean restart of the program), cuts the
 * power between two calls or inside one (before its K-th write, truncate or sync), and reads the
 * files with the normal VFS: integrity_check ok, every vote whose store_add_vote returned STORE_OK
 * before the cut there with its data, seq 1..N without gaps, a vote whose call the cut interrupted
 * whole or absent. HL_POWERCUT_ROUNDS (default 200), HL_POWERCUT_SEED (printed);
 * HL_POWERCUT_NO_PSOW=1 plays a disk without powersafe overwrite (docs/TESTING.md). */
#include "log.h"
#include "powervfs.h"
#include "srv.h"
#include "store.h"
#include "test.h"
#include "util.h"
#include "wire.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KIOSK    "powercut-01"
#define T0       1780000000000LL /* 2026-05-28T20:26:40Z */
#define INTERVAL 5000            /* the response interval: some votes come sooner (misuse) */

/* What the test knows of a vote: acknowledged, or found whole after a cut. */
typedef struct {
    char uuid[37];
    int64_t seq, created_at;
    char boot[37], officer[16];
    int rating, misuse, clock_suspect;
    char reasons[96]; /* as stored once settled */
    int pending;      /* no finish acknowledged: 'pending', or 'unsent' once an open released it */
    int sent;         /* the sender's apply was acknowledged */
} mvote;

/* Where the power went: between two calls, or inside one of these. */
enum { IN_NONE, IN_OPEN, IN_VOTE, IN_FINISH, IN_SEND, IN_CHECKPOINT, IN_RESTART, IN_COUNT };
static const char *const in_names[IN_COUNT] = {
    "between calls", "store_open",       "store_add_vote",  "store_finish_vote",
    "the sender",    "store_checkpoint", "a clean restart",
};

/* A vote as the normal VFS reads it back. */
typedef struct {
    char uuid[37], kiosk[64], boot[37], officer[32], reasons[1152], state[16];
    int64_t seq, created_at;
    int rating, misuse, clock_suspect;
} row;

typedef struct {
    uint64_t rng, seed;
    int round;
    char dir[PATH_MAX], db[PATH_MAX];
    int64_t t;
    mvote *v; /* seq i + 1 at v[i] */
    size_t n, cap;
    /* the call the cut interrupted */
    int in;
    mvote fl;     /* IN_VOTE: the vote being recorded (uuid "" when the call gave none) */
    size_t fl_at; /* IN_FINISH: the vote whose reasons were being saved, and those reasons */
    char fl_reasons[96];
    /* writes and syncs a call makes, measured, to place cuts inside calls */
    long ev_sum, calls_sum;
    /* figures */
    long cuts, by_in[IN_COUNT], acked, finishes, sends, sent_votes;
    long fl_kept, fl_dropped, finish_kept, finish_dropped, sent_forgotten;
    /* problems: any of these fails the test */
    long lost, wrong, extra, gaps, corrupt, bad_batches, moved_aside, errors;
    int quiet;   /* the control expects problems: count them, print none */
    int no_psow; /* HL_POWERCUT_NO_PSOW: torn writes spoil their whole sector */
} pc_run;

static long n_bad_logs;

static void log_hook(log_level level, const char *msg, void *ctx)
{
    (void)msg;
    (void)ctx;
    if (level >= LOG_WARN)
        n_bad_logs++;
}

static uint64_t rnd(pc_run *r, uint64_t n)
{
    uint64_t z = (r->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return n ? z % n : z;
}

static void say(pc_run *r, long *count, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(pc_run *r, long *count, const char *fmt, ...)
{
    (*count)++;
    if (r->quiet)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "powercut: round %d (cut %s; HL_POWERCUT_SEED=%llu): %s\n", r->round,
            in_names[r->in], (unsigned long long)r->seed, msg);
}

static mvote *model_add(pc_run *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    mvote *m = &r->v[r->n++];
    memset(m, 0, sizeof *m);
    return m;
}

static store *open_store(pc_run *r, int secondary, char *err, size_t cap)
{
    store_opts o;
    memset(&o, 0, sizeof o);
    o.vfs = POWERVFS_NAME;
    o.response_interval_ms = INTERVAL;
    o.secondary = secondary;
    store *s = NULL;
    return store_open(&s, r->dir, &o, err, cap) == STORE_OK ? s : NULL;
}

/* ---- the kiosk's calls; each notes whether the power went during it ---- */

static void do_vote(pc_run *r, store *s, const char *boot)
{
    static const char *const officers[] = {"tp-hung", "tp-lan", "cb-01"};
    static const char *const codes[] = {"cho-lau", "thai-do", "thu-tuc", "co-so"};
    mvote m;
    memset(&m, 0, sizeof m);
    m.rating = 1 + (int)rnd(r, 3);
    m.pending = m.rating == STORE_RATING_UNHAPPY && rnd(r, 4) != 0; /* reasons asked */
    util_strlcpy(m.officer, officers[rnd(r, HL_ARRAY_LEN(officers))], sizeof m.officer);
    util_strlcpy(m.boot, boot, sizeof m.boot);
    util_strlcpy(m.reasons, "[]", sizeof m.reasons);
    r->t += 1000 + (int64_t)rnd(r, 20000);
    m.created_at = r->t;
    store_vote out;
    char err[HL_ERR_MAX];
    int on = !powervfs_off();
    store_rc rc = store_add_vote(s, KIOSK, boot, m.officer, m.rating, m.created_at, m.pending, &out,
                                 err, sizeof err);
    if (rc == STORE_OK) {
        util_strlcpy(m.uuid, out.uuid, sizeof m.uuid);
        m.seq = out.seq;
        m.misuse = out.misuse;
        m.clock_suspect = out.clock_suspect;
    }
    if (on && powervfs_off()) { /* the call never came back on a real machine */
        r->in = IN_VOTE;
        r->fl = m;
        return;
    }
    if (rc != STORE_OK) {
        say(r, &r->errors, "a vote failed with the power on: %s", err);
        return;
    }
    if (m.seq != (int64_t)r->n + 1) {
        say(r, &r->gaps, "store_add_vote gave seq %lld, the %zu-th vote", (long long)m.seq,
            r->n + 1);
        return;
    }
    *model_add(r) = m;
    r->acked++;
    if (!m.pending || rnd(r, 100) >= 85)
        return; /* 15 %: the citizen walked away; it stays pending until the next start */

    const char *pick[HL_ARRAY_LEN(codes)];
    size_t k = 0;
    char json[96] = "[";
    for (size_t i = 0; i < HL_ARRAY_LEN(codes); i++)
        if (rnd(r, 2)) {
            pick[k++] = codes[i];
            size_t len = strlen(json);
            snprintf(json + len, sizeof json - len, "%s\"%s\"", k > 1 ? "," : "", codes[i]);
        }
    util_strlcpy(json + strlen(json), "]", sizeof json - strlen(json));
    on = !powervfs_off();
    rc = store_finish_vote(s, m.uuid, pick, k, err, sizeof err);
    if (on && powervfs_off()) {
        r->in = IN_FINISH;
        r->fl_at = r->n - 1;
        util_strlcpy(r->fl_reasons, json, sizeof r->fl_reasons);
        return;
    }
    if (rc != STORE_OK) {
        say(r, &r->errors, "reasons failed with the power on: %s", err);
        return;
    }
    r->v[r->n - 1].pending = 0;
    util_strlcpy(r->v[r->n - 1].reasons, json, sizeof r->v[r->n - 1].reasons);
    r->finishes++;
}

/* The sync thread's round: freeze a batch, the collector accepts it all, mark it sent. */
static void do_send(pc_run *r, store **snd)
{
    char err[HL_ERR_MAX];
    int on = !powervfs_off();
    if (!*snd) {
        *snd = open_store(r, 1, err, sizeof err);
        if (on && powervfs_off())
            r->in = IN_SEND;
        else if (!*snd)
            say(r, &r->errors, "the sender's store_open failed with the power on: %s", err);
        return;
    }
    store_batch b;
    store_rc rc = store_sync_freeze(*snd, KIOSK, 1 + (int)rnd(r, 8), r->t, &b);
    if (on && powervfs_off()) {
        r->in = IN_SEND;
        store_batch_free(&b);
        return;
    }
    if (rc == STORE_NONE)
        return;
    if (rc != STORE_OK) {
        say(r, &r->errors, "freezing a batch failed with the power on: %s", store_last_error(*snd));
        return;
    }
    wire_batch wb;
    if (srv_decode_body(b.body, b.body_len, &wb) != 0) {
        say(r, &r->errors, "a frozen batch does not decode");
        store_batch_free(&b);
        return;
    }
    wire_result *res = xcalloc(wb.n ? wb.n : 1, sizeof *res);
    for (size_t i = 0; i < wb.n; i++)
        srv_result(&res[i], wb.votes[i].uuid, WIRE_ACCEPTED, NULL);
    store_sync_applied applied;
    rc = store_sync_apply(*snd, b.batch_id, res, wb.n, r->t, &applied);
    if (on && powervfs_off()) {
        r->in = IN_SEND;
    } else if (rc != STORE_OK) {
        say(r, &r->errors, "applying a batch failed with the power on: %s", store_last_error(*snd));
    } else {
        for (size_t i = 0; i < wb.n; i++) {
            int64_t q = wb.votes[i].seq;
            if (q >= 1 && q <= (int64_t)r->n && strcmp(r->v[q - 1].uuid, wb.votes[i].uuid) == 0)
                r->v[q - 1].sent = 1;
            else
                say(r, &r->wrong, "the batch holds vote seq %lld uuid %s the test never saw",
                    (long long)q, wb.votes[i].uuid);
        }
        r->sends++;
        r->sent_votes += (long)wb.n;
    }
    free(res);
    wire_batch_free(&wb);
    store_batch_free(&b);
}

/* The kiosk falling idle (its own connection) or the sender after a round (its connection). */
static void do_checkpoint(pc_run *r, store *s, store *snd)
{
    int on = !powervfs_off();
    store *c = snd && rnd(r, 2) ? snd : s;
    store_rc rc = store_checkpoint(c);
    if (on && powervfs_off())
        r->in = IN_CHECKPOINT;
    else if (rc != STORE_OK)
        say(r, &r->errors, "a checkpoint failed with the power on: %s", store_last_error(c));
}

/* The program stops and starts again; the machine stays on (its page cache with it). */
static void do_restart(pc_run *r, store **s, store **snd)
{
    char err[HL_ERR_MAX];
    int on = !powervfs_off();
    store_close(*snd);
    *snd = NULL;
    store_close(*s);
    *s = NULL;
    if (!(on && powervfs_off()))
        *s = open_store(r, 0, err, sizeof err);
    if (on && powervfs_off())
        r->in = IN_RESTART;
    else if (!*s)
        say(r, &r->errors, "store_open failed with the power on: %s", err);
}

static powervfs_cut_opts pick_cut(pc_run *r)
{
    static const int keep[] = {0, 0, 25, 50, 75, 100};
    powervfs_cut_opts o;
    o.keep_percent = keep[rnd(r, HL_ARRAY_LEN(keep))];
    o.tear = (int)rnd(r, 2);
    o.zero_extend = (int)rnd(r, 2);
    o.no_psow = r->no_psow;
    o.seed = rnd(r, 0);
    return o;
}

/* One round: open, up to 12 calls, the cut (armed inside a call, or between two), every
 * connection closed by the ghost, the machine started again. */
static void run_round(pc_run *r, int inside)
{
    char boot[37], err[HL_ERR_MAX];
    snprintf(boot, sizeof boot, "00000000-0000-4000-8000-%012d", r->round % 1000000000);
    int calls = 1 + (int)rnd(r, 12);
    powervfs_cut_opts co = pick_cut(r);
    r->in = IN_NONE;
    if (inside) {
        /* Uniform over the writes and syncs the round is likely to make, open included; just
         * before the chosen one, or just after it (after a commit's sync: on the disk, yet the
         * call never returned). */
        double per_call = r->calls_sum ? (double)r->ev_sum / (double)r->calls_sum : 10.0;
        long k = 1 + (long)rnd(r, (uint64_t)(per_call * (calls + 1)) + 1);
        powervfs_arm(k, (int)rnd(r, 2), &co);
    }
    store *s = open_store(r, 0, err, sizeof err), *snd = NULL;
    if (powervfs_off())
        r->in = IN_OPEN;
    else if (!s)
        say(r, &r->errors, "store_open failed with the power on: %s", err);
    for (int c = 0; c < calls && s && !powervfs_off(); c++) {
        uint64_t p = rnd(r, 100);
        if (p < 70)
            do_vote(r, s, boot);
        else if (p < 82)
            do_send(r, &snd);
        else if (p < 93)
            do_checkpoint(r, s, snd);
        else
            do_restart(r, &s, &snd);
    }
    if (!powervfs_off()) {
        r->ev_sum += powervfs_events();
        r->calls_sum += calls + 1;
        powervfs_arm(0, 0, NULL);
        powervfs_cut(&co);
    }
    r->cuts++;
    r->by_in[r->in]++;
    store_close(snd);
    store_close(s);
    if (powervfs_restart() != 0)
        say(r, &r->errors, "a connection was left open");
}

/* ---- after the cut: the files as the normal VFS reads them ---- */

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    util_strlcpy(dst, t ? (const char *)t : "(null)", cap);
}

static long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Every row of votes in seq order (*n of them); NULL with *n = 0 when the file is not at the
 * latest schema yet (the power went while it was being made). */
static row *read_votes(pc_run *r, sqlite3 *db, size_t *n)
{
    *n = 0;
    /* A file the cut left before its last migration: store_open never returned for it, so no
     * vote can have been acknowledged in it; the next open migrates it. */
    long version = query_int(db, "PRAGMA user_version");
    if (version != store_latest_schema_version()) {
        long noted = 0; /* each vote is counted lost below */
        if (r->n > 0)
            say(r, &noted, "schema version %ld after votes were acknowledged", version);
        return NULL;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
                           " created_at, misuse, sync_state, clock_suspect FROM votes ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK) {
        say(r, &r->corrupt, "cannot read votes: %s", sqlite3_errmsg(db));
        return NULL;
    }
    size_t cap = 256;
    row *rows = xmalloc(cap * sizeof *rows);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap)
            rows = xrealloc(rows, (cap *= 2) * sizeof *rows);
        row *w = &rows[(*n)++];
        copy_col(st, 0, w->uuid, sizeof w->uuid);
        copy_col(st, 1, w->kiosk, sizeof w->kiosk);
        w->seq = sqlite3_column_int64(st, 2);
        copy_col(st, 3, w->boot, sizeof w->boot);
        copy_col(st, 4, w->officer, sizeof w->officer);
        w->rating = sqlite3_column_int(st, 5);
        copy_col(st, 6, w->reasons, sizeof w->reasons);
        w->created_at = sqlite3_column_int64(st, 7);
        w->misuse = sqlite3_column_int(st, 8);
        copy_col(st, 9, w->state, sizeof w->state);
        w->clock_suspect = sqlite3_column_int(st, 10);
    }
    if (rc != SQLITE_DONE)
        say(r, &r->corrupt, "reading votes: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rows;
}

static int same_vote(const mvote *m, const row *w, int with_uuid)
{
    return (!with_uuid || strcmp(m->uuid, w->uuid) == 0) && strcmp(w->kiosk, KIOSK) == 0 &&
           strcmp(m->boot, w->boot) == 0 && strcmp(m->officer, w->officer) == 0 &&
           m->rating == w->rating && m->created_at == w->created_at;
}

static int is_state(const row *w, const char *state)
{
    return strcmp(w->state, state) == 0;
}

/* The vote the test acknowledged at v[i] against what is in the file. */
static void check_acked(pc_run *r, size_t i, const row *rows, size_t n)
{
    mvote *m = &r->v[i];
    const row *w = i < n ? &rows[i] : NULL;
    if (!w || w->seq != m->seq || strcmp(w->uuid, m->uuid) != 0) {
        say(r, &r->lost,
            "acknowledged vote seq %lld uuid %s (rating %d at %lld) is not in the file",
            (long long)m->seq, m->uuid, m->rating, (long long)m->created_at);
        return;
    }
    if (!same_vote(m, w, 1) || m->misuse != w->misuse || m->clock_suspect != w->clock_suspect) {
        say(r, &r->wrong,
            "vote seq %lld: stored as %s/%s/rating %d/%lld/misuse %d, recorded as "
            "%s/%s/rating %d/%lld/misuse %d",
            (long long)m->seq, w->boot, w->officer, w->rating, (long long)w->created_at, w->misuse,
            m->boot, m->officer, m->rating, (long long)m->created_at, m->misuse);
        return;
    }
    int finishing = r->in == IN_FINISH && r->fl_at == i;
    if (!is_state(w, STORE_SYNC_PENDING) && !is_state(w, STORE_SYNC_UNSENT) &&
        !is_state(w, STORE_SYNC_SENT))
        say(r, &r->wrong, "vote seq %lld is '%s'", (long long)m->seq, w->state);
    else if (!m->pending && (strcmp(w->reasons, m->reasons) != 0 || is_state(w, "pending")))
        say(r, &r->wrong, "vote seq %lld: the reasons acknowledged as saved, %s, are lost: %s (%s)",
            (long long)m->seq, m->reasons, w->reasons, w->state);
    else if (m->pending && finishing && strcmp(w->reasons, r->fl_reasons) == 0 &&
             !is_state(w, STORE_SYNC_PENDING))
        r->finish_kept++;
    else if (m->pending && (strcmp(w->reasons, "[]") != 0))
        say(r, &r->wrong, "vote seq %lld: reasons %s, none saved", (long long)m->seq, w->reasons);
    else if (finishing)
        r->finish_dropped++;
    if (m->sent && is_state(w, STORE_SYNC_UNSENT))
        r->sent_forgotten++; /* the sender's NORMAL commits: resent, a duplicate at the collector */
    else if (!m->sent && is_state(w, STORE_SYNC_SENT) && r->in != IN_SEND)
        say(r, &r->wrong, "vote seq %lld is 'sent' though no batch of it was applied",
            (long long)m->seq);
}

/* The file after a cut against what the test knows, then the test knows the file: the next round
 * starts from what a kiosk would find after the power comes back. */
static void verify(pc_run *r)
{
    sqlite3 *db = NULL;
    /* Read-only: the reading itself changes nothing the next round opens (no checkpoint). */
    if (sqlite3_open_v2(r->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        say(r, &r->corrupt, "cannot open %s: %s", r->db, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st = NULL;
    char ic[512] = "";
    int ic_rows = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW && ic_rows++ < 4) {
            size_t len = strlen(ic);
            snprintf(ic + len, sizeof ic - len, "%s%s", len ? "; " : "",
                     sqlite3_column_text(st, 0));
        }
    else
        snprintf(ic, sizeof ic, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (ic_rows != 1 || strcmp(ic, "ok") != 0)
        say(r, &r->corrupt, "integrity_check: %s", ic);

    size_t n = 0;
    row *rows = read_votes(r, db, &n);
    for (size_t k = 0; k < n; k++)
        if (rows[k].seq != (int64_t)k + 1) {
            say(r, &r->gaps, "the %zu-th vote has seq %lld", k + 1, (long long)rows[k].seq);
            break;
        }
    for (size_t i = 0; i < r->n; i++)
        check_acked(r, i, rows, n);
    /* Beyond them: at most the vote whose call the cut interrupted, whole. */
    size_t k = r->n;
    if (r->in == IN_VOTE && k < n && same_vote(&r->fl, &rows[k], r->fl.uuid[0] != '\0') &&
        strcmp(rows[k].reasons, "[]") == 0 &&
        is_state(&rows[k], r->fl.pending ? STORE_SYNC_PENDING : STORE_SYNC_UNSENT)) {
        r->fl_kept++;
        k++;
    } else if (r->in == IN_VOTE) {
        r->fl_dropped++;
    }
    if (k < n)
        say(r, &r->extra, "%zu vote(s) in the file no call acknowledged, first seq %lld uuid %s",
            n - k, (long long)rows[k].seq, rows[k].uuid);
    /* A batch is frozen and applied in one transaction each: never half of one. */
    if (n > 0 && query_int(db, "SELECT count(*) FROM votes v WHERE sync_state = 'unsent' AND"
                               " batch_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM batches b"
                               " WHERE b.batch_id = v.batch_id)") != 0)
        say(r, &r->bad_batches, "unsent votes name a batch that is not there");
    if (n > 0 && query_int(db, "SELECT count(*) FROM batches b WHERE n_votes <> (SELECT count(*)"
                               " FROM votes v WHERE v.batch_id = b.batch_id AND"
                               " v.sync_state = 'unsent')") != 0)
        say(r, &r->bad_batches, "a frozen batch does not hold the votes it counts");
    sqlite3_close(db);

    /* The store moves a file it finds damaged aside: that must never have happened. */
    DIR *d = opendir(r->dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strstr(e->d_name, ".corrupt-"))
            say(r, &r->moved_aside, "the store moved a damaged file aside: %s", e->d_name);
    if (d)
        closedir(d);

    /* From now on the file is the truth (a problem already counted is not counted again). */
    r->n = 0;
    for (size_t i = 0; i < n; i++) {
        mvote *m = model_add(r);
        util_strlcpy(m->uuid, rows[i].uuid, sizeof m->uuid);
        m->seq = (int64_t)i + 1;
        m->created_at = rows[i].created_at;
        util_strlcpy(m->boot, rows[i].boot, sizeof m->boot);
        util_strlcpy(m->officer, rows[i].officer, sizeof m->officer);
        m->rating = rows[i].rating;
        m->misuse = rows[i].misuse;
        m->clock_suspect = rows[i].clock_suspect;
        util_strlcpy(m->reasons, rows[i].reasons, sizeof m->reasons);
        m->pending = is_state(&rows[i], STORE_SYNC_PENDING);
        m->sent = is_state(&rows[i], STORE_SYNC_SENT);
    }
    free(rows);
    r->in = IN_NONE;
}

static long problems(const pc_run *r)
{
    return r->lost + r->wrong + r->extra + r->gaps + r->corrupt + r->bad_batches + r->moved_aside +
           r->errors;
}

static long env_long(const char *name, long def)
{
    const char *s = getenv(name);
    long v;
    if (!s || !*s)
        return def;
    if (util_parse_int(s, 0, 1000000000L, &v) != 0) {
        fprintf(stderr, "powercut: %s=%s is not a number from 0 to 1000000000\n", name, s);
        exit(2);
    }
    return v;
}

static void run_init(pc_run *r, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    r->seed = r->rng = seed;
    r->t = T0;
    test_new_dir(r->dir, sizeof r->dir);
    test_path(r->db, sizeof r->db, r->dir, "votes.db");
}

/* Many cuts, half of them inside a call; the first round makes votes.db itself. */
static void t_power_cuts(void)
{
    long rounds = env_long("HL_POWERCUT_ROUNDS", 200);
    uint64_t seed =
        (uint64_t)env_long("HL_POWERCUT_SEED", (long)(time(NULL) ^ getpid()) & 0xffffff);
    printf("powercut: seed %llu (HL_POWERCUT_SEED repeats the choices; the store's random uuids "
           "can still move a cut by a write or two), %ld rounds\n",
           (unsigned long long)seed, rounds);
    REQUIRE(powervfs_register() == 0);
    static pc_run r;
    run_init(&r, seed);
    r.no_psow = env_long("HL_POWERCUT_NO_PSOW", 0) != 0;
    if (r.no_psow)
        printf("powercut: HL_POWERCUT_NO_PSOW: a torn write spoils its whole 512-byte sector\n");
    powervfs_stats before;
    powervfs_stats_get(&before);
    n_bad_logs = 0;
    int64_t t0 = test_mono_ms();
    for (r.round = 1; r.round <= rounds && problems(&r) == 0; r.round++) {
        run_round(&r, (int)rnd(&r, 2));
        verify(&r);
    }
    int64_t ms = test_mono_ms() - t0;
    powervfs_stats ps;
    powervfs_stats_get(&ps);
    long acked = r.acked;
    printf("powercut: %ld cuts, %ld acknowledged votes, %ld lost\n", r.cuts, acked, r.lost);
    printf("powercut: other problems: %ld changed (data, or reasons acknowledged and lost), %ld "
           "unacknowledged votes present, %ld seq gaps, %ld damaged files, %ld broken batches, %ld "
           "moved aside, %ld errors, %ld warnings logged\n",
           r.wrong, r.extra, r.gaps, r.corrupt, r.bad_batches, r.moved_aside, r.errors, n_bad_logs);
    printf("powercut: cuts: %ld between calls", r.by_in[IN_NONE]);
    for (int i = 1; i < IN_COUNT; i++)
        printf(", %ld in %s", r.by_in[i], in_names[i]);
    printf("\npowercut: %ld reasons saved, %ld batches (%ld votes) marked sent; %zu votes in the "
           "file at the end\n",
           r.finishes, r.sends, r.sent_votes, r.n);
    printf("powercut: calls the cut interrupted: votes %ld in the file whole, %ld absent; reasons "
           "%ld saved, %ld not; sent marks forgotten (the sync connection's NORMAL): %ld\n",
           r.fl_kept, r.fl_dropped, r.finish_kept, r.finish_dropped, r.sent_forgotten);
    printf("powercut: unsynced writes at the cuts: %ld dropped, %ld kept, %ld torn (%ld sectors "
           "spoiled beyond the write), %ld files left longer with zeros; %ld syncs; %ld writes "
           "after the cuts never reached the disk; %.1f s\n",
           ps.lost - before.lost, ps.kept - before.kept, ps.torn - before.torn,
           ps.spoiled - before.spoiled, ps.extended - before.extended, ps.syncs - before.syncs,
           ps.after_cut - before.after_cut, (double)ms / 1000.0);
    CHECK_INT(r.lost, 0);
    CHECK_INT(r.wrong, 0);
    CHECK_INT(r.extra, 0);
    CHECK_INT(r.gaps, 0);
    CHECK_INT(r.corrupt, 0);
    CHECK_INT(r.bad_batches, 0);
    CHECK_INT(r.moved_aside, 0);
    CHECK_INT(r.errors, 0);
    CHECK_INT(n_bad_logs, 0);
    CHECK_INT(r.cuts, rounds);
    /* The checks are only worth something if votes were acknowledged and cuts hit the calls. */
    CHECK(acked >= rounds);
    CHECK(r.by_in[IN_VOTE] > 0 || rounds < 20);
    CHECK(ps.lost - before.lost > 0);
    free(r.v);
}

/* The control: a disk that acknowledges a flush it never did (or synchronous = OFF) must make
 * these checks report lost votes, else they prove nothing. */
static void t_lying_disk_is_caught(void)
{
    REQUIRE(powervfs_register() == 0);
    static pc_run r;
    run_init(&r, 12345);
    r.quiet = 1;
    /* The store's complaints about the damage are expected here: still counted by the hook, not
     * printed (a level above every message's). */
    log_set_level((log_level)(LOG_ERROR + 1));
    /* votes.db made and synced first: only what the lying disk does is at stake */
    char err[HL_ERR_MAX];
    store *s = open_store(&r, 0, err, sizeof err);
    REQUIRE(s);
    store_close(s);
    REQUIRE(powervfs_restart() == 0);
    powervfs_set_lying_sync(1);
    for (r.round = 1; r.round <= 20; r.round++) {
        run_round(&r, 0);
        verify(&r);
    }
    powervfs_set_lying_sync(0);
    log_set_level(LOG_WARN);
    printf("powercut: control, a disk that ignores syncs: %ld cuts, %ld acknowledged votes, %ld "
           "lost, %ld changed, %ld damaged files\n",
           r.cuts, r.acked, r.lost, r.wrong, r.corrupt);
    CHECK(r.lost > 0);
    free(r.v);
}

/* ---- the VFS itself, on one file through its methods ---- */

/* The file on the disk (not through the VFS), NUL-terminated, its size in *len. */
static char *disk_bytes(const char *path, long *len)
{
    static char buf[16384];
    FILE *f = fopen(path, "rb");
    *len = f ? (long)fread(buf, 1, sizeof buf - 1, f) : -1;
    if (f)
        fclose(f);
    buf[*len > 0 ? *len : 0] = '\0';
    return buf;
}

static sqlite3_file *vfs_open(const char *path)
{
    sqlite3_vfs *vfs = sqlite3_vfs_find(POWERVFS_NAME);
    sqlite3_file *f = xcalloc(1, (size_t)vfs->szOsFile);
    int flags = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (vfs->xOpen(vfs, path, f, flags, &flags) != SQLITE_OK) {
        free(f);
        return NULL;
    }
    return f;
}

static void vfs_close(sqlite3_file *f)
{
    f->pMethods->xClose(f);
    free(f);
}

/* Writes what, syncs when asked, then writes "BBBB" at 0 and "CC" at 4096 unsynced and cuts the
 * power with o; returns the disk's bytes. */
static char *cut_after(const char *path, const char *what, int sync, powervfs_cut_opts o, long *len)
{
    unlink(path);
    sqlite3_file *f = vfs_open(path);
    if (!f)
        return disk_bytes("/nonexistent", len);
    f->pMethods->xWrite(f, what, (int)strlen(what), 0);
    if (sync)
        f->pMethods->xSync(f, SQLITE_SYNC_FULL);
    f->pMethods->xWrite(f, "BBBB", 4, 0);
    f->pMethods->xWrite(f, "CC", 2, 4096);
    powervfs_cut(&o);
    /* the ghost's write and sync reach nothing */
    f->pMethods->xWrite(f, "DDDD", 4, 0);
    f->pMethods->xSync(f, SQLITE_SYNC_FULL);
    vfs_close(f);
    powervfs_restart();
    return disk_bytes(path, len);
}

/* What a cut leaves on the disk, write by write: the base every figure above rests on. */
static void t_vfs_model(void)
{
    REQUIRE(powervfs_register() == 0);
    char dir[PATH_MAX], path[PATH_MAX];
    test_new_dir(dir, sizeof dir);
    test_path(path, sizeof path, dir, "f.db");
    powervfs_cut_opts none = {0}, all = {.keep_percent = 100};
    long len;

    /* Synced: on the disk; the unsynced writes after it: not, and not the ghost's either. */
    CHECK_STR(cut_after(path, "AAAAAAAA", 1, none, &len), "AAAAAAAA");
    CHECK_INT(len, 8);
    /* Nothing synced: nothing at all. */
    cut_after(path, "AAAAAAAA", 0, none, &len);
    CHECK_INT(len, 0);
    /* Every pending write kept: the file as the program saw it before the cut. */
    char *got = cut_after(path, "AAAAAAAA", 1, all, &len);
    CHECK_INT(len, 4098);
    CHECK(strncmp(got, "BBBBAAAA", 8) == 0 && got[4096] == 'C' && got[4095] == '\0');
    /* Torn: the last write ("CC" at 4096) only in part, the earlier one kept. */
    powervfs_cut_opts tear = {.keep_percent = 100, .tear = 1, .seed = 3};
    got = cut_after(path, "AAAAAAAA", 1, tear, &len);
    CHECK(strncmp(got, "BBBBAAAA", 8) == 0);
    CHECK(len == 8 || (len == 4097 && got[4096] == 'C'));
    /* Without powersafe overwrite a torn write spoils its sector: "BBBB" torn also zeros the
     * synced bytes after it. */
    powervfs_cut_opts spoil = {.tear = 1, .no_psow = 1, .seed = 5};
    unlink(path);
    sqlite3_file *f = vfs_open(path);
    REQUIRE(f);
    f->pMethods->xWrite(f, "AAAAAAAA", 8, 0);
    f->pMethods->xSync(f, SQLITE_SYNC_FULL);
    f->pMethods->xWrite(f, "BBBB", 4, 0);
    powervfs_cut(&spoil);
    vfs_close(f);
    powervfs_restart();
    got = disk_bytes(path, &len);
    CHECK_INT(len, 8);
    CHECK(got[4] == '\0' && got[7] == '\0');

    /* Armed: before the 3rd write or sync, or just after it. */
    for (int after = 0; after <= 1; after++) {
        unlink(path);
        f = vfs_open(path);
        REQUIRE(f);
        powervfs_arm(3, after, &none);
        f->pMethods->xWrite(f, "AAAA", 4, 0);
        f->pMethods->xWrite(f, "BB", 2, 4);
        CHECK(!powervfs_off());
        f->pMethods->xSync(f, SQLITE_SYNC_FULL);
        CHECK(powervfs_off());
        vfs_close(f);
        powervfs_restart();
        got = disk_bytes(path, &len);
        CHECK_INT(len, after ? 6 : 0);
    }
    /* A clean shutdown (no cut) writes everything back. */
    unlink(path);
    f = vfs_open(path);
    REQUIRE(f);
    f->pMethods->xWrite(f, "AAAA", 4, 0);
    vfs_close(f);
    CHECK_INT(powervfs_restart(), 0);
    CHECK_STR(disk_bytes(path, &len), "AAAA");
}

static const test_case cases[] = {TEST(t_vfs_model), TEST(t_power_cuts),
                                  TEST(t_lying_disk_is_caught)};

int main(void)
{
    log_set_level(LOG_WARN);
    log_set_hook(log_hook, NULL);
    int rc = test_main("powercut", TEST_KEEP_FAILED, cases, HL_ARRAY_LEN(cases));
    log_set_hook(NULL, NULL);
    return rc;
}
