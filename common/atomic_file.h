/* atomic_file: write a file so that readers see the old one or the whole new one, never a part,
 * and a power cut after af_commit keeps the new one: <path>.tmp-XXXXXX in the same folder,
 * fsync, rename over path, fsync the folder. A folder that disappears meanwhile (a USB stick
 * pulled out, or pulled and plugged in again) is noticed and nothing is renamed into place. */
#ifndef HL_ATOMIC_FILE_H
#define HL_ATOMIC_FILE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct {
    char out[PATH_MAX];
    char dir[PATH_MAX];
    char tmp[PATH_MAX + 16];
    const char *tmp_base; /* the temp file's name inside dir */
    const char *redo;     /* the end of failure messages: "repeat the export" */
    int dirfd, fd;
    dev_t dir_dev, f_dev;
    ino_t dir_ino, f_ino;
} atomic_file;

/* Creates the temp file beside path (mode 0644). redo ends failure messages ("repeat the
 * export"). 0, or HL_EXIT_USAGE (no name, a folder, missing or unwritable folder) or
 * HL_EXIT_RUNTIME with err set; nothing to clean up on failure. */
int af_begin(atomic_file *a, const char *path, const char *redo, char *err, size_t errlen);
/* The temp file's descriptor, to write to. */
int af_fd(const atomic_file *a);
/* A name that opens the very temp file (through /proc/self/fd when possible), for libraries that
 * insist on opening a path themselves. */
const char *af_open_name(const atomic_file *a, char *buf, size_t cap);
/* Writes all of data (retrying short writes). 0 or HL_EXIT_RUNTIME with err set. */
int af_write(atomic_file *a, const void *data, size_t len, char *err, size_t errlen);
/* The folder is still the one at its path and the temp file still in it. 0 or HL_EXIT_RUNTIME. */
int af_check(const atomic_file *a, char *err, size_t errlen);
/* A write failed with errno e: the message, preferring "the folder vanished". HL_EXIT_RUNTIME. */
int af_write_error(const atomic_file *a, int e, char *err, size_t errlen);
/* fsync, close, check, rename into place, fsync the folder. 0 or HL_EXIT_RUNTIME with err set
 * (then call af_abort). */
int af_commit(atomic_file *a, char *err, size_t errlen);
/* af_commit, but never replaces a file already at path: HL_EXIT_USAGE "PATH already exists"
 * then (checked by the rename itself, so a file that appeared meanwhile is not overwritten). */
int af_commit_new(atomic_file *a, char *err, size_t errlen);
/* Removes the temp file unless it was renamed into place; closes everything. Safe after commit
 * and after a failed begin. */
void af_abort(atomic_file *a);

/* The whole job for data already in memory: begin, write, commit (abort on failure). */
int af_write_file(const char *path, const void *data, size_t len, const char *redo, char *err,
                  size_t errlen);

#endif
