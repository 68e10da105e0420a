// CVecSupport — the few CPU primitives Swift's standard library does not expose, as static inline functions
// that the Swift compiler imports and inlines (no call overhead): cache prefetch and relaxed/acquire/release
// atomics on plain memory (used by the HNSW graph, whose link lists live in raw buffers).
#ifndef CVECSUPPORT_H
#define CVECSUPPORT_H
#include <stdint.h>

/// Hints the CPU to bring the cache line at `p` into L1 (read access, high temporal locality).
static inline void vec_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Atomic 32-bit load with acquire ordering from plain memory (must be 4-byte aligned).
static inline uint32_t vec_load_acquire_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

/// Atomic 32-bit load with relaxed ordering.
static inline uint32_t vec_load_relaxed_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

/// Atomic 32-bit store with release ordering to plain memory (must be 4-byte aligned).
static inline void vec_store_release_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/// Atomic 32-bit store with relaxed ordering.
static inline void vec_store_relaxed_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

/// Atomic 64-bit load with acquire ordering (8-byte aligned).
static inline uint64_t vec_load_acquire_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

/// Atomic 64-bit store with release ordering (8-byte aligned).
static inline void vec_store_release_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/// Lock a one-byte spinlock at `p` (0 = free, 1 = held). For short critical sections only.
static inline void vec_spin_lock(uint8_t *p) {
    while (__atomic_exchange_n(p, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(p, __ATOMIC_RELAXED)) { __builtin_ia32_pause(); }
    }
}

/// Unlock a one-byte spinlock.
static inline void vec_spin_unlock(uint8_t *p) { __atomic_store_n(p, 0, __ATOMIC_RELEASE); }

#endif
