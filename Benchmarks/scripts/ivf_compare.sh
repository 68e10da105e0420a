#!/bin/bash
D=/work/shared/datasets/pypi-minilm-100k
cd /work/wt-ivf
export OPENBLAS_NUM_THREADS=1
echo "== $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg) vecbench indexes"
nice -n -10 .build/release/vecbench indexes --data $D --kinds ivf_flat,ivf_sq8,hnsw,hnsw_sq8 --nlist 1024
echo "== $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg) faiss ivf_flat"
nice -n -10 python3 Benchmarks/scripts/faiss_ivf_sweep.py --data $D --index ivf_flat --nlist 1024 --nprobe 32,48,64,96,128,192,256
echo "== $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg) faiss ivf_sq8"
nice -n -10 python3 Benchmarks/scripts/faiss_ivf_sweep.py --data $D --index ivf_sq8 --nlist 1024 --nprobe 32,48,64,96,128,192,256
echo "== $(date -u) load $(cut -d' ' -f1-3 /proc/loadavg) done"
