/*
 * checksum.c - the checksum recorded for every applied migration:
 * "sha256-lf:<hex>" over the file with CRLF folded to LF, so a checkout on
 * Windows (autocrlf) does not look like an edited migration.
 */
#include "source/formats.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "sha256-lf:"

static void to_hex(char *out, const unsigned char *md, unsigned int mdlen)
{
    static const char digits[] = "0123456789abcdef";
    memcpy(out, PREFIX, sizeof(PREFIX) - 1);
    out += sizeof(PREFIX) - 1;
    for (unsigned int i = 0; i < mdlen; i++) {
        *out++ = digits[md[i] >> 4];
        *out++ = digits[md[i] & 15];
    }
    *out = '\0';
}

/* Feeds data with every CRLF pair folded to LF, in runs between pairs so
 * the data is never copied. */
static void update_folded(EVP_MD_CTX *ctx, const unsigned char *p, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\r' && p[i + 1] == '\n') {
            EVP_DigestUpdate(ctx, p + start, i - start);
            start = i + 1;
            i++;
        }
    }
    EVP_DigestUpdate(ctx, p + start, len - start);
}

void checksum_lf(char out[80], const void *data, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        /* No way to report from this signature; an empty checksum never
         * matches a recorded one, so nothing is silently accepted. */
        EVP_MD_CTX_free(ctx);
        out[0] = '\0';
        return;
    }
    update_folded(ctx, data, len);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    to_hex(out, md, mdlen);
}

int checksum_files(char **out, const char *up, size_t uplen, const char *down, size_t downlen)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    *out = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return DBSHIFT_ENOMEM;
    int ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, up, uplen);
    if (ok && down)
        ok = EVP_DigestUpdate(ctx, "\n", 1) && EVP_DigestUpdate(ctx, down, downlen);
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return DBSHIFT_ERROR;
    char *s = malloc(sizeof(PREFIX) + 2 * (size_t)mdlen);
    if (!s)
        return DBSHIFT_ENOMEM;
    to_hex(s, md, mdlen);
    *out = s;
    return 0;
}
