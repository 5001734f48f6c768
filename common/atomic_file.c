/* atomic_file: tmp + fsync + rename + fsync dir (see atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int af_begin(atomic_file *a, const char *out, const char *redo, char *err, size_t errlen)
{
    a->fd = a->dirfd = -1;
    a->redo = redo ? redo : "try again";
    if (!out || !out[0])
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "no output file given; name one, e.g. "
                         "/media/usb/phieu-danh-gia.csv");
    size_t n = strlen(out);
    if (util_strlcpy(a->out, out, sizeof a->out) || n + 16 >= sizeof a->tmp)
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "%s: output path too long; choose a shorter one", out);
    struct stat st;
    if (out[n - 1] == '/' || (stat(out, &st) == 0 && S_ISDIR(st.st_mode)))
        return util_fail(err, errlen, HL_EXIT_USAGE,
                         "%s is a folder; give a file name in it, e.g. %s%sbao-cao.xlsx", out, out,
                         out[n - 1] == '/' ? "" : "/");
    util_strlcpy(a->dir, out, sizeof a->dir);
    char *slash = strrchr(a->dir, '/');
    if (!slash)
        util_strlcpy(a->dir, ".", sizeof a->dir);
    else if (slash == a->dir)
        a->dir[1] = '\0';
    else
        *slash = '\0';
    a->dirfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (a->dirfd < 0) {
        int e = errno;
        if (e == ENOENT)
            return util_fail(err, errlen, HL_EXIT_USAGE,
                             "folder %s does not exist; create it (or plug in the USB stick) or "
                             "choose another output file",
                             a->dir);
        if (e == ENOTDIR)
            return util_fail(err, errlen, HL_EXIT_USAGE, "%s: a part of this path is not a folder",
                             a->dir);
        return util_fail(err, errlen, e == EACCES ? HL_EXIT_USAGE : HL_EXIT_RUNTIME,
                         "cannot open folder %s: %s; choose a folder you can write to", a->dir,
                         strerror(e));
    }
    if (fstat(a->dirfd, &st) != 0) {
        int e = errno;
        close(a->dirfd);
        a->dirfd = -1;
        return util_fail(err, errlen, HL_EXIT_RUNTIME, "%s: %s", a->dir, strerror(e));
    }
    a->dir_dev = st.st_dev;
    a->dir_ino = st.st_ino;
    util_fmt(a->tmp, sizeof a->tmp, "%s.tmp-XXXXXX", out);
    a->fd = mkostemp(a->tmp, O_CLOEXEC);
    if (a->fd < 0) {
        int e = errno;
        close(a->dirfd);
        a->dirfd = -1;
        int usage = e == EACCES || e == EPERM || e == EROFS || e == ENOENT;
        return util_fail(err, errlen, usage ? HL_EXIT_USAGE : HL_EXIT_RUNTIME,
                         "cannot create a file in folder %s: %s; %s", a->dir, strerror(e),
                         e == ENOSPC || e == EDQUOT
                             ? "free some space or use another disk"
                             : "choose a folder you can write to (or run as a user who can)");
    }
    fchmod(a->fd, 0644); /* mkstemp's 0600 would hide the file from other users */
    if (fstat(a->fd, &st) == 0) {
        a->f_dev = st.st_dev;
        a->f_ino = st.st_ino;
    }
    const char *b = strrchr(a->tmp, '/');
    a->tmp_base = b ? b + 1 : a->tmp;
    return 0;
}

int af_fd(const atomic_file *a)
{
    return a->fd;
}

const char *af_open_name(const atomic_file *a, char *buf, size_t cap)
{
    if (util_fmt(buf, cap, "/proc/self/fd/%d", a->fd) == 0 && access(buf, W_OK) == 0)
        return buf;
    return a->tmp;
}

int af_write(atomic_file *a, const void *data, size_t len, char *err, size_t errlen)
{
    const char *p = data;
    for (size_t off = 0; off < len;) {
        ssize_t n = write(a->fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return af_write_error(a, n == 0 ? EIO : errno, err, errlen);
        off += (size_t)n;
    }
    return 0;
}

/* The folder is still the same one at the same path and the temp file is still in it: a USB
 * stick pulled out (or pulled and plugged in again) fails this. */
int af_check(const atomic_file *a, char *err, size_t errlen)
{
    struct stat st, ft;
    if (stat(a->dir, &st) != 0 || st.st_dev != a->dir_dev || st.st_ino != a->dir_ino ||
        fstatat(a->dirfd, a->tmp_base, &ft, AT_SYMLINK_NOFOLLOW) != 0 || ft.st_dev != a->f_dev ||
        ft.st_ino != a->f_ino)
        return util_fail(err, errlen, HL_EXIT_RUNTIME,
                         "folder %s disappeared while %s was being written (USB stick removed?); "
                         "nothing was saved; plug it in again and %s",
                         a->dir, a->out, a->redo);
    return 0;
}

int af_write_error(const atomic_file *a, int e, char *err, size_t errlen)
{
    if (af_check(a, err, errlen) != 0)
        return HL_EXIT_RUNTIME;
    return util_fail(err, errlen, HL_EXIT_RUNTIME,
                     "could not write %s: %s; nothing was saved; %s%s", a->out, strerror(e),
                     e == ENOSPC || e == EDQUOT ? "free some space on that disk or use another one"
                                                : "check the disk (USB stick) and ",
                     e == ENOSPC || e == EDQUOT ? "" : a->redo);
}

/* rename, or with noreplace a rename that fails on an existing out: renameat2's
 * RENAME_NOREPLACE, else (a filesystem or kernel without it) link + unlink, which fails the same
 * way. */
static int put_in_place(atomic_file *a, int noreplace)
{
    if (!noreplace)
        return rename(a->tmp, a->out);
    if (renameat2(AT_FDCWD, a->tmp, AT_FDCWD, a->out, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(a->tmp, a->out) != 0)
        return -1;
    unlink(a->tmp);
    return 0;
}

static int commit(atomic_file *a, int noreplace, char *err, size_t errlen)
{
    if (fsync(a->fd) != 0)
        return af_write_error(a, errno, err, errlen);
    int rc = close(a->fd);
    a->fd = -1;
    if (rc != 0)
        return af_write_error(a, errno, err, errlen);
    if (af_check(a, err, errlen) != 0)
        return HL_EXIT_RUNTIME;
    if (put_in_place(a, noreplace) != 0) {
        if (noreplace && errno == EEXIST)
            return util_fail(err, errlen, HL_EXIT_USAGE,
                             "%s already exists; nothing was overwritten", a->out);
        return af_write_error(a, errno, err, errlen);
    }
    /* From here the file at out is complete; only its durability is in question. */
    if (fsync(a->dirfd) != 0 && errno != EINVAL && errno != EROFS) {
        int e = errno;
        close(a->dirfd);
        a->dirfd = -1;
        return util_fail(
            err, errlen, HL_EXIT_RUNTIME,
            "%s was written but folder %s could not be synced (%s); check the disk and "
            "%s before removing it",
            a->out, a->dir, strerror(e), a->redo);
    }
    close(a->dirfd);
    a->dirfd = -1;
    return 0;
}

int af_commit(atomic_file *a, char *err, size_t errlen)
{
    return commit(a, 0, err, errlen);
}

int af_commit_new(atomic_file *a, char *err, size_t errlen)
{
    return commit(a, 1, err, errlen);
}

/* Removes the temp file (through the folder's descriptor, so also from a folder that was moved)
 * unless it was renamed into place. */
void af_abort(atomic_file *a)
{
    if (a->fd >= 0)
        close(a->fd);
    a->fd = -1;
    if (a->dirfd >= 0) {
        struct stat ft;
        if (fstatat(a->dirfd, a->tmp_base, &ft, AT_SYMLINK_NOFOLLOW) == 0 &&
            ft.st_dev == a->f_dev && ft.st_ino == a->f_ino)
            unlinkat(a->dirfd, a->tmp_base, 0);
        close(a->dirfd);
    }
    a->dirfd = -1;
}

int af_write_file(const char *path, const void *data, size_t len, const char *redo, char *err,
                  size_t errlen)
{
    atomic_file a;
    int rc = af_begin(&a, path, redo, err, errlen);
    if (rc != 0)
        return rc;
    rc = af_write(&a, data, len, err, errlen);
    if (rc == 0)
        rc = af_commit(&a, err, errlen);
    af_abort(&a);
    return rc;
}
