#!/usr/bin/env python3
"""Sweep-only timing of a cached hnswlib index (written by ../shared/bench/peers.py --index-cache), for quick
A/B runs next to `vecbench ann --index-cache` without rebuilding either index. Reports recall@10, wall-clock
and thread-CPU single-thread QPS (one query per call), like peers.py's st_qps / st_cpu_qps."""
import argparse, time
import numpy as np
import hnswlib

def read_bin(path, dt):
    n, d = np.fromfile(path, dtype="<u4", count=2)
    return np.fromfile(path, dtype=dt, offset=8).reshape(n, d)

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--index", required=True)
ap.add_argument("--ef", default="32,48,64")
ap.add_argument("--runs", type=int, default=2)
a = ap.parse_args()
q = read_bin(f"{a.data}/query.f16bin", "<f2").astype(np.float32)
q /= np.linalg.norm(q, axis=1)[:, None]
gt = read_bin(f"{a.data}/gt100.ibin", "<i4")[:, :10]
idx = hnswlib.Index(space="ip", dim=q.shape[1])
idx.load_index(a.index)
idx.set_num_threads(1)
for ef in [int(x) for x in a.ef.split(",")]:
    idx.set_ef(ef)
    best_w = best_c = float("inf")
    for _ in range(a.runs):
        found = []
        w0, c0 = time.perf_counter(), time.thread_time()
        for i in range(len(q)):
            labels, _ = idx.knn_query(q[i:i + 1], k=10)
            found.append(labels[0])
        best_w = min(best_w, time.perf_counter() - w0)
        best_c = min(best_c, time.thread_time() - c0)
    rec = np.mean([len(set(f) & set(g)) / 10 for f, g in zip(found, gt)])
    print(f"hnswlib ef={ef:<4} recall={rec:.4f} qps_1t={len(q) / best_w:,.0f} qps_1t_cpu={len(q) / best_c:,.0f}")
