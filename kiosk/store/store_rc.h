/* store_rc: the one result every fallible function of the store returns, the kiosk's connection
 * (store.h) and the read-only reader (store_read.h) alike. */
#ifndef HL_STORE_RC_H
#define HL_STORE_RC_H

typedef enum {
    /* Done: the row was found, the batch is in *out, the results were applied. */
    STORE_OK = 0,
    /* Nothing found or nothing to do, which is not a failure: store_get_vote and
     * store_setting_get found no such row; store_sync_freeze has nothing to send;
     * store_sync_apply's results named none of the batch's votes (nothing was changed). */
    STORE_NONE = 1,
    /* A failure. The message is in store_last_error (the reader has none) and in err where the
     * function takes one. Negative, and not HL_EXIT_RUNTIME: a caller that ends with an exit code
     * maps it to HL_EXIT_RUNTIME itself, so "not found" (1) is never taken for a failure. */
    STORE_ERROR = -1,
    /* A failure like STORE_ERROR for one cause: votes.db has a schema newer than this program
     * knows (a newer hailong-kiosk upgraded it). The message names the version to install. Only
     * the functions that open the file return it; a program ends with HL_EXIT_USAGE for it, as
     * for a configuration that does not fit (installing the right version is the fix, not a
     * retry). */
    STORE_NEWER_SCHEMA = -2,
} store_rc;

#endif
