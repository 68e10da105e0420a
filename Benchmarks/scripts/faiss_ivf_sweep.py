#!/usr/bin/env python3
"""FAISS IndexIVFFlat / IndexIVFScalarQuantizer(QT_8bit) / IndexHNSWFlat on a big-ann dataset, for
`vecbench ann --index ivf_flat|ivf_sq8|hnsw` and `vecbench indexes` (docs/ivf.md). Same protocol as vecbench:
rows L2-normalised, inner product, build with --threads threads, search on one thread one query per call
(best of --runs), recall@10 against gt100.ibin. Prints build seconds, index bytes per vector, and one line
per nprobe / efSearch with the vecbench --json keys."""
import argparse, json, time
import numpy as np
import faiss

def read_bin(path, dt):
    n, d = np.fromfile(path, dtype="<u4", count=2)
    return np.fromfile(path, dtype=dt, offset=8).reshape(n, d)

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--index", default="ivf_flat", choices=["ivf_flat", "ivf_sq8", "hnsw"])
ap.add_argument("--nlist", type=int, default=1024)
ap.add_argument("--nprobe", default="1,2,4,8,16,32,64,128")
ap.add_argument("--ef", default="10,16,24,32,48,64,96,128,192,256")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--runs", type=int, default=1)
a = ap.parse_args()
base = read_bin(f"{a.data}/base.f16bin", "<f2").astype(np.float32)
base /= np.linalg.norm(base, axis=1)[:, None]
q = read_bin(f"{a.data}/query.f16bin", "<f2").astype(np.float32)
q /= np.linalg.norm(q, axis=1)[:, None]
gt = read_bin(f"{a.data}/gt100.ibin", "<i4")[:, :10]
n, d = base.shape
faiss.omp_set_num_threads(a.threads)
t0, c0 = time.perf_counter(), time.process_time()
if a.index == "hnsw":
    index = faiss.IndexHNSWFlat(d, 16, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 200
else:
    quantizer = faiss.IndexFlatIP(d)
    if a.index == "ivf_flat":
        index = faiss.IndexIVFFlat(quantizer, d, a.nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, a.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    index.train(base)
index.add(base)
build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
nbytes = len(faiss.serialize_index(index))
print(json.dumps({"lib": f"faiss-{a.index}", "build_seconds": round(build, 3), "build_cpu_seconds": round(build_cpu, 3),
                  "threads": a.threads, "index_bytes": nbytes, "bytes_per_vector": nbytes // n}), flush=True)
faiss.omp_set_num_threads(1)
values = [int(x) for x in (a.ef if a.index == "hnsw" else a.nprobe).split(",")]
key = "ef" if a.index == "hnsw" else "nprobe"
for v in values:
    if a.index == "hnsw":
        index.hnsw.efSearch = v
    else:
        index.nprobe = v
    best_w = best_c = float("inf")
    for _ in range(a.runs):
        found = []
        w0, c0 = time.perf_counter(), time.thread_time()
        for i in range(len(q)):
            _, labels = index.search(q[i:i + 1], 10)
            found.append(labels[0])
        best_w = min(best_w, time.perf_counter() - w0)
        best_c = min(best_c, time.thread_time() - c0)
    rec = float(np.mean([len(set(f) & set(g)) / 10 for f, g in zip(found, gt)]))
    print(json.dumps({"lib": f"faiss-{a.index}", key: v, "recall_at_10": round(rec, 5),
                      "qps_1t": int(len(q) / best_w), "qps_1t_cpu": int(len(q) / best_c)}), flush=True)
