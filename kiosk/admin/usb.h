/* usb: finds USB sticks to export to. Through udisks2 when it is on the system bus (the kiosk
 * session under cage: the sticks need not be mounted, the export mounts one itself, udisks.h);
 * else mount points under /media, /run/media or /mnt in /proc/mounts whose disk sysfs calls
 * removable or sits on USB (a desktop's automounter). Tests point it at a folder with
 * HAILONG_USB_DIR. No SDL. */
#ifndef HL_USB_H
#define HL_USB_H

#include <limits.h>
#include <stdint.h>

#include "udisks.h"

#define USB_MAX_DRIVES 8

typedef struct {
    char path[PATH_MAX];              /* the mount point (or HAILONG_USB_DIR) */
    char label[64];                   /* its last path component, for the screen */
    char device[64];                  /* "/dev/sdb1"; "" for HAILONG_USB_DIR */
    int readonly;                     /* mounted read-only: nothing can be written */
    uint64_t free_bytes, total_bytes; /* 0 when unknown */
    /* Found through udisks2: path is "" until the export mounts it, and after the export the
     * stick is unmounted and powered off. */
    int via_udisks;
    udisks_fs ud;
} usb_drive;

/* Fills out with up to max drives and returns how many. With HAILONG_USB_DIR set (non-empty) that
 * folder is the only drive, if it exists. */
int usb_find(usb_drive *out, int max);
/* The same reading mounts (a /proc/mounts file) and sys_root (normally "/sys"), for tests. */
int usb_find_in(const char *mounts, const char *sys_root, usb_drive *out, int max);

#endif
