#!/usr/bin/env bash
# A real Spark standalone cluster on this machine: a master and two workers (each 1 core), `fusedit spark sample`
# submitted with spark-submit, and one worker killed (with its executor) while the job runs; then checks that every
# prompt still has exactly one image and the manifest no duplicate row (scripts/spark-cluster-check/ManifestCheck.java).
#
#   scripts/spark-cluster-check.sh [PROMPTS (default 40)] [CLEAN_RUNS (default 0)]
#
# CLEAN_RUNS > 0 first times that many runs without a kill, each after a `fusedit sample` of the same prompts in one
# process (images/s, medians and their ratio) for docs/scale-out.md.
# The Spark distribution: $SPARK_HOME if it holds one (bin/spark-submit, jars/; e.g. `pip install pyspark==4.2.0`
# puts one in site-packages/pyspark), else one laid out under $WORK/spark-home from the Spark 4.2.0 jars this build
# resolves from Maven Central (spark/target/spark-distribution-classpath.txt). The daemons are started from
# SPARK_HOME/jars with the main classes sbin/start-master.sh and sbin/start-worker.sh start, as children of this
# script, so that it knows the process of the worker it kills.
# Everything it writes goes under $WORK (default /tmp/fusedit-spark-cluster), outside the repository.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prompts="${1:-40}"
clean_runs="${2:-0}"
work="${WORK:-/tmp/fusedit-spark-cluster}"
steps="${STEPS:-25}"
master_port=17077

jdk=""
for d in ${JAVA_HOME:-} /usr/lib/jvm/*25*; do
  [[ -n "$d" && -x "$d/bin/java" ]] && "$d/bin/java" -version 2>&1 | grep -q '"25' && { jdk="$d"; break; }
done
[[ -n "$jdk" ]] || { echo "spark-cluster-check: needs a JDK 25 (JAVA_HOME or /usr/lib/jvm)" >&2; exit 1; }
export JAVA_HOME="$jdk"
java="$jdk/bin/java"

echo "== building spark/target/fusedit-spark.jar"
(cd "$root" && ./fusedit --mvn -q package -pl spark -am -DskipTests)
jar="$root/spark/target/fusedit-spark.jar"

rm -rf "$work/run" && mkdir -p "$work/run"
if [[ -n "${SPARK_HOME:-}" && -d "$SPARK_HOME/jars" ]]; then
  echo "== Spark distribution: $SPARK_HOME"
else
  export SPARK_HOME="$work/spark-home"
  rm -rf "$SPARK_HOME" && mkdir -p "$SPARK_HOME/jars"
  tr ':' '\n' <"$root/spark/target/spark-distribution-classpath.txt" | while read -r j; do ln -s "$j" "$SPARK_HOME/jars/"; done
  echo "== Spark distribution laid out from Maven Central's Spark 4.2.0 jars: $SPARK_HOME ($(ls "$SPARK_HOME/jars" | wc -l) jars)"
fi
# what bin/load-spark-env.sh sets in a distribution: the worker builds its executors' class path from SPARK_HOME/jars with it
export SPARK_SCALA_VERSION=2.13
export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOG_DIR="$work/run/logs"
mkdir -p "$SPARK_LOG_DIR"

# Each daemon in a process group of its own (setsid): killing a worker's group kills its executors too, as a lost machine would.
pids=()
daemon() { # NAME MAIN_CLASS ARGS...: starts a Spark daemon in the background, its pid in $daemon_pid
  local name="$1"; shift
  setsid "$java" -cp "$SPARK_HOME/jars/*" -Xmx1g --sun-misc-unsafe-memory-access=allow "$@" >"$work/run/logs/$name.log" 2>&1 &
  daemon_pid=$!
  pids+=("$daemon_pid")
}
stop_all() {
  for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done
}
trap stop_all EXIT

echo "== starting a master and two workers on 127.0.0.1"
daemon master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port $master_port --webui-port 18080
for i in 1 2; do
  mkdir -p "$work/run/worker-$i"
  daemon "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 3g --webui-port $((18080 + i)) \
    --work-dir "$work/run/worker-$i" "spark://127.0.0.1:$master_port"
  eval "worker_$i=$daemon_pid"
done
for _ in $(seq 120); do
  [[ $(grep -c "Successfully registered with master" "$work"/run/logs/worker-*.log 2>/dev/null | awk -F: '{s+=$2} END {print s}') -ge 2 ]] && break
  sleep 1
done
grep -q "Successfully registered" "$work/run/logs/worker-2.log" || { echo "workers did not register; see $work/run/logs" >&2; exit 1; }

# the prompts: PROMPTS rows of the shapes benchmark, one image each
head -n "$prompts" "$root/benchmarks/shapes-eval.jsonl" >"$work/run/prompts.jsonl"

submit() { # OUT: spark-submit the sample job in the background, its pid in $submit_pid
  local submit_cmd=("$java" -cp "$SPARK_HOME/jars/*" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow -Xss4m org.apache.spark.deploy.SparkSubmit)
  [[ -x "$SPARK_HOME/bin/spark-submit" ]] && submit_cmd=("$SPARK_HOME/bin/spark-submit"
    --driver-java-options "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xss4m")
  "${submit_cmd[@]}" --master "spark://127.0.0.1:$master_port" --class dev.fusedit.spark.cli.SparkMain \
    --conf spark.executor.cores=1 --conf spark.executor.memory=2g --conf "spark.executor.extraJavaOptions=-Dfusedit.threads=1" \
    --conf spark.task.maxFailures=4 \
    "$jar" sample --prompts "$work/run/prompts.jsonl" --model "$root/models/shapes-tiny" --out "$1" \
    --steps "$steps" --partitions 8 --batch 5 >"$1.log" 2>&1 &
  submit_pid=$!
}

rates=() one_rates=()
mapfile -t prompt_args < <(python3 -c 'import json,sys
for l in open(sys.argv[1]): print("--prompt"); print(json.loads(l)["prompt"])' "$work/run/prompts.jsonl")
for r in $(seq "$clean_runs"); do
  start=$(date +%s.%N)
  "$root/fusedit" sample "${prompt_args[@]}" --steps "$steps" --out "$work/run/one-$r.png" --out-dir "$work/run/one-$r" 2>/dev/null
  end=$(date +%s.%N)
  one_rates+=("$(echo "$prompts / ($end - $start)" | bc -l)")
  printf '== fusedit sample in one process, run %d: %.3f images/s (process start to exit)\n' "$r" "${one_rates[-1]}"
  out="$work/run/clean-$r"
  start=$(date +%s.%N)
  submit "$out"
  wait "$submit_pid" || { echo "clean run $r failed; see $out.log" >&2; exit 1; }
  end=$(date +%s.%N)
  rate=$(echo "$prompts / ($end - $start)" | bc -l)
  rates+=("$rate")
  printf '== clean run %d: %d images in %.1f s (spark-submit to exit): %.3f images/s; the job itself: %s\n' "$r" "$prompts" \
    "$(echo "$end - $start" | bc -l)" "$rate" "$(grep -o 'in [0-9.]* s: [0-9.]* images/s' "$out.log")"
done
if (( clean_runs > 0 )); then
  median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  m_cluster=$(printf '%s\n' "${rates[@]}" | median) m_one=$(printf '%s\n' "${one_rates[@]}" | median)
  printf '== medians: 2-worker cluster %.3f images/s (spark-submit to exit), fusedit sample %.3f images/s, ratio %.3f\n' \
    "$m_cluster" "$m_one" "$(echo "$m_cluster / $m_one" | bc -l)"
fi

echo "== the run with a worker killed"
out="$work/run/kill"
start=$(date +%s.%N)
submit "$out"
killed=0
while kill -0 "$submit_pid" 2>/dev/null; do
  made=$(ls "$out/images" 2>/dev/null | grep -c '^[0-9].*\.png$' || true)
  # once a quarter of the images are written, worker 2 and its executor die
  if (( killed == 0 && made * 4 >= prompts )); then
    kill -9 -- "-$worker_2"
    killed=1
    echo "== killed worker 2 (process group $worker_2) with $made of $prompts images written, $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f') s into the job"
  fi
  sleep 0.2
done
set +e
wait "$submit_pid"
code=$?
set -e
end=$(date +%s.%N)
printf '== job exit code %d after %.1f s; its last lines:\n' "$code" "$(echo "$end - $start" | bc -l)"
grep -v '^WARNING' "$out.log" | grep -E 'wrote|Lost|lost|removed|ERROR|Exception' | tail -n 8 || true
(( killed == 1 )) || { echo "the job ended before a quarter of its images existed: nothing was killed; use more prompts" >&2; exit 1; }
(( code == 0 )) || exit 1
"$java" -cp "$SPARK_HOME/jars/*" --sun-misc-unsafe-memory-access=allow "$root/scripts/spark-cluster-check/ManifestCheck.java" "$out" "$prompts" 1 2>/dev/null \
  | grep -v '^WARNING'
