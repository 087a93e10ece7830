/*
 * checksum.c - the checksum recorded for every applied migration:
 * "sha256-lf:<hex>" over the file with CRLF folded to LF, so a checkout on
 * Windows (autocrlf) does not look like an edited migration.
 */
#include "source/formats.h"
#include "source/sha256.h"

#include <stdlib.h>
#include <string.h>

#define PREFIX "sha256-lf:"

static void to_hex(char *out, const unsigned char *md, size_t mdlen)
{
    static const char digits[] = "0123456789abcdef";
    memcpy(out, PREFIX, sizeof(PREFIX) - 1);
    out += sizeof(PREFIX) - 1;
    for (size_t i = 0; i < mdlen; i++) {
        *out++ = digits[md[i] >> 4];
        *out++ = digits[md[i] & 15];
    }
    *out = '\0';
}

/* Feeds data with every CRLF pair folded to LF, in runs between pairs so
 * the data is never copied. */
static void update_folded(sha256_ctx *ctx, const unsigned char *p, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\r' && p[i + 1] == '\n') {
            sha256_update(ctx, p + start, i - start);
            start = i + 1;
            i++;
        }
    }
    sha256_update(ctx, p + start, len - start);
}

void checksum_lf(char out[80], const void *data, size_t len)
{
    unsigned char md[SHA256_SIZE];
    sha256_ctx ctx;
    sha256_init(&ctx);
    update_folded(&ctx, data, len);
    sha256_final(&ctx, md);
    to_hex(out, md, sizeof(md));
}

int checksum_files(char **out, const char *up, size_t uplen, const char *down, size_t downlen)
{
    unsigned char md[SHA256_SIZE];
    *out = NULL;
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, up, uplen);
    if (down) {
        sha256_update(&ctx, "\n", 1);
        sha256_update(&ctx, down, downlen);
    }
    sha256_final(&ctx, md);
    char *s = malloc(sizeof(PREFIX) + 2 * sizeof(md));
    if (!s)
        return DBSHIFT_ENOMEM;
    to_hex(s, md, sizeof(md));
    *out = s;
    return 0;
}
