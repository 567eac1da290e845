#ifndef TRIAGE_CZLIB_SHIM_H
#define TRIAGE_CZLIB_SHIM_H
#include <stddef.h>
#include <zlib.h>

// inflateInit2/deflateInit2 are function-like macros; Swift cannot import them.
static inline int triage_inflateInit2(z_streamp strm, int windowBits) {
  return inflateInit2(strm, windowBits);
}

static inline int triage_deflateInit2(z_streamp strm, int level, int windowBits) {
  return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

// memmem is a GNU extension that Swift's Glibc module hides (it sits behind _GNU_SOURCE).
// Declared here so the byte scanners can use glibc's SIMD implementation.
void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);

static inline const void *triage_memmem(const void *haystack, size_t haystackLength,
                                        const void *needle, size_t needleLength) {
  return memmem(haystack, haystackLength, needle, needleLength);
}
#endif
