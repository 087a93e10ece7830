/*
 * checksum.c - the checksum recorded for every applied migration:
 * "sha256-lf:<hex>" over the file with CRLF folded to LF, so a checkout on
 * Windows (autocrlf) does not look like an edited migration.
 */
#include "source/formats.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "sha256-lf:"
#define SHA256_SIZE 32

/* OpenSSL 3 looks the algorithm up in its provider tables on every
 * EVP_sha256()-based digest, which cost a status over 10,000 files a lock
 * and a lookup per file; the digest is fetched once instead. */
static EVP_MD *sha256_md;
/* A digest context per thread, reused for every file it hashes and freed
 * when the thread ends. */
static pthread_key_t ctx_key;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void free_ctx(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    pthread_key_create(&ctx_key, free_ctx);
}

static EVP_MD_CTX *begin(void)
{
    pthread_once(&sha256_once, fetch_sha256);
    EVP_MD_CTX *ctx = pthread_getspecific(ctx_key);
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        if (!ctx || pthread_setspecific(ctx_key, ctx) != 0) {
            EVP_MD_CTX_free(ctx);
            return NULL;
        }
    }
    const EVP_MD *md = sha256_md ? sha256_md : EVP_sha256();
    return EVP_DigestInit_ex2(ctx, md, NULL) == 1 ? ctx : NULL;
}

static void finish(EVP_MD_CTX *ctx, unsigned char md[SHA256_SIZE])
{
    unsigned int n = 0;
    if (!ctx || EVP_DigestFinal_ex(ctx, md, &n) != 1)
        memset(md, 0, SHA256_SIZE);
}

void sha256_digest(unsigned char out[32], const void *data, size_t len)
{
    EVP_MD_CTX *ctx = begin();
    if (ctx)
        EVP_DigestUpdate(ctx, data, len);
    finish(ctx, out);
}

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
    unsigned char md[SHA256_SIZE];
    EVP_MD_CTX *ctx = begin();
    if (ctx)
        update_folded(ctx, data, len);
    finish(ctx, md);
    to_hex(out, md, sizeof(md));
}

int checksum_files(char **out, const char *up, size_t uplen, const char *down, size_t downlen)
{
    unsigned char md[SHA256_SIZE];
    *out = NULL;
    EVP_MD_CTX *ctx = begin();
    if (ctx) {
        EVP_DigestUpdate(ctx, up, uplen);
        if (down) {
            EVP_DigestUpdate(ctx, "\n", 1);
            EVP_DigestUpdate(ctx, down, downlen);
        }
    }
    finish(ctx, md);
    char *s = malloc(sizeof(PREFIX) + 2 * sizeof(md));
    if (!s)
        return DBSHIFT_ENOMEM;
    to_hex(s, md, sizeof(md));
    *out = s;
    return 0;
}
