/* faultvfs: wraps the default SQLite VFS; every file method passes through to the real file except
 * that xWrite, xSync and xTruncate fail on demand (see faultvfs.h). */
#include "faultvfs.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>

typedef struct {
    sqlite3_file base;  /* must be first: SQLite sees this */
    sqlite3_file *real; /* the default VFS's file, allocated right after this struct */
} fv_file;

static sqlite3_vfs fv_vfs;
static sqlite3_vfs *real_vfs;
/* Atomic: the store's tests are single-threaded, but UI tests may write from a sync thread. */
static atomic_int fault_ops, fault_rc, failures;

void faultvfs_set(int ops, int rc)
{
    atomic_store(&fault_rc, rc);
    atomic_store(&failures, 0);
    atomic_store(&fault_ops, ops);
}

int faultvfs_failures(void)
{
    return atomic_load(&failures);
}

static int faulted(int op)
{
    if (!(atomic_load(&fault_ops) & op))
        return 0;
    atomic_fetch_add(&failures, 1);
    return atomic_load(&fault_rc);
}

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((fv_file *)f)->real;
}

static int fv_close(sqlite3_file *f)
{
    return real_of(f)->pMethods->xClose(real_of(f));
}

static int fv_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}

static int fv_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int rc = faulted(FAULTVFS_WRITE);
    return rc ? rc : real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}

static int fv_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = faulted(FAULTVFS_TRUNCATE);
    return rc ? rc : real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int fv_sync(sqlite3_file *f, int flags)
{
    int rc = faulted(FAULTVFS_SYNC);
    return rc ? rc : real_of(f)->pMethods->xSync(real_of(f), flags);
}

static int fv_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int fv_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int fv_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int fv_check_reserved_lock(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int fv_file_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int fv_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int fv_device_characteristics(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

/* Shared memory (the WAL index) and memory mapping pass through untouched: the faults model the
 * disk, and the -shm file is mapped memory, not written with xWrite. */
static int fv_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), pg, pgsz, extend, pp);
}

static int fv_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void fv_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int fv_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static int fv_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
    return real_of(f)->pMethods->xFetch(real_of(f), off, amt, pp);
}

static int fv_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

#define FV_IO_V1_METHODS                                                                           \
    .xClose = fv_close, .xRead = fv_read, .xWrite = fv_write, .xTruncate = fv_truncate,            \
    .xSync = fv_sync, .xFileSize = fv_file_size, .xLock = fv_lock, .xUnlock = fv_unlock,           \
    .xCheckReservedLock = fv_check_reserved_lock, .xFileControl = fv_file_control,                 \
    .xSectorSize = fv_sector_size, .xDeviceCharacteristics = fv_device_characteristics

static const sqlite3_io_methods fv_io_v3 = {
    .iVersion = 3,
    FV_IO_V1_METHODS,
    .xShmMap = fv_shm_map,
    .xShmLock = fv_shm_lock,
    .xShmBarrier = fv_shm_barrier,
    .xShmUnmap = fv_shm_unmap,
    .xFetch = fv_fetch,
    .xUnfetch = fv_unfetch,
};

/* The same without the version 2/3 methods, for real files that lack them, so SQLite never calls
 * a pass-through to a missing method. */
static const sqlite3_io_methods fv_io_v1 = {.iVersion = 1, FV_IO_V1_METHODS};

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    fv_file *p = (fv_file *)f;
    p->real = (sqlite3_file *)(p + 1);
    memset(p->real, 0, (size_t)real_vfs->szOsFile);
    int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out_flags);
    /* pMethods stays NULL when the real open failed, which tells SQLite not to call xClose. */
    if (p->real->pMethods)
        p->base.pMethods = p->real->pMethods->iVersion >= 3 ? &fv_io_v3 : &fv_io_v1;
    else
        p->base.pMethods = NULL;
    return rc;
}

int faultvfs_register(void)
{
    if (real_vfs)
        return 0;
    sqlite3_vfs *def = sqlite3_vfs_find(NULL);
    if (!def)
        return -1;
    real_vfs = def;
    /* Faults are in the file methods only: the VFS's own methods (delete, access, full path,
     * dlopen, randomness, sleep, time) are the real ones, copied as SQLite's multiplex shim does.
     * They get &fv_vfs as their first argument, with the real one's pAppData. Version 2 is all
     * that is offered; the system-call hooks of version 3 are not needed. */
    fv_vfs = *def;
    fv_vfs.iVersion = def->iVersion < 2 ? def->iVersion : 2;
    fv_vfs.pNext = NULL;
    fv_vfs.szOsFile = (int)sizeof(fv_file) + def->szOsFile;
    fv_vfs.zName = FAULTVFS_NAME;
    fv_vfs.xOpen = fv_open;
    if (sqlite3_vfs_register(&fv_vfs, 0) != SQLITE_OK) {
        real_vfs = NULL;
        return -1;
    }
    return 0;
}
