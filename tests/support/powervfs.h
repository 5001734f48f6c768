/* powervfs: a SQLite VFS for tests that wraps the default one and plays a power cut. What SQLite
 * writes to a file since that file's last xSync lives only in memory, as in the operating system's
 * page cache; cutting the power decides which of those writes the disk got (none, a random
 * subset, one of them torn), so the files left behind are what a real power cut could leave. */
#ifndef HL_POWERVFS_H
#define HL_POWERVFS_H

#include <stdint.h>

#define POWERVFS_NAME "hl-powervfs"

/* What the disk got of the writes not yet synced when the power went. */
typedef struct {
    /* The chance (0..100) that each unsynced write or truncate reached the disk anyway, in any
     * order: the kernel writes dirty pages back when it likes. 0 = only what was synced. */
    int keep_percent;
    /* The last write before the cut was in flight: only a prefix of it (cut at a random byte)
     * reached the disk, the rest of its range keeps the old bytes. */
    int tear;
    /* A lost write past the end of the file may still have made the file longer, the new part
     * zeros (the size reached the disk, the data did not: SQLite's unix VFS does not claim
     * SQLITE_IOCAP_SAFE_APPEND). */
    int zero_extend;
    /* With tear: a disk without powersafe overwrite, which spoils (zeros) the whole 512-byte
     * sector the write stopped in, bytes outside the write included. SQLite's unix VFS assumes
     * the opposite unless a database is opened with psow=0. */
    int no_psow;
    uint64_t seed; /* the choices above */
} powervfs_cut_opts;

/* Figures since powervfs_register, for the test's report. */
typedef struct {
    long cuts;
    long syncs;         /* xSync calls that reached the disk */
    long synced_writes; /* writes and truncates the disk got through a sync */
    long lost;          /* unsynced writes and truncates a cut dropped */
    long kept;          /* unsynced ones a cut let through whole */
    long torn;          /* unsynced writes a cut let through in part */
    long extended;      /* files a cut left longer with zeros */
    long spoiled;       /* sectors a torn write spoiled beyond its own range (no_psow) */
    long after_cut;     /* writes and truncates after the power went (never on disk) */
} powervfs_stats;

/* Registers the VFS under POWERVFS_NAME (not as the default); safe to call again. 0 on success.
 * The files it opens must not be written through another VFS until powervfs_restart. */
int powervfs_register(void);

/* The power fails at the n-th write, truncate or sync (1-based, counted on the files this VFS
 * holds, temporary files aside) from now: just before it, or with after = 1 just after it (a sync
 * done, the call not yet returned). o decides what the disk keeps. n <= 0 disarms. */
void powervfs_arm(long n, int after, const powervfs_cut_opts *o);

/* The power fails now. */
void powervfs_cut(const powervfs_cut_opts *o);

/* 1 once the power has failed: from then on the program runs on as a ghost whose writes, syncs
 * and deletes never reach the disk (so the call in flight returns, and the connections can be
 * closed), until powervfs_restart. */
int powervfs_off(void);

/* Writes, truncates and syncs counted since the last powervfs_restart (power on only). */
long powervfs_events(void);

/* The machine starts again: after a cut the files are what the cut left (and -shm, which is
 * memory, is gone); without a cut it is a clean shutdown, every pending write reaching the disk
 * first. Forgets every file. Every connection through this VFS must be closed. 0, or -1 when a
 * file is still open. */
int powervfs_restart(void);

void powervfs_stats_get(powervfs_stats *out);

/* Tests of the test only: 1 makes xSync do nothing (a disk that acknowledges a flush it never
 * did), so a test can prove its checks notice lost data. */
void powervfs_set_lying_sync(int on);

#endif
