/* faultvfs: a SQLite VFS for tests that wraps the default one and makes writes, syncs or truncates
 * fail on demand, to play a full or failing disk under the real store code. */
#ifndef HL_FAULTVFS_H
#define HL_FAULTVFS_H

#define FAULTVFS_NAME "hl-faultvfs"

/* Which file operations fail while a fault is set. */
enum { FAULTVFS_WRITE = 1, FAULTVFS_SYNC = 2, FAULTVFS_TRUNCATE = 4, FAULTVFS_ALL = 7 };

/* Registers the VFS under FAULTVFS_NAME (not as the default); safe to call again. 0 on success. */
int faultvfs_register(void);

/* From now on the operations in ops (FAULTVFS_* bits) return rc, e.g. SQLITE_FULL or
 * SQLITE_IOERR_WRITE; ops = 0 lets everything through again. Resets the failure count. */
void faultvfs_set(int ops, int rc);

/* How many operations failed since the last faultvfs_set, so a test can prove the fault was hit. */
int faultvfs_failures(void);

#endif
