/* wire_gzip: the protocol's gzip (RFC 1952) through zlib, with the collector's limit on what a
 * body may inflate to. Part of the wire module (wire.h). */
#include "wire.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int wire_gzip(const void *in, size_t len, void **out, size_t *out_len)
{
    if (len > UINT32_MAX)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip wrapper (RFC 1952), as Content-Encoding: gzip requires. */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)len);
    unsigned char *o = xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t got = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(o);
        return -1;
    }
    *out = o;
    *out_len = got;
    return 0;
}

int wire_gunzip_ex(const void *in, size_t len, size_t max_out, void **out, size_t *out_len,
                   char *err, size_t errlen)
{
    *out = NULL;
    *out_len = 0;
    if (len > UINT32_MAX || max_out > UINT32_MAX / 2) {
        util_fmt(err, errlen, "gzip: input or limit too large");
        return -1;
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) {
        util_fmt(err, errlen, "gzip: cannot start the decompressor");
        return -1;
    }
    size_t cap = len * 4 + 1024;
    if (cap > max_out + 1)
        cap = max_out + 1;
    unsigned char *o = xmalloc(cap + 1);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    int rc = Z_OK, result = 0;
    for (;;) {
        if (z.total_out == cap) {
            if (cap > max_out) {
                util_fmt(err, errlen, "body: decompresses to more than %zu bytes", max_out);
                result = -2;
                break;
            }
            cap = cap * 2 > max_out + 1 ? max_out + 1 : cap * 2;
            o = xrealloc(o, cap + 1);
        }
        z.next_out = o + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            break;
        if (rc == Z_BUF_ERROR && z.avail_out > 0) {
            util_fmt(err, errlen, "gzip: the stream is truncated");
            result = -1;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            util_fmt(err, errlen, "gzip: %s", z.msg ? z.msg : "corrupt data");
            result = -1;
            break;
        }
    }
    if (result == 0 && z.total_out > max_out) {
        util_fmt(err, errlen, "body: decompresses to more than %zu bytes", max_out);
        result = -2;
    }
    if (result == 0 && z.avail_in != 0) {
        util_fmt(err, errlen, "gzip: %u bytes of trailing data after the stream",
                 (unsigned)z.avail_in);
        result = -1;
    }
    size_t got = z.total_out;
    inflateEnd(&z);
    if (result != 0) {
        free(o);
        return result;
    }
    o[got] = '\0'; /* convenience for text bodies; not counted in out_len */
    *out = o;
    *out_len = got;
    return 0;
}

int wire_gunzip(const void *in, size_t len, size_t max_out, void **out, size_t *out_len)
{
    return wire_gunzip_ex(in, len, max_out, out, out_len, NULL, 0) == 0 ? 0 : -1;
}
