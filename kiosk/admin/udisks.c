/* udisks: udisks2 over sd-bus (libsystemd), see udisks.h. */
#include "udisks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "util.h"

#define UD_NAME     "org.freedesktop.UDisks2"
#define UD_ROOT     "/org/freedesktop/UDisks2"
#define UD_BLOCK    UD_NAME ".Block"
#define UD_FS       UD_NAME ".Filesystem"
#define UD_DRIVE    UD_NAME ".Drive"
#define UD_ERR      UD_NAME ".Error."
#define UD_MAX_OBJS 64

/* The listing runs on the UI thread: one local round trip, never long. */
#define LIST_TIMEOUT_US (2 * 1000 * 1000ULL)
/* Mounting checks the filesystem, unmounting flushes the stick's cache: give them time. */
#define CALL_TIMEOUT_US (60 * 1000 * 1000ULL)

typedef struct {
    char path[160];
    char drive[160];
    char device[64];
    char label[64];
    char mount[PATH_MAX];
    uint64_t size;
    int readonly, hint_ignore, hint_system, has_fs;
} ud_block;

typedef struct {
    char path[160];
    char bus[16];
    char vendor[32];
    char model[48];
    int removable, media_removable;
} ud_drive;

typedef struct {
    ud_block blocks[UD_MAX_OBJS];
    int n_blocks;
    ud_drive drives[UD_MAX_OBJS];
    int n_drives;
} ud_objects;

static int open_bus(sd_bus **bus, char *err, size_t errlen)
{
    int r = sd_bus_open_system(bus);
    if (r < 0) {
        util_fmt(err, errlen, "cannot reach the system D-Bus: %s", strerror(-r));
        return -1;
    }
    return 0;
}

int udisks_available(void)
{
    sd_bus *bus = NULL;
    char err[160];
    if (open_bus(&bus, err, sizeof err) != 0)
        return 0;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    int has = 0;
    int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", &e, &reply, "s", UD_NAME);
    if (r >= 0 && sd_bus_message_read(reply, "b", &has) < 0)
        has = 0;
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    sd_bus_flush_close_unref(bus);
    return has != 0;
}

/* Reads a variant holding a string into out. */
static int read_str(sd_bus_message *m, char *out, size_t cap)
{
    const char *s = NULL;
    int r = sd_bus_message_read(m, "v", "s", &s);
    if (r >= 0 && s)
        util_strlcpy(out, s, cap);
    return r;
}

static int read_bool(sd_bus_message *m, int *out)
{
    int b = 0;
    int r = sd_bus_message_read(m, "v", "b", &b);
    if (r >= 0)
        *out = b != 0;
    return r;
}

/* A variant "ay" holding a NUL-terminated path (Block.Device). */
static int read_bytestring(sd_bus_message *m, char *out, size_t cap)
{
    int r = sd_bus_message_enter_container(m, 'v', "ay");
    if (r < 0)
        return r;
    const void *p = NULL;
    size_t n = 0;
    r = sd_bus_message_read_array(m, 'y', &p, &n);
    if (r >= 0) {
        size_t len = strnlen(p, n);
        if (len >= cap)
            len = cap - 1;
        memcpy(out, p, len);
        out[len] = '\0';
    }
    int r2 = sd_bus_message_exit_container(m);
    return r < 0 ? r : r2;
}

/* Filesystem.MountPoints, "aay": the first one. */
static int read_mount_points(sd_bus_message *m, char *out, size_t cap)
{
    int r = sd_bus_message_enter_container(m, 'v', "aay");
    if (r < 0)
        return r;
    r = sd_bus_message_enter_container(m, 'a', "ay");
    if (r < 0)
        return r;
    const void *p = NULL;
    size_t n = 0;
    while ((r = sd_bus_message_read_array(m, 'y', &p, &n)) > 0) {
        if (!out[0] && n > 0) {
            size_t len = strnlen(p, n);
            if (len < cap) {
                memcpy(out, p, len);
                out[len] = '\0';
            }
        }
    }
    if (r < 0)
        return r;
    r = sd_bus_message_exit_container(m);
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

/* One interface's properties (a{sv}) of one object, into b (a block) or d (a drive). */
static int read_props(sd_bus_message *m, const char *iface, ud_block *b, ud_drive *d)
{
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char *name = NULL;
        if ((r = sd_bus_message_read(m, "s", &name)) < 0)
            return r;
        int is_block = strcmp(iface, UD_BLOCK) == 0, is_fs = strcmp(iface, UD_FS) == 0;
        int is_drive = strcmp(iface, UD_DRIVE) == 0;
        if (is_block && strcmp(name, "Device") == 0)
            r = read_bytestring(m, b->device, sizeof b->device);
        else if (is_block && strcmp(name, "Drive") == 0) {
            const char *o = NULL;
            r = sd_bus_message_read(m, "v", "o", &o);
            if (r >= 0 && o)
                util_strlcpy(b->drive, o, sizeof b->drive);
        } else if (is_block && strcmp(name, "IdLabel") == 0)
            r = read_str(m, b->label, sizeof b->label);
        else if (is_block && strcmp(name, "Size") == 0) {
            uint64_t v = 0;
            r = sd_bus_message_read(m, "v", "t", &v);
            b->size = v;
        } else if (is_block && strcmp(name, "ReadOnly") == 0)
            r = read_bool(m, &b->readonly);
        else if (is_block && strcmp(name, "HintIgnore") == 0)
            r = read_bool(m, &b->hint_ignore);
        else if (is_block && strcmp(name, "HintSystem") == 0)
            r = read_bool(m, &b->hint_system);
        else if (is_fs && strcmp(name, "MountPoints") == 0)
            r = read_mount_points(m, b->mount, sizeof b->mount);
        else if (is_drive && strcmp(name, "ConnectionBus") == 0)
            r = read_str(m, d->bus, sizeof d->bus);
        else if (is_drive && strcmp(name, "Vendor") == 0)
            r = read_str(m, d->vendor, sizeof d->vendor);
        else if (is_drive && strcmp(name, "Model") == 0)
            r = read_str(m, d->model, sizeof d->model);
        else if (is_drive && strcmp(name, "Removable") == 0)
            r = read_bool(m, &d->removable);
        else if (is_drive && strcmp(name, "MediaRemovable") == 0)
            r = read_bool(m, &d->media_removable);
        else
            r = sd_bus_message_skip(m, "v");
        if (r < 0)
            return r;
        if ((r = sd_bus_message_exit_container(m)) < 0)
            return r;
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

/* GetManagedObjects: a{oa{sa{sv}}}, the blocks and drives it holds. */
static int read_objects(sd_bus_message *m, ud_objects *o)
{
    int r = sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}")) > 0) {
        const char *path = NULL;
        if ((r = sd_bus_message_read(m, "o", &path)) < 0)
            return r;
        ud_block b;
        ud_drive d;
        memset(&b, 0, sizeof b);
        memset(&d, 0, sizeof d);
        int is_block = 0, is_drive = 0;
        if ((r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}")) < 0)
            return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
            const char *iface = NULL;
            if ((r = sd_bus_message_read(m, "s", &iface)) < 0)
                return r;
            is_block |= strcmp(iface, UD_BLOCK) == 0;
            is_drive |= strcmp(iface, UD_DRIVE) == 0;
            b.has_fs |= strcmp(iface, UD_FS) == 0;
            if ((r = read_props(m, iface, &b, &d)) < 0)
                return r;
            if ((r = sd_bus_message_exit_container(m)) < 0)
                return r;
        }
        if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
            (r = sd_bus_message_exit_container(m)) < 0)
            return r;
        if (is_block && o->n_blocks < UD_MAX_OBJS) {
            util_strlcpy(b.path, path, sizeof b.path);
            o->blocks[o->n_blocks++] = b;
        } else if (is_drive && o->n_drives < UD_MAX_OBJS) {
            util_strlcpy(d.path, path, sizeof d.path);
            o->drives[o->n_drives++] = d;
        }
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(m);
}

static const ud_drive *find_drive(const ud_objects *o, const char *path)
{
    for (int i = 0; i < o->n_drives; i++)
        if (strcmp(o->drives[i].path, path) == 0)
            return &o->drives[i];
    return NULL;
}

int udisks_list(udisks_fs *out, int max, char *err, size_t errlen)
{
    sd_bus *bus = NULL;
    if (open_bus(&bus, err, errlen) != 0)
        return -1;
    sd_bus_message *call = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(
        bus, &call, UD_NAME, UD_ROOT, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects");
    if (r >= 0)
        r = sd_bus_call(bus, call, LIST_TIMEOUT_US, &e, &reply);
    ud_objects *o = xcalloc(1, sizeof *o);
    if (r >= 0)
        r = read_objects(reply, o);
    int n = -1;
    if (r < 0) {
        util_fmt(err, errlen, "udisks2: listing the drives failed: %s",
                 sd_bus_error_is_set(&e) ? e.message : strerror(-r));
    } else {
        n = 0;
        for (int i = 0; i < o->n_blocks && n < max; i++) {
            const ud_block *b = &o->blocks[i];
            const ud_drive *d = b->drive[0] ? find_drive(o, b->drive) : NULL;
            /* A filesystem on a USB or removable drive, not one udisks itself hides. */
            if (!b->has_fs || b->hint_ignore || b->hint_system || !d ||
                !(strcmp(d->bus, "usb") == 0 || d->removable || d->media_removable))
                continue;
            udisks_fs *f = &out[n++];
            memset(f, 0, sizeof *f);
            util_strlcpy(f->block, b->path, sizeof f->block);
            util_strlcpy(f->drive, d->path, sizeof f->drive);
            util_strlcpy(f->device, b->device, sizeof f->device);
            util_strlcpy(f->mount, b->mount, sizeof f->mount);
            f->size = b->size;
            f->readonly = b->readonly;
            if (b->label[0])
                util_strlcpy(f->label, b->label, sizeof f->label);
            else
                util_fmt(f->label, sizeof f->label, "%s%s%s", d->vendor,
                         d->vendor[0] && d->model[0] ? " " : "", d->model);
            if (!f->label[0])
                util_strlcpy(f->label, "USB", sizeof f->label);
        }
    }
    free(o);
    sd_bus_message_unref(reply);
    sd_bus_message_unref(call);
    sd_bus_error_free(&e);
    sd_bus_flush_close_unref(bus);
    return n;
}

/* The outcome of a failed call, by udisks2's error name. */
static udisks_rc classify(const sd_bus_error *e, int r, const char *what, char *err, size_t errlen)
{
    const char *name = sd_bus_error_is_set(e) ? e->name : "";
    util_fmt(err, errlen, "udisks2: %s: %s%s%s%s", what,
             sd_bus_error_is_set(e) ? e->message : strerror(-r), name[0] ? " (" : "", name,
             name[0] ? ")" : "");
    if (strncmp(name, UD_ERR "NotAuthorized", strlen(UD_ERR "NotAuthorized")) == 0 ||
        strcmp(name, "org.freedesktop.DBus.Error.AccessDenied") == 0)
        return UDISKS_NOT_AUTHORIZED;
    if (strcmp(name, UD_ERR "DeviceBusy") == 0)
        return UDISKS_BUSY;
    return UDISKS_FAILED;
}

/* Calls iface.method(a{sv} options) on path, with "auth.no_user_interaction": no polkit prompt can
 * appear on a kiosk. *reply (may be NULL) gets the answer. */
static udisks_rc call(const char *path, const char *iface, const char *method,
                      sd_bus_message **reply, const char *what, char *err, size_t errlen)
{
    sd_bus *bus = NULL;
    if (open_bus(&bus, err, errlen) != 0)
        return UDISKS_FAILED;
    sd_bus_message *m = NULL, *ans = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(bus, &m, UD_NAME, path, iface, method);
    if (r >= 0)
        r = sd_bus_message_append(m, "a{sv}", 1, "auth.no_user_interaction", "b", 1);
    if (r >= 0)
        r = sd_bus_call(bus, m, CALL_TIMEOUT_US, &e, &ans);
    udisks_rc rc = r >= 0 ? UDISKS_OK : classify(&e, r, what, err, errlen);
    if (reply && rc == UDISKS_OK)
        *reply = sd_bus_message_ref(ans);
    sd_bus_message_unref(ans);
    sd_bus_message_unref(m);
    sd_bus_error_free(&e);
    sd_bus_flush_close_unref(bus);
    return rc;
}

udisks_rc udisks_mount(const udisks_fs *fs, char *path, size_t cap, char *err, size_t errlen)
{
    if (fs->mount[0])
        return util_strlcpy(path, fs->mount, cap) == 0 ? UDISKS_OK : UDISKS_FAILED;
    sd_bus_message *reply = NULL;
    char what[200];
    util_fmt(what, sizeof what, "mounting %s", fs->device[0] ? fs->device : fs->block);
    udisks_rc rc = call(fs->block, UD_FS, "Mount", &reply, what, err, errlen);
    if (rc == UDISKS_OK) {
        const char *p = NULL;
        if (sd_bus_message_read(reply, "s", &p) < 0 || !p || !p[0] ||
            util_strlcpy(path, p, cap) != 0) {
            util_fmt(err, errlen, "udisks2: %s: no mount point in the answer", what);
            rc = UDISKS_FAILED;
        }
    }
    sd_bus_message_unref(reply);
    return rc;
}

udisks_rc udisks_unmount(const udisks_fs *fs, char *err, size_t errlen)
{
    char what[200];
    util_fmt(what, sizeof what, "unmounting %s", fs->device[0] ? fs->device : fs->block);
    return call(fs->block, UD_FS, "Unmount", NULL, what, err, errlen);
}

udisks_rc udisks_power_off(const udisks_fs *fs, char *err, size_t errlen)
{
    char what[200];
    util_fmt(what, sizeof what, "powering off %s", fs->drive);
    udisks_rc rc = call(fs->drive, UD_DRIVE, "PowerOff", NULL, what, err, errlen);
    if (rc == UDISKS_FAILED) {
        util_fmt(what, sizeof what, "ejecting %s", fs->drive);
        rc = call(fs->drive, UD_DRIVE, "Eject", NULL, what, err, errlen);
    }
    return rc;
}
