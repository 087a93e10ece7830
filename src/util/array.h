/*
 * array.h - growing a malloc'd array geometrically. Growing by one element
 * per append costs a copy of the whole array each time under allocators that
 * never extend in place (AddressSanitizer's, for one), which made 100,000
 * migrations quadratic.
 */
#ifndef DBSHIFT_UTIL_ARRAY_H
#define DBSHIFT_UTIL_ARRAY_H

#include <stddef.h>

/* Makes room for need elements of elem bytes in the array *items_ptr (a
 * pointer to the array pointer), whose capacity is *cap. Returns 0, or -1
 * when out of memory, leaving the array as it was. */
int array_reserve(void *items_ptr, size_t *cap, size_t need, size_t elem);

#endif
