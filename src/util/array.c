/*
 * array.c - geometric growth of malloc'd arrays; see array.h.
 */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void *items_ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t want = *cap ? *cap : 16;
    while (want < need) {
        if (want > SIZE_MAX / 2)
            return -1;
        want *= 2;
    }
    if (elem && want > SIZE_MAX / elem)
        return -1;
    void *items;
    memcpy(&items, items_ptr, sizeof(items));
    void *grown = realloc(items, want * elem);
    if (!grown)
        return -1;
    memcpy(items_ptr, &grown, sizeof(grown));
    *cap = want;
    return 0;
}
