/* Message framing: finds where each MessagePack message ends in a byte
 * stream and enforces the limits (message size, nesting depth, string
 * length, element count) before msgpack-c sees the message.
 *
 * Why a scanner in front of msgpack-c's streaming unpacker: the unpacker
 * allocates an array's or map's declared size when it reads the header, so
 * five bytes (dd ff ff ff ff) would ask for 96 GiB, and it has no limits of
 * its own.  The scanner keeps O(depth) state, consumes bytes in any chunking,
 * and says "complete" only when a whole message is in the unpacker's buffer;
 * by then every declared element is backed by bytes, so msgpack-c allocates
 * at most a small multiple of the message size.  Workload: one pass per
 * received byte, no allocation. */
#include <stdio.h>
#include <string.h>

#include "server_int.h"

void cv__server_frame_init(cv__frame *f, size_t max_bytes, size_t max_str, unsigned max_depth)
{
    memset(f, 0, sizeof *f);
    f->max_bytes = max_bytes;
    f->max_str = max_str;
    f->max_depth = max_depth > CV__MAX_DEPTH ? CV__MAX_DEPTH : max_depth;
    /* msgpack-c spends 24 bytes on each object, and an array of nils takes
     * one byte per object: without this bound a 64 MiB message could make it
     * allocate 1.5 GiB.  A quarter of the byte limit still admits a 4000 x
     * 4000 matrix of small integers in a 64 MiB request. */
    f->max_items = max_bytes / 4 > 4096 ? max_bytes / 4 : 4096;
}

bool cv__server_frame_idle(const cv__frame *f)
{
    return f->msg_bytes == 0;
}

static uint64_t be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/* Extra header bytes after the type byte b (lengths/counts only; fixed-size
 * scalars are treated as payload). */
static unsigned header_extra(uint8_t b)
{
    switch (b) {
    case 0xc4:
    case 0xd9:
        return 1; /* bin8, str8 */
    case 0xc5:
    case 0xda:
    case 0xdc:
    case 0xde:
        return 2; /* bin16, str16, array16, map16 */
    case 0xc6:
    case 0xdb:
    case 0xdd:
    case 0xdf:
        return 4; /* bin32, str32, array32, map32 */
    case 0xc7:
        return 2; /* ext8: len, type */
    case 0xc8:
        return 3; /* ext16 */
    case 0xc9:
        return 5; /* ext32 */
    default:
        return 0;
    }
}

/* One element finished: pops every container it completes.  Returns true
 * when the top-level object (the message) is complete. */
static bool element_done(cv__frame *f)
{
    while (f->depth > 0) {
        if (--f->remaining[f->depth - 1] > 0) return false;
        f->depth--;
    }
    return true;
}

/* The header in f->hdr is complete: classify it.  Returns 1 when the message
 * completed, 0 to continue, -1 on error. */
static int header_done(cv__frame *f, char *err, size_t errlen)
{
    uint8_t b = f->hdr[0];
    const uint8_t *x = f->hdr + 1;
    uint64_t payload = 0, count = 0;
    bool container = false;
    f->hdr_have = f->hdr_need = 0;
    if (++f->items > f->max_items) {
        snprintf(err, errlen, "message has more than %zu objects", f->max_items);
        return -1;
    }
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        payload = 0;
    } else if (b >= 0x80 && b <= 0x8f) {
        container = true, count = 2 * (uint64_t)(b & 0x0f);
    } else if (b >= 0x90 && b <= 0x9f) {
        container = true, count = b & 0x0f;
    } else if (b >= 0xa0 && b <= 0xbf) {
        payload = b & 0x1f;
    } else {
        switch (b) {
        case 0xc1:
            snprintf(err, errlen, "byte 0xc1 is not valid MessagePack");
            return -1;
        case 0xc4:
        case 0xc5:
        case 0xc6:
        case 0xd9:
        case 0xda:
        case 0xdb:
            payload = be(x, header_extra(b));
            if (payload > f->max_str) {
                snprintf(err, errlen, "%s of %llu bytes exceeds the limit of %zu bytes",
                         b >= 0xd9 ? "string" : "binary value", (unsigned long long)payload,
                         f->max_str);
                return -1;
            }
            break;
        case 0xc7:
        case 0xc8:
        case 0xc9:
            payload = be(x, header_extra(b) - 1);
            if (payload > f->max_str) {
                snprintf(err, errlen,
                         "extension value of %llu bytes exceeds the limit of %zu bytes",
                         (unsigned long long)payload, f->max_str);
                return -1;
            }
            break;
        case 0xca:
            payload = 4;
            break;
        case 0xcb:
            payload = 8;
            break;
        case 0xcc:
        case 0xd0:
            payload = 1;
            break;
        case 0xcd:
        case 0xd1:
            payload = 2;
            break;
        case 0xce:
        case 0xd2:
            payload = 4;
            break;
        case 0xcf:
        case 0xd3:
            payload = 8;
            break;
        case 0xd4:
            payload = 2;
            break;
        case 0xd5:
            payload = 3;
            break;
        case 0xd6:
            payload = 5;
            break;
        case 0xd7:
            payload = 9;
            break;
        case 0xd8:
            payload = 17;
            break;
        case 0xdc:
        case 0xdd:
            container = true, count = be(x, header_extra(b));
            break;
        case 0xde:
        case 0xdf:
            container = true, count = 2 * be(x, header_extra(b));
            break;
        default:
            break;
        }
    }
    if (container) {
        if (count == 0) return element_done(f) ? 1 : 0;
        /* Every element needs at least one more byte. */
        if (count > f->max_bytes - f->msg_bytes) {
            snprintf(err, errlen,
                     "a container declares %llu elements, more than the message size limit "
                     "(%zu bytes) can hold",
                     (unsigned long long)count, f->max_bytes);
            return -1;
        }
        if (f->depth >= f->max_depth) {
            snprintf(err, errlen, "nesting deeper than %u levels", f->max_depth);
            return -1;
        }
        f->remaining[f->depth++] = count;
        return 0;
    }
    if (payload > f->max_bytes - f->msg_bytes) {
        snprintf(err, errlen, "message larger than the limit of %zu bytes", f->max_bytes);
        return -1;
    }
    if (payload == 0) return element_done(f) ? 1 : 0;
    f->skip = payload;
    f->skip_is_item = true;
    return 0;
}

cv_status cv__server_frame_scan(cv__frame *f, const uint8_t *p, size_t len, size_t *used,
                                bool *complete, char *err, size_t errlen)
{
    size_t i = 0;
    *complete = false;
    while (i < len) {
        if (f->skip > 0) {
            size_t n = len - i;
            if (n > f->skip) n = (size_t)f->skip;
            f->skip -= n;
            f->msg_bytes += n;
            i += n;
            if (f->skip == 0 && f->skip_is_item) {
                f->skip_is_item = false;
                if (element_done(f)) goto message;
            }
            continue;
        }
        if (f->msg_bytes >= f->max_bytes) {
            snprintf(err, errlen, "message larger than the limit of %zu bytes", f->max_bytes);
            *used = i;
            return CV_ETOOBIG;
        }
        uint8_t b = p[i++];
        f->msg_bytes++;
        if (f->hdr_have == 0) {
            f->hdr[0] = b;
            f->hdr_have = 1;
            f->hdr_need = 1 + header_extra(b);
        } else {
            f->hdr[f->hdr_have++] = b;
        }
        if (f->hdr_have < f->hdr_need) continue;
        int r = header_done(f, err, errlen);
        if (r < 0) {
            *used = i;
            return f->hdr[0] == 0xc1 ? CV_EFORMAT : CV_ETOOBIG;
        }
        if (r == 1) goto message;
        continue;
    message:
        *used = i;
        *complete = true;
        f->msg_bytes = 0;
        f->items = 0;
        f->depth = 0;
        return CV_OK;
    }
    *used = i;
    return CV_OK;
}
