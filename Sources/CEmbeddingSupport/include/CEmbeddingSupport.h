// CEmbeddingSupport: vector operations Swift does not lower well, for the Embedding module's kernels
// (cache prefetch comes from VecCore's CVecSupport).
// Everything is `static inline`, so it is compiled into (and inlined by) the Swift callers with their
// target CPU. `vecnode_float16` is imported by Swift as `SIMD16<Float>`.
#ifndef VECNODE_CEMBEDDINGSUPPORT_H
#define VECNODE_CEMBEDDINGSUPPORT_H

/// 16 floats in SIMD registers (two AVX2 registers); Swift sees `SIMD16<Float>`.
typedef float vecnode_float16 __attribute__((ext_vector_type(16)));

/// Lane-wise maximum (VMAXPS). Swift's `pointwiseMax` on SIMD16<Float> goes lane by lane through memory.
static inline __attribute__((always_inline)) vecnode_float16 vecnode_max(vecnode_float16 a, vecnode_float16 b) {
    return __builtin_elementwise_max(a, b);
}

/// Lane-wise minimum (VMINPS).
static inline __attribute__((always_inline)) vecnode_float16 vecnode_min(vecnode_float16 a, vecnode_float16 b) {
    return __builtin_elementwise_min(a, b);
}

/// The largest lane.
static inline __attribute__((always_inline)) float vecnode_reduce_max(vecnode_float16 a) {
    return __builtin_reduce_max(a);
}

/// The sum of the lanes, as a shuffle tree (pairwise order).
static inline __attribute__((always_inline)) float vecnode_reduce_add(vecnode_float16 a) {
    typedef float f8 __attribute__((ext_vector_type(8)));
    typedef float f4 __attribute__((ext_vector_type(4)));
    f8 s8 = __builtin_shufflevector(a, a, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15);
    f4 s4 = __builtin_shufflevector(s8, s8, 0, 1, 2, 3) + __builtin_shufflevector(s8, s8, 4, 5, 6, 7);
    return (s4.x + s4.z) + (s4.y + s4.w);
}

#endif
