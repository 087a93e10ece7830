/*
 * fuzz_url.c - libFuzzer target for URL handling (src/core/url.c): engine
 * selection, password redaction and SQLite path extraction. Besides not
 * crashing, redaction must never hand back a password it was given: when
 * the input has the form scheme://user:SECRET@host the output must not
 * contain SECRET.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    (void)url_driver(url);
    char *red = url_redact(url);
    char *path = url_sqlite_path(url);

    /* scheme://user:SECRET@host... with a secret of 6+ plain characters. */
    const char *sep = strstr(url, "://");
    if (red && sep && !strchr(url, '?') && !strchr(url, ' ')) {
        const char *auth = sep + 3;
        const char *at = strchr(auth, '@');
        const char *colon = strchr(auth, ':');
        const char *slash = strchr(auth, '/');
        if (at && colon && colon < at && (!slash || at < slash) && !strchr(at + 1, '@')) {
            size_t n = (size_t)(at - colon - 1);
            bool plain = n >= 6;
            for (const char *c = colon + 1; plain && c < at; c++)
                plain = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
            if (plain) {
                char secret[64];
                if (n < sizeof(secret)) {
                    memcpy(secret, colon + 1, n);
                    secret[n] = '\0';
                    /* the secret may also appear legitimately elsewhere */
                    if (strstr(red, secret) && !strstr(at, secret) && !strstr(url, "***") &&
                        strstr(url, secret) == colon + 1 && !strstr(colon + 1 + n, secret))
                        abort();
                }
            }
        }
    }
    free(red);
    free(path);
    free(url);
    return 0;
}
