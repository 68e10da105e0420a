#!/usr/bin/env bash
# demo.sh [--url URL] [--file TSV] [--collection NAME] [--batch N] [--token TOKEN] [--dry-run]
#
# Loads the demo texts (data/demo/texts.tsv: 10,000 PyPI package summaries, `<id>\t<text>` per line) into a
# running vecnode — standalone, or a cluster through its gateway — over the Milvus REST API, so that the
# seed's `POST /search {"query": "machine learning"}` answers on a fresh machine:
#
#   1. drops the collection if it exists, then creates it (default `demo_texts`): id Int64 primary key,
#      text VarChar, embedding FloatVector(384), a TextEmbedding function text → embedding (the server embeds
#      with its built-in all-MiniLM-L6-v2), and an HNSW index with the COSINE metric;
#   2. inserts the rows in batches (default 500) with only id and text — the server computes the vectors —
#      showing a progress bar;
#   3. loads the collection, waits until it is loaded, and runs one text search as a check.
#
# The seed's /search then uses this collection by default: with no `collection` in the body and no
# --default-collection configured, the server searches the only collection with a text embedding function.
#
# Options:
#   --url URL          Milvus REST address of the server (default http://127.0.0.1:19530)
#   --file TSV         texts to load (default data/demo/texts.tsv beside this script)
#   --collection NAME  collection name (default demo_texts)
#   --batch N          rows per insert request (default 500)
#   --token TOKEN      send `Authorization: Bearer TOKEN` (when the server has auth enabled)
#   --dry-run          print each request (`POST <path>` line, then its JSON body line) instead of sending it
#
# Needs only bash (4.4+) and curl. JSON is built in bash: quotes, backslashes and control characters are
# escaped, UTF-8 text passes through unchanged (the script runs in the C locale, so it works byte by byte).
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
URL="http://127.0.0.1:19530"
FILE="$ROOT/data/demo/texts.tsv"
COLLECTION="demo_texts"
BATCH=500
TOKEN=""
DRY_RUN=0

say() { printf 'demo: %s\n' "$*" >&2; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }
usage() {  # the comment block at the top of this file
  local line
  while IFS= read -r line; do
    [[ $line == '#!'* ]] && continue
    [[ $line == '#'* ]] || break
    line=${line#\#}
    printf '%s\n' "${line# }"
  done <"$0" >&2
  exit "${1:-0}"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --url) URL="${2:?--url needs a value}"; shift 2 ;;
    --file) FILE="${2:?--file needs a value}"; shift 2 ;;
    --collection) COLLECTION="${2:?--collection needs a value}"; shift 2 ;;
    --batch) BATCH="${2:?--batch needs a value}"; shift 2 ;;
    --token) TOKEN="${2:?--token needs a value}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage 0 ;;
    *) say "unknown argument: $1"; usage 2 ;;
  esac
done
URL="${URL%/}"
[[ $BATCH =~ ^[1-9][0-9]*$ ]] && [ "$BATCH" -le 10000 ] || die "--batch must be 1…10000, got '$BATCH'"
[[ $COLLECTION =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "--collection must be letters, digits and '_' (not starting with a digit)"
[ -r "$FILE" ] || die "cannot read $FILE"
command -v curl >/dev/null 2>&1 || [ "$DRY_RUN" = 1 ] || die "curl is required"

# json_string S → REPLY = S as a JSON string literal (with the quotes). Escapes \ " and every control
# character (\t \n \r by name, the rest as \u00XX); bytes ≥ 0x80 (UTF-8) are copied as they are.
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  if [[ $s == *[$'\x01'-$'\x1f']* ]]; then
    local out="" c i
    for ((i = 0; i < ${#s}; i++)); do
      c=${s:i:1}
      if [[ $c == [$'\x01'-$'\x1f'] ]]; then printf -v c '\\u%04x' "'$c"; fi
      out+=$c
    done
    s=$out
  fi
  REPLY="\"$s\""
}

AUTH=()
[ -n "$TOKEN" ] && AUTH=(-H "Authorization: Bearer $TOKEN")

# api PATH BODY → REPLY = response body. Dies on a transport error, an HTTP error, or a Milvus code ≠ 0.
api() {
  local path=$1 body=$2 out status
  if [ "$DRY_RUN" = 1 ]; then
    printf 'POST %s\n%s\n' "$path" "$body"
    REPLY='{"code":0,"data":{}}'
    return
  fi
  if ! out=$(printf '%s' "$body" | curl -sS --max-time 300 -X POST "$URL/v2/vectordb/$path" \
      -H 'Content-Type: application/json' "${AUTH[@]}" --data-binary @- -w $'\n%{http_code}' 2>&1); then
    out=${out%$'\n'*}
    out=${out//$'\n'/ }
    die "cannot reach vecnode at $URL ($path): ${out:0:300}; is the server running? (README, \"Demo\")"
  fi
  status=${out##*$'\n'}
  REPLY=${out%$'\n'*}
  if [ "$status" != 200 ] || [[ ! $REPLY =~ \"code\"[[:space:]]*:[[:space:]]*0[^0-9] ]]; then
    die "$path failed (HTTP $status): ${REPLY:0:400}"
  fi
}

json_string "$COLLECTION"; NAME=$REPLY

# 1. (Re)create the collection.
api collections/has "{\"collectionName\":$NAME}"
if [[ $REPLY =~ \"has\"[[:space:]]*:[[:space:]]*true ]]; then
  say "dropping the existing collection $COLLECTION"
  api collections/drop "{\"collectionName\":$NAME}"
fi
api collections/create "{\"collectionName\":$NAME,\"schema\":{\"autoId\":false,\"enableDynamicField\":false,\
\"fields\":[{\"fieldName\":\"id\",\"dataType\":\"Int64\",\"isPrimary\":true},\
{\"fieldName\":\"text\",\"dataType\":\"VarChar\",\"elementTypeParams\":{\"max_length\":65535}},\
{\"fieldName\":\"embedding\",\"dataType\":\"FloatVector\",\"elementTypeParams\":{\"dim\":384}}],\
\"functions\":[{\"name\":\"text_embedding\",\"type\":\"TextEmbedding\",\"inputFieldNames\":[\"text\"],\
\"outputFieldNames\":[\"embedding\"],\"params\":{\"provider\":\"builtin\",\"model_name\":\"all-MiniLM-L6-v2\"}}]},\
\"indexParams\":[{\"fieldName\":\"embedding\",\"indexName\":\"embedding\",\"indexType\":\"HNSW\",\
\"metricType\":\"COSINE\",\"params\":{\"M\":16,\"efConstruction\":200}}]}"
say "created $COLLECTION (id, text, embedding[384] ← TextEmbedding(text), HNSW/COSINE)"

# 2. Insert id + text rows in batches; the server embeds the texts.
mapfile -t LINES <"$FILE"
TOTAL=${#LINES[@]}
[ "$TOTAL" -gt 0 ] || die "$FILE is empty"
START=${EPOCHREALTIME:-$SECONDS}

# progress DONE → a bar on stderr (redrawn in place on a terminal, one line per 10 % otherwise).
LAST_DECILE=-1
progress() {
  local done=$1 width=40 filled pct elapsed rate now bar
  pct=$((done * 100 / TOTAL))
  filled=$((done * width / TOTAL))
  printf -v bar '%*s' "$filled" ''
  bar=${bar// /#}
  printf -v bar '%-*s' "$width" "$bar"
  bar=${bar// /.}
  now=${EPOCHREALTIME:-$SECONDS}
  elapsed=$(( (${now/./} - ${START/./}) / 1000 ))  # ms (EPOCHREALTIME has 6 decimals)
  [ -n "${EPOCHREALTIME:-}" ] || elapsed=$(( (now - START) * 1000 ))
  rate=0
  [ "$elapsed" -gt 0 ] && rate=$((done * 1000 / elapsed))
  if [ -t 2 ]; then
    printf '\r[%s] %d/%d texts %3d%%  %d.%ds  %d texts/s ' "$bar" "$done" "$TOTAL" "$pct" \
      $((elapsed / 1000)) $((elapsed % 1000 / 100)) "$rate" >&2
    [ "$done" -lt "$TOTAL" ] || printf '\n' >&2
  elif [ $((pct / 10)) -ne "$LAST_DECILE" ]; then
    LAST_DECILE=$((pct / 10))
    printf '[%s] %d/%d texts %3d%%  %d texts/s\n' "$bar" "$done" "$TOTAL" "$pct" "$rate" >&2
  fi
}

DONE=0
ROWS=""
IN_BATCH=0
flush_batch() {
  [ "$IN_BATCH" -gt 0 ] || return 0
  api entities/insert "{\"collectionName\":$NAME,\"data\":[${ROWS}]}"
  if [ "$DRY_RUN" = 0 ] && [[ ! $REPLY =~ \"insertCount\"[[:space:]]*:[[:space:]]*$IN_BATCH[^0-9] ]]; then
    die "insert of $IN_BATCH rows answered: ${REPLY:0:400}"
  fi
  DONE=$((DONE + IN_BATCH))
  ROWS=""
  IN_BATCH=0
  [ "$DRY_RUN" = 1 ] || progress "$DONE"
}

for ((n = 0; n < TOTAL; n++)); do
  line=${LINES[n]%$'\r'}
  [ -n "$line" ] || continue
  [[ $line == *$'\t'* ]] || die "$FILE line $((n + 1)): expected <id><TAB><text>"
  id=${line%%$'\t'*}
  [[ $id =~ ^-?[0-9]{1,18}$ ]] || die "$FILE line $((n + 1)): id '${id:0:40}' is not an integer"
  json_string "${line#*$'\t'}"
  [ "$IN_BATCH" -eq 0 ] || ROWS+=","
  ROWS+="{\"id\":$id,\"text\":$REPLY}"
  IN_BATCH=$((IN_BATCH + 1))
  [ "$IN_BATCH" -lt "$BATCH" ] || flush_batch
done
flush_batch

# 3. Load, wait for it, check one search.
api collections/load "{\"collectionName\":$NAME}"
if [ "$DRY_RUN" = 0 ]; then
  for ((tries = 0; ; tries++)); do
    api collections/get_load_state "{\"collectionName\":$NAME}"
    [[ $REPLY == *LoadStateLoaded* ]] && break
    [ "$tries" -lt 600 ] || die "$COLLECTION is not loaded after 5 minutes: ${REPLY:0:400}"
    sleep 0.5
  done
fi
say "loaded $DONE texts into $COLLECTION"

# Strong consistency: the check waits until every inserted row is searchable (so /search sees them too).
api entities/search "{\"collectionName\":$NAME,\"data\":[\"machine learning\"],\"annsField\":\"embedding\",\"limit\":3,\"outputFields\":[\"text\"],\"consistencyLevel\":\"Strong\"}"
if [ "$DRY_RUN" = 0 ]; then
  say 'check: top 3 for "machine learning":'
  rest=$REPLY
  hits=0
  while [[ $rest =~ \"text\"[[:space:]]*:[[:space:]]*\"(([^\"\\]|\\.)*)\" ]]; do
    hit=${BASH_REMATCH[1]//\\\\/$'\x01'}  # undo JSON escapes for display: \\ \" \/ \n \t
    hit=${hit//\\\"/\"}
    hit=${hit//\\\//\/}
    hit=${hit//\\n/ }
    hit=${hit//\\t/ }
    printf '  %s\n' "${hit//$'\x01'/\\}" >&2
    rest=${rest#*"${BASH_REMATCH[0]}"}
    hits=$((hits + 1))
  done
  [ "$hits" -gt 0 ] || say "warning: the check search found no texts: ${REPLY:0:400}"
fi
cat >&2 <<EOF
demo: done. The seed's search (served beside the Milvus API) now uses $COLLECTION by default:
  curl -X POST $URL/search -H "Content-Type: application/json" -d '{"query": "machine learning", "top_k": 5}'
EOF
