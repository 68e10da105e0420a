// Intentionally empty: every function of CVecSupport is static inline in include/CVecSupport.h.
