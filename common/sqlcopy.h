/* sqlcopy: a consistent copy of a live SQLite database as one new file, for the kiosk's and the
 * collector's backups (before a schema migration, and their backup commands). SQLite's online
 * backup API in one step, i.e. one read transaction: the copy is the database as it was at one
 * instant while others go on writing (WAL). It is written under a temporary name beside the target,
 * switched to a rollback journal so that it is one self-contained file (no -wal/-shm needed to
 * read it), checked with PRAGMA integrity_check, fsynced and renamed into place. Its own library
 * (hl_sqlcopy), so that hl_common stays free of SQLite. Prefix: sqlcopy_. */
#ifndef HL_SQLCOPY_H
#define HL_SQLCOPY_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* SQLite VFS the copy is written through, NULL for the default; tests pass a failing one. */
    const char *vfs;
    /* 1: an existing file at out is replaced; 0: it is left alone and the copy fails with
     * HL_EXIT_USAGE "OUT already exists" (checked by the final rename itself). */
    int replace;
    /* Optional: looks at the finished, checked copy before it is put in place (to say what was
     * saved). Nonzero (an HL_EXIT_* code) with err filled abandons the copy. */
    int (*inspect)(sqlite3 *copy, void *ctx, char *err, size_t errlen);
    void *ctx;
    /* The end of failure messages, e.g. "run the backup again". */
    const char *redo;
} sqlcopy_opts;

/* Copies schema "main" of src to out. src must not be inside a write transaction (SQLite will not
 * copy from one): to copy a WAL database one holds the write lock on (before a migration, so that
 * nothing changes between the copy and the migration), pass a second connection, which reads the
 * last committed state. 0 with *size (may be NULL) the copy's size in bytes; else HL_EXIT_USAGE
 * (out exists and replace is 0, no such folder, a folder not writable) or HL_EXIT_RUNTIME (disk
 * full, I/O error, the copy failed its check), err set, and nothing left at out or beside it. */
int sqlcopy_to_file(sqlite3 *src, const char *out, const sqlcopy_opts *o, int64_t *size, char *err,
                    size_t errlen);

/* Runs PRAGMA integrity_check on db: 0 when it says "ok", else HL_EXIT_RUNTIME with its first
 * report (or the error) in err. */
int sqlcopy_check(sqlite3 *db, char *err, size_t errlen);

/* The name of the copy made before migrating db to schema version `to`: DB.pre-vTO-<UTC
 * stamp>.bak, or DB.pre-vTO-<stamp>.N.bak when that exists. 0, or -1 when no free name fits. */
int sqlcopy_pre_migration_name(const char *db, int to, char *out, size_t cap);

#endif
