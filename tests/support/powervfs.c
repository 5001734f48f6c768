/* powervfs: wraps the default SQLite VFS (as faultvfs.c does). The main database, its WAL and
 * rollback journals are nodes, one per path shared by every handle, like the page cache: reads and
 * sizes come from the node's bytes in memory, writes go there and onto its list of pending
 * operations, and only xSync puts that list on the disk (the real file). A cut applies what the
 * disk got of the pending lists and leaves the program running as a ghost. Temporary files and the
 * -shm (shared memory: SQLite maps it, it is not written with xWrite) pass through. */
#include "powervfs.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum { OP_WRITE, OP_TRUNCATE };

typedef struct {
    int kind;
    sqlite3_int64 off; /* OP_WRITE: where; OP_TRUNCATE: the new size */
    int len;
    unsigned char *data;
    long seq; /* order among every node's pending operations, for the write in flight */
} pv_op;

typedef struct pv_node {
    struct pv_node *next;
    char *path;
    /* The disk: the real file, opened once by this VFS and closed at restart (closing a
     * descriptor of a file would drop every POSIX lock the process holds on it, SQLite's too). */
    int fd;
    int writable;   /* 0: opened for reading only, and nothing is ever written to it */
    int refs;       /* open handles */
    int gone;       /* deleted with the power on: a later open of the path is a new node */
    int vanished;   /* deleted after the cut: absent to the ghost, still on the disk */
    int ghost_made; /* created after the cut: only an empty file on the disk, removed at restart */
    int main_db;    /* its -shm is removed at restart */
    unsigned char *buf; /* the file as the program sees it */
    sqlite3_int64 len;
    size_t cap;
    pv_op *ops; /* since the last sync, oldest first */
    size_t n_ops, cap_ops;
} pv_node;

typedef struct {
    sqlite3_file base;  /* must be first: SQLite sees this */
    sqlite3_file *real; /* the default VFS's file, allocated right after this struct */
    pv_node *node;      /* NULL: passes through */
} pv_file;

static sqlite3_vfs pv_vfs;
static sqlite3_vfs *real_vfs;
/* One lock over every node and the power state: SQLite may call from any thread that has a
 * connection, and a cut must see every file at one instant. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pv_node *nodes;
static int power_off, lying_sync, arm_after;
static long events, arm_at, op_seq;
static powervfs_cut_opts armed;
static powervfs_stats stats;

/* ---- the node's bytes in memory ---- */

static void buf_size(pv_node *n, sqlite3_int64 size)
{
    if ((size_t)size > n->cap) {
        size_t cap = n->cap ? n->cap : 4096;
        while (cap < (size_t)size)
            cap *= 2;
        n->buf = xrealloc(n->buf, cap);
        n->cap = cap;
    }
    if (size > n->len)
        memset(n->buf + n->len, 0, (size_t)(size - n->len));
    n->len = size;
}

static void buf_write(pv_node *n, const void *p, int amt, sqlite3_int64 off)
{
    if (off + amt > n->len)
        buf_size(n, off + amt);
    memcpy(n->buf + off, p, (size_t)amt);
}

/* ---- the disk ---- */

static void disk_write(pv_node *n, const unsigned char *p, size_t amt, sqlite3_int64 off)
{
    while (n->writable && amt > 0) {
        ssize_t w = pwrite(n->fd, p, amt, (off_t)off);
        if (w <= 0) {
            /* The test's own disk failing is not a power cut: stop rather than test nonsense. */
            perror(n->path);
            abort();
        }
        p += w;
        off += w;
        amt -= (size_t)w;
    }
}

static void disk_truncate(pv_node *n, sqlite3_int64 size)
{
    if (n->writable && ftruncate(n->fd, (off_t)size) != 0) {
        perror(n->path);
        abort();
    }
}

static sqlite3_int64 disk_size(pv_node *n)
{
    struct stat st;
    if (fstat(n->fd, &st) != 0)
        return 0;
    return (sqlite3_int64)st.st_size;
}

static void apply(pv_node *n, const pv_op *op, size_t amt)
{
    if (op->kind == OP_WRITE)
        disk_write(n, op->data, amt, op->off);
    else
        disk_truncate(n, op->off);
}

static void ops_clear(pv_node *n)
{
    for (size_t i = 0; i < n->n_ops; i++)
        free(n->ops[i].data);
    n->n_ops = 0;
}

static void op_add(pv_node *n, int kind, const void *p, int amt, sqlite3_int64 off)
{
    if (n->n_ops == n->cap_ops) {
        n->cap_ops = n->cap_ops ? 2 * n->cap_ops : 16;
        n->ops = xrealloc(n->ops, n->cap_ops * sizeof *n->ops);
    }
    pv_op *op = &n->ops[n->n_ops++];
    op->kind = kind;
    op->off = off;
    op->len = amt;
    op->data = NULL;
    if (kind == OP_WRITE) {
        op->data = xmalloc((size_t)amt);
        memcpy(op->data, p, (size_t)amt);
    }
    op->seq = ++op_seq;
}

/* A sync: the disk gets everything pending, in order, and then holds what the program sees. The
 * real file is not fsync'ed: it stands for the disk of a machine that never loses power, and the
 * host's own fsyncs would only make the test slow. */
static void flush(pv_node *n)
{
    for (size_t i = 0; i < n->n_ops; i++)
        apply(n, &n->ops[i], (size_t)n->ops[i].len);
    stats.synced_writes += (long)n->n_ops;
    ops_clear(n);
    if (n->writable && disk_size(n) != n->len) {
        fprintf(stderr, "powervfs: %s: %lld bytes on the disk after a sync, %lld in memory\n",
                n->path, (long long)disk_size(n), (long long)n->len);
        abort();
    }
}

/* ---- the cut ---- */

static uint64_t next_rand(uint64_t *s)
{
    /* splitmix64: small, and the same on every machine for a seed */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Zeros the 512-byte sector holding byte at (as far as the file on the disk goes). */
static void spoil_sector(pv_node *n, sqlite3_int64 at)
{
    static const unsigned char zeros[512];
    sqlite3_int64 start = at - at % 512, end = start + 512, size = disk_size(n);
    if (end > size)
        end = size;
    if (end > start) {
        disk_write(n, zeros, (size_t)(end - start), start);
        stats.spoiled++;
    }
}

static void cut_locked(const powervfs_cut_opts *o)
{
    uint64_t rng = o->seed;
    long in_flight = 0;
    for (pv_node *n = nodes; n; n = n->next)
        if (!n->gone && n->n_ops && n->ops[n->n_ops - 1].seq > in_flight)
            in_flight = n->ops[n->n_ops - 1].seq;
    for (pv_node *n = nodes; n; n = n->next) {
        for (size_t i = 0; !n->gone && i < n->n_ops; i++) {
            const pv_op *op = &n->ops[i];
            if (o->tear && op->seq == in_flight && op->kind == OP_WRITE) {
                /* Any byte may be where the disk stopped. With powersafe overwrite (what the
                 * unix VFS claims by default) only this write's own range is left half new;
                 * without it the whole sector there is lost. */
                size_t part = (size_t)(next_rand(&rng) % (uint64_t)op->len);
                apply(n, op, part);
                stats.torn++;
                if (o->no_psow)
                    spoil_sector(n, op->off + (sqlite3_int64)part);
            } else if ((int)(next_rand(&rng) % 100) < o->keep_percent) {
                apply(n, op, (size_t)op->len);
                stats.kept++;
            } else {
                stats.lost++;
                if (o->zero_extend && op->kind == OP_WRITE && next_rand(&rng) % 2 &&
                    op->off + op->len > disk_size(n)) {
                    disk_truncate(n, op->off + op->len);
                    stats.extended++;
                }
            }
        }
        ops_clear(n);
    }
    power_off = 1;
    arm_at = 0;
    stats.cuts++;
}

/* Counts one write, truncate or sync on a node and cuts the power first when it is the armed
 * one, so that operation happens to the ghost. */
static void tick(void)
{
    if (power_off)
        return;
    events++;
    if (arm_at > 0 && events >= arm_at && !arm_after)
        cut_locked(&armed);
}

/* After the operation tick counted: the cut armed to come just after it. */
static void tock(void)
{
    if (!power_off && arm_at > 0 && events >= arm_at && arm_after)
        cut_locked(&armed);
}

/* ---- nodes ---- */

static pv_node *find(const char *path)
{
    for (pv_node *n = nodes; n; n = n->next)
        if (!n->gone && strcmp(n->path, path) == 0)
            return n;
    return NULL;
}

/* A node for path with the disk's bytes, or NULL when the file cannot be opened. */
static pv_node *node_new(const char *path, int main_db, int ghost_made)
{
    int writable = 1;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        writable = 0;
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return NULL;
    pv_node *n = xcalloc(1, sizeof *n);
    n->path = xstrdup(path);
    n->fd = fd;
    n->writable = writable;
    n->main_db = main_db;
    n->ghost_made = ghost_made;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        buf_size(n, (sqlite3_int64)st.st_size);
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t r = pread(fd, n->buf + got, (size_t)st.st_size - got, (off_t)got);
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        n->len = (sqlite3_int64)got;
    }
    n->next = nodes;
    nodes = n;
    return n;
}

/* ---- file methods ---- */

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((pv_file *)f)->real;
}

static pv_node *node_of(sqlite3_file *f)
{
    return ((pv_file *)f)->node;
}

static int pv_close(sqlite3_file *f)
{
    int rc = real_of(f)->pMethods->xClose(real_of(f));
    if (node_of(f)) {
        pthread_mutex_lock(&mu);
        node_of(f)->refs--;
        pthread_mutex_unlock(&mu);
    }
    return rc;
}

static int pv_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
    pv_node *n = node_of(f);
    if (!n)
        return real_of(f)->pMethods->xRead(real_of(f), buf, amt, off);
    pthread_mutex_lock(&mu);
    sqlite3_int64 have = off >= n->len ? 0 : n->len - off;
    if (have > amt)
        have = amt;
    if (have > 0)
        memcpy(buf, n->buf + off, (size_t)have);
    pthread_mutex_unlock(&mu);
    if (have == amt)
        return SQLITE_OK;
    /* As the unix VFS does: the missing part zeroed, and SQLite told. */
    memset((char *)buf + have, 0, (size_t)(amt - have));
    return SQLITE_IOERR_SHORT_READ;
}

static int pv_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    pv_node *n = node_of(f);
    if (!n)
        return real_of(f)->pMethods->xWrite(real_of(f), buf, amt, off);
    pthread_mutex_lock(&mu);
    tick();
    buf_write(n, buf, amt, off);
    if (power_off)
        stats.after_cut++;
    else
        op_add(n, OP_WRITE, buf, amt, off);
    tock();
    pthread_mutex_unlock(&mu);
    return SQLITE_OK;
}

static int pv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    pv_node *n = node_of(f);
    if (!n)
        return real_of(f)->pMethods->xTruncate(real_of(f), size);
    pthread_mutex_lock(&mu);
    tick();
    buf_size(n, size);
    if (power_off)
        stats.after_cut++;
    else
        op_add(n, OP_TRUNCATE, NULL, 0, size);
    tock();
    pthread_mutex_unlock(&mu);
    return SQLITE_OK;
}

static int pv_sync(sqlite3_file *f, int flags)
{
    pv_node *n = node_of(f);
    if (!n)
        return real_of(f)->pMethods->xSync(real_of(f), flags);
    pthread_mutex_lock(&mu);
    tick();
    if (!power_off && !lying_sync) {
        flush(n);
        stats.syncs++;
    }
    tock();
    pthread_mutex_unlock(&mu);
    return SQLITE_OK;
}

static int pv_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    pv_node *n = node_of(f);
    if (!n)
        return real_of(f)->pMethods->xFileSize(real_of(f), size);
    pthread_mutex_lock(&mu);
    *size = n->len;
    pthread_mutex_unlock(&mu);
    return SQLITE_OK;
}

static int pv_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int pv_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int pv_check_reserved_lock(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int pv_file_control(sqlite3_file *f, int op, void *arg)
{
    /* These would let the unix VFS grow or map the real file behind the node's back; all three
     * are hints SQLite does without. */
    if (node_of(f) && (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE ||
                       op == SQLITE_FCNTL_MMAP_SIZE))
        return SQLITE_NOTFOUND;
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int pv_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

/* Passed through, powersafe overwrite included: the cut honours it (a torn write spoils only its
 * own range). */
static int pv_device_characteristics(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int pv_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), pg, pgsz, extend, pp);
}

static int pv_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void pv_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int pv_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

/* A node's pages are never mapped (the map would show the disk, not the page cache): no page
 * here makes SQLite read with xRead instead. */
static int pv_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
    if (node_of(f)) {
        *pp = NULL;
        return SQLITE_OK;
    }
    return real_of(f)->pMethods->xFetch(real_of(f), off, amt, pp);
}

static int pv_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    if (node_of(f))
        return SQLITE_OK;
    return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

#define PV_IO_V1_METHODS                                                                           \
    .xClose = pv_close, .xRead = pv_read, .xWrite = pv_write, .xTruncate = pv_truncate,            \
    .xSync = pv_sync, .xFileSize = pv_file_size, .xLock = pv_lock, .xUnlock = pv_unlock,           \
    .xCheckReservedLock = pv_check_reserved_lock, .xFileControl = pv_file_control,                 \
    .xSectorSize = pv_sector_size, .xDeviceCharacteristics = pv_device_characteristics

static const sqlite3_io_methods pv_io_v3 = {
    .iVersion = 3,
    PV_IO_V1_METHODS,
    .xShmMap = pv_shm_map,
    .xShmLock = pv_shm_lock,
    .xShmBarrier = pv_shm_barrier,
    .xShmUnmap = pv_shm_unmap,
    .xFetch = pv_fetch,
    .xUnfetch = pv_unfetch,
};

static const sqlite3_io_methods pv_io_v1 = {.iVersion = 1, PV_IO_V1_METHODS};

/* ---- VFS methods ---- */

static int pv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    pv_file *p = (pv_file *)f;
    p->real = (sqlite3_file *)(p + 1);
    p->node = NULL;
    memset(p->real, 0, (size_t)real_vfs->szOsFile);
    int held = name && !(flags & SQLITE_OPEN_DELETEONCLOSE) &&
               (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL));
    pthread_mutex_lock(&mu);
    pv_node *n = held ? find(name) : NULL;
    if (n && n->vanished && !(flags & SQLITE_OPEN_CREATE)) {
        pthread_mutex_unlock(&mu);
        p->base.pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    int existed = !held || access(name, F_OK) == 0;
    int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out_flags);
    if (rc == SQLITE_OK && p->real->pMethods && held) {
        if (n && n->vanished) { /* made again by the ghost: a new, empty file to it */
            n->vanished = 0;
            n->len = 0;
        } else if (!n) {
            n = node_new(name, (flags & SQLITE_OPEN_MAIN_DB) != 0, power_off && !existed);
        }
        if (!n) {
            p->real->pMethods->xClose(p->real);
            p->real->pMethods = NULL;
            rc = SQLITE_CANTOPEN;
        } else {
            n->refs++;
            p->node = n;
        }
    }
    pthread_mutex_unlock(&mu);
    /* pMethods stays NULL when the real open failed, which tells SQLite not to call xClose. */
    if (p->real->pMethods)
        p->base.pMethods = p->real->pMethods->iVersion >= 3 ? &pv_io_v3 : &pv_io_v1;
    else
        p->base.pMethods = NULL;
    return rc;
}

/* A delete with the power on reaches the disk at once (directory entries are not modelled: SQLite
 * only deletes a -wal or journal whose contents the synced database no longer needs). After the
 * cut it happens to the ghost only. */
static int pv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    pthread_mutex_lock(&mu);
    pv_node *n = find(name);
    if (power_off) {
        if (!n && access(name, F_OK) == 0)
            n = node_new(name, 0, 0);
        int found = n && !n->vanished;
        if (n) {
            n->vanished = 1;
            n->len = 0;
        }
        pthread_mutex_unlock(&mu);
        return found ? SQLITE_OK : SQLITE_IOERR_DELETE_NOENT;
    }
    if (n) {
        n->gone = 1;
        ops_clear(n);
    }
    pthread_mutex_unlock(&mu);
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int pv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    pthread_mutex_lock(&mu);
    pv_node *n = find(name);
    /* The unix VFS calls an empty file absent; the node's size is what the program sees. */
    int known = n && (n->vanished || flags == SQLITE_ACCESS_EXISTS);
    if (known)
        *out = !n->vanished && n->len > 0;
    pthread_mutex_unlock(&mu);
    return known ? SQLITE_OK : real_vfs->xAccess(real_vfs, name, flags, out);
}

/* ---- the test's controls ---- */

void powervfs_arm(long n, int after, const powervfs_cut_opts *o)
{
    pthread_mutex_lock(&mu);
    arm_at = n > 0 ? events + n : 0;
    arm_after = after;
    if (o)
        armed = *o;
    pthread_mutex_unlock(&mu);
}

void powervfs_cut(const powervfs_cut_opts *o)
{
    pthread_mutex_lock(&mu);
    if (!power_off)
        cut_locked(o);
    pthread_mutex_unlock(&mu);
}

int powervfs_off(void)
{
    pthread_mutex_lock(&mu);
    int off = power_off;
    pthread_mutex_unlock(&mu);
    return off;
}

long powervfs_events(void)
{
    pthread_mutex_lock(&mu);
    long e = events;
    pthread_mutex_unlock(&mu);
    return e;
}

int powervfs_restart(void)
{
    pthread_mutex_lock(&mu);
    for (pv_node *n = nodes; n; n = n->next)
        if (n->refs > 0) {
            fprintf(stderr, "powervfs: %s is still open; close every connection first\n", n->path);
            pthread_mutex_unlock(&mu);
            return -1;
        }
    while (nodes) {
        pv_node *n = nodes;
        nodes = n->next;
        if (!power_off && !n->gone)
            flush(n); /* a clean shutdown writes the page cache back */
        if (power_off && n->ghost_made)
            unlink(n->path);
        if (n->main_db) {
            char shm[4096];
            if (snprintf(shm, sizeof shm, "%s-shm", n->path) < (int)sizeof shm)
                unlink(shm);
        }
        ops_clear(n);
        close(n->fd);
        free(n->ops);
        free(n->buf);
        free(n->path);
        free(n);
    }
    power_off = 0;
    events = 0;
    arm_at = 0;
    pthread_mutex_unlock(&mu);
    return 0;
}

void powervfs_stats_get(powervfs_stats *out)
{
    pthread_mutex_lock(&mu);
    *out = stats;
    pthread_mutex_unlock(&mu);
}

void powervfs_set_lying_sync(int on)
{
    pthread_mutex_lock(&mu);
    lying_sync = on;
    pthread_mutex_unlock(&mu);
}

int powervfs_register(void)
{
    pthread_mutex_lock(&mu);
    int rc = 0;
    if (!real_vfs) {
        sqlite3_vfs *def = sqlite3_vfs_find(NULL);
        /* The VFS's own methods are the real ones but open, delete and access, which must know
         * the nodes; version 2 is all that is offered, as in faultvfs.c. */
        if (def) {
            pv_vfs = *def;
            pv_vfs.iVersion = def->iVersion < 2 ? def->iVersion : 2;
            pv_vfs.pNext = NULL;
            pv_vfs.szOsFile = (int)sizeof(pv_file) + def->szOsFile;
            pv_vfs.zName = POWERVFS_NAME;
            pv_vfs.xOpen = pv_open;
            pv_vfs.xDelete = pv_delete;
            pv_vfs.xAccess = pv_access;
            real_vfs = def;
            if (sqlite3_vfs_register(&pv_vfs, 0) != SQLITE_OK)
                real_vfs = NULL;
        }
        rc = real_vfs ? 0 : -1;
    }
    pthread_mutex_unlock(&mu);
    return rc;
}
