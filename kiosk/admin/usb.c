/* usb: removable drives from /proc/mounts and sysfs. */
#include "usb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "util.h"

/* /proc/mounts escapes space, tab, newline and backslash as \ooo. In place. */
static void unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

/* Splits line at blanks into up to max fields (in place); returns the count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (*p && n < max) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p)
            break;
        f[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1];
}

static int read_flag(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int c = fgetc(f);
    fclose(f);
    return c == '1';
}

/* The block device behind name ("sdb1"): removable, or attached through USB. */
static int is_removable(const char *sys_root, const char *name)
{
    char link[PATH_MAX], dev[PATH_MAX], probe[PATH_MAX + 16];
    if (util_fmt(link, sizeof link, "%s/class/block/%s", sys_root, name) != 0 ||
        !realpath(link, dev))
        return 0;
    /* A partition's own directory sits inside its disk's. */
    if (util_fmt(probe, sizeof probe, "%s/partition", dev) == 0 && util_file_exists(probe)) {
        char *slash = strrchr(dev, '/');
        if (slash)
            *slash = '\0';
    }
    if (util_fmt(probe, sizeof probe, "%s/removable", dev) == 0 && read_flag(probe))
        return 1;
    return strstr(dev, "/usb") != NULL;
}

static void fill_space(usb_drive *d)
{
    struct statvfs v;
    if (statvfs(d->path, &v) == 0) {
        d->free_bytes = (uint64_t)v.f_bavail * v.f_frsize;
        d->total_bytes = (uint64_t)v.f_blocks * v.f_frsize;
        if (v.f_flag & ST_RDONLY)
            d->readonly = 1;
    }
}

static void set_label(usb_drive *d)
{
    const char *b = strrchr(d->path, '/');
    b = b && b[1] ? b + 1 : d->path;
    util_strlcpy(d->label, b, sizeof d->label);
}

int usb_find_in(const char *mounts, const char *sys_root, usb_drive *out, int max)
{
    FILE *f = fopen(mounts, "r");
    if (!f)
        return 0;
    int n = 0;
    char line[4096];
    while (n < max && fgets(line, sizeof line, f)) {
        char *fld[4];
        if (split(line, fld, 4) < 4)
            continue;
        unescape(fld[0]);
        unescape(fld[1]);
        const char *mp = fld[1];
        if (!under(mp, "/media") && !under(mp, "/run/media") && !under(mp, "/mnt"))
            continue;
        if (strncmp(fld[0], "/dev/", 5) != 0)
            continue;
        /* /dev/disk/by-label/X and the like are links to the real node. */
        char real[PATH_MAX];
        const char *dev = realpath(fld[0], real) ? real : fld[0];
        if (strncmp(dev, "/dev/", 5) != 0 || !is_removable(sys_root, dev + 5))
            continue;
        usb_drive *d = &out[n];
        memset(d, 0, sizeof *d);
        if (util_strlcpy(d->path, mp, sizeof d->path) != 0)
            continue;
        util_strlcpy(d->device, dev, sizeof d->device);
        /* "ro" as a whole option, not inside another word. */
        char opts[512];
        util_fmt(opts, sizeof opts, ",%s,", fld[3]);
        d->readonly = strstr(opts, ",ro,") != NULL;
        set_label(d);
        fill_space(d);
        n++;
    }
    fclose(f);
    return n;
}

/* The sticks udisks2 knows, mounted or not; -1 when it cannot say (then /proc/mounts is read). */
static int find_udisks(usb_drive *out, int max)
{
    if (!udisks_available())
        return -1;
    udisks_fs fs[USB_MAX_DRIVES];
    char err[256];
    int n = udisks_list(fs, max < USB_MAX_DRIVES ? max : USB_MAX_DRIVES, err, sizeof err);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        usb_drive *d = &out[i];
        memset(d, 0, sizeof *d);
        d->via_udisks = 1;
        d->ud = fs[i];
        util_strlcpy(d->path, fs[i].mount, sizeof d->path);
        util_strlcpy(d->label, fs[i].label, sizeof d->label);
        util_strlcpy(d->device, fs[i].device, sizeof d->device);
        d->readonly = fs[i].readonly;
        d->total_bytes = fs[i].size;
        if (d->path[0])
            fill_space(d);
    }
    return n;
}

int usb_find(usb_drive *out, int max)
{
    const char *dir = getenv("HAILONG_USB_DIR");
    if (dir && dir[0]) {
        struct stat st;
        if (max < 1 || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return 0;
        memset(&out[0], 0, sizeof out[0]);
        if (util_strlcpy(out[0].path, dir, sizeof out[0].path) != 0)
            return 0;
        size_t len = strlen(out[0].path);
        while (len > 1 && out[0].path[len - 1] == '/')
            out[0].path[--len] = '\0';
        set_label(&out[0]);
        fill_space(&out[0]);
        return 1;
    }
    int n = find_udisks(out, max);
    return n >= 0 ? n : usb_find_in("/proc/mounts", "/sys", out, max);
}
