/* udisks: USB sticks through udisks2 on the system D-Bus (sd-bus), for the locked kiosk session
 * where no desktop automounter runs: list the removable USB filesystems, mount one for the export,
 * unmount it and power the stick off afterwards so it may be pulled. The package's polkit rule
 * lets the kiosk's user do exactly that (docs/DEPLOY.md, "USB export"). Blocking calls: the
 * export runs them on its worker thread; only the listing (one local round trip, short timeout)
 * runs on the UI thread. DBUS_SYSTEM_BUS_ADDRESS moves the bus (the tests' private one). No SDL. */
#ifndef HL_UDISKS_H
#define HL_UDISKS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char block[160];      /* the block device's object path (…/block_devices/sdb1) */
    char drive[160];      /* its drive's object path (…/drives/Kingston_…) */
    char device[64];      /* "/dev/sdb1" */
    char label[64];       /* the filesystem's label, else the drive's vendor and model */
    char mount[PATH_MAX]; /* where it is mounted now, "" when not mounted */
    uint64_t size;        /* bytes, 0 when unknown */
    int readonly;
} udisks_fs;

/* What a call came to (udisks_mount, udisks_unmount, udisks_power_off). */
typedef enum {
    UDISKS_OK = 0,
    UDISKS_FAILED,         /* any other error, err says it */
    UDISKS_BUSY,           /* the filesystem is in use: not unmounted */
    UDISKS_NOT_AUTHORIZED, /* polkit said no: the package's rule is missing */
} udisks_rc;

/* 1 when udisks2 is on the system bus (org.freedesktop.UDisks2 has an owner). */
int udisks_available(void);

/* The filesystems on removable USB drives (not those udisks hides, nor system disks), up to max.
 * Returns how many, or -1 with err set. */
int udisks_list(udisks_fs *out, int max, char *err, size_t errlen);

/* Mounts fs (or finds where it is mounted already) without any password prompt; path gets the
 * mount point. */
udisks_rc udisks_mount(const udisks_fs *fs, char *path, size_t cap, char *err, size_t errlen);

/* Unmounts fs (every mount point of it). */
udisks_rc udisks_unmount(const udisks_fs *fs, char *err, size_t errlen);

/* Powers the drive off (the stick's light goes out: it may be pulled); if the drive cannot be
 * powered off, ejects its medium instead. */
udisks_rc udisks_power_off(const udisks_fs *fs, char *err, size_t errlen);

#endif
