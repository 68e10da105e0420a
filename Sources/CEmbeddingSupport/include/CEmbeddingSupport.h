// CEmbeddingSupport: the one CPU hint Swift cannot express, for the Embedding module's matmul kernel.
#ifndef VECNODE_CEMBEDDINGSUPPORT_H
#define VECNODE_CEMBEDDINGSUPPORT_H

/// Hints the CPU to fetch the cache line at `p` into all cache levels (x86 PREFETCHT0). Never faults, so it
/// may point past the end of a buffer. Inlined into Swift callers.
static inline __attribute__((always_inline)) void vecnode_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

#endif
