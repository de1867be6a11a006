#!/usr/bin/env bash
# The local figures of docs/scale-out.md, each the median of RUNS runs (default 3), the two sampling commands alternating:
#  1. images/s of `fusedit sample` in one process against `fusedit spark sample` in an embedded local[2] master, the same
#     PROMPTS shapes-benchmark prompts (default 80, at most 300) with IMAGES images each (default 1) at 25 steps, process
#     start to exit; and that every PNG is byte-identical;
#  2. shards/s of `fusedit spark latents` (local[2]) on SHARDS WebDataset shards (default 8) of 40 of those images each,
#     encoded by the VAE of fixtures/vae/c4_b16x32_l1_6x10 at 32x32, a fresh output folder each run.
# (The 2-worker standalone cluster's figures come from scripts/spark-cluster-check.sh.) Writes under $WORK (default /tmp/fusedit-spark-figures).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prompts="${PROMPTS:-80}" per="${IMAGES:-1}" runs="${RUNS:-3}" shards="${SHARDS:-8}"
images=$((prompts * per))
work="${WORK:-/tmp/fusedit-spark-figures}"
rm -rf "$work" && mkdir -p "$work"
fusedit="$root/fusedit"

head -n "$prompts" "$root/benchmarks/shapes-eval.jsonl" >"$work/prompts.jsonl"
mapfile -t args < <(python3 -c 'import json,sys
for l in open(sys.argv[1]): print("--prompt"); print(json.loads(l)["prompt"])' "$work/prompts.jsonl")

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }; echo "$(date +%s.%N) - $s" | bc -l; }

"$fusedit" --help >/dev/null && "$fusedit" spark --help >/dev/null   # builds both jars first, outside the timings
one=() spark=() inside=()
for r in $(seq "$runs"); do
  t=$(seconds "$fusedit" sample "${args[@]}" --images-per-prompt "$per" --out "$work/one-$r.png" --out-dir "$work/one-$r")
  one+=("$(echo "$images / $t" | bc -l)")
  t=$(seconds "$fusedit" spark sample --master 'local[2]' --prompts "$work/prompts.jsonl" --images-per-prompt "$per" \
      --model "$root/models/shapes-tiny" --out "$work/spark-$r")
  spark+=("$(echo "$images / $t" | bc -l)")
  # the job's own line: from the prompts in hand to the manifest committed (no JVM and Spark start-up)
  inside+=("$(grep -o '[0-9.]* images/s' "$work/last.err" | cut -d' ' -f1)")
  printf 'run %d: fusedit sample %.3f images/s, spark sample local[2] %.3f images/s (the job alone %.3f)\n' "$r" "${one[-1]}" "${spark[-1]}" "${inside[-1]}"
done
same=0
for i in $(seq 0 $((prompts - 1))); do
  for k in $(seq 0 $((per - 1))); do
    cmp -s "$work/one-1/$(printf '%03d_%d.png' "$i" "$k")" "$work/spark-1/images/$(printf '%06d_%d.png' "$i" "$k")" && same=$((same + 1))
  done
done
m1=$(printf '%s\n' "${one[@]}" | median) m2=$(printf '%s\n' "${spark[@]}" | median) m3=$(printf '%s\n' "${inside[@]}" | median)
printf 'median: fusedit sample %.3f images/s, spark sample local[2] %.3f images/s, ratio %.3f (the job alone %.3f images/s, ratio %.3f); byte-identical PNGs: %d of %d\n' \
  "$m1" "$m2" "$(echo "$m2 / $m1" | bc -l)" "$m3" "$(echo "$m3 / $m1" | bc -l)" "$same" "$images"

# WebDataset shards of the images just made (ustar tars of KEY.png + KEY.txt)
mkdir -p "$work/shards"
for s in $(seq 0 $((shards - 1))); do
  d="$work/shard-src/$s" && mkdir -p "$d/s$s"
  for i in $(seq 0 39); do
    cp "$work/one-1/$(printf '%03d_0.png' $(( (s * 40 + i) % prompts )))" "$d/s$s/$(printf '%04d' "$i").png"
    printf 'caption %d %d' "$s" "$i" >"$d/s$s/$(printf '%04d' "$i").txt"
  done
  (cd "$d" && tar --format=ustar -cf "$work/shards/$(printf '%03d' "$s").tar" "s$s")
done
rates=()
for r in $(seq "$runs"); do
  t=$(seconds "$fusedit" spark latents --master 'local[2]' --data "$work/shards/{000..$(printf '%03d' $((shards - 1)))}.tar" \
      --vae "$root/fixtures/vae/c4_b16x32_l1_6x10/vae" --out "$work/latents-$r" --resolution 32 --image-column png --caption-column txt)
  rates+=("$(echo "$shards / $t" | bc -l)")
  printf 'latents run %d: %d shards of 40 samples in %.1f s: %.3f shards/s\n' "$r" "$shards" "$t" "${rates[-1]}"
done
printf 'median: spark latents local[2] %.3f shards/s (process start to exit)\n' "$(printf '%s\n' "${rates[@]}" | median)"
