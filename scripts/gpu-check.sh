#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU: runs the TornadoVM kernel tests on the GPU and
# times GEMM and attention against PyTorch (cuBLAS / SDPA) on the same GPU; the ratio table is
# printed last.
#
#   scripts/gpu-check.sh [--sdk DIR | --tornado-src DIR] [--backend opencl|ptx] [--device B:D]
#                        [--maven-repo DIR] [--repeats N] [--shrink N] [--skip-tests]
#
#   --sdk DIR          a built TornadoVM 5.2.0 (jdk25) SDK (default: $TORNADO_SDK)
#   --tornado-src DIR  no SDK yet: build one from this TornadoVM source checkout with TornadoVM's
#                      own `make BACKEND=...` (it needs Python 3, cmake, a C++ compiler, and for
#                      its own downloads Maven Central, PyPI and GitHub, or their caches)
#   --backend          the TornadoVM backend to build: ptx (needs the CUDA toolkit) or opencl
#                      (needs the NVIDIA OpenCL ICD and OpenCL headers); default ptx when nvcc is found
#   --device B:D       the TornadoVM device (see `tornado --devices`; default: TornadoVM's default)
#   --maven-repo DIR   a local Maven repository to build this project offline from
#   --repeats N        timed repetitions per shape (default 10; medians are reported)
#   --shrink N         divide the benchmark sizes (not head_dim) by N: a quick trial of the script
#
# Needs: JDK 25 (JAVA_HOME or /usr/lib/jvm), Maven, nvidia-smi; for the PyTorch columns python3
# with a CUDA build of torch (without it the table has TornadoVM's times only).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sdk="${TORNADO_SDK:-}" src="" backend="" device="" repo="" repeats=10 shrink=1 skip_tests=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sdk) sdk="$2"; shift 2 ;;
    --tornado-src) src="$2"; shift 2 ;;
    --backend) backend="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --maven-repo) repo="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --shrink) shrink="$2"; shift 2 ;;
    --skip-tests) skip_tests=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "gpu-check: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

# ---------------------------------------------------------------- the machine
step "machine"
command -v nvidia-smi >/dev/null || die "nvidia-smi not found: this check needs an NVIDIA GPU and its driver"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || die "nvidia-smi sees no GPU"
if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/javac" ]]; then
  for d in /usr/lib/jvm/*25*; do [[ -x "$d/bin/javac" ]] && JAVA_HOME="$d" && break; done
fi
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]] || die "no JDK 25: set JAVA_HOME (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)"
export JAVA_HOME
"$JAVA_HOME/bin/java" -version 2>&1 | head -n 1
command -v mvn >/dev/null || die "Maven (mvn) not found"
mvn_flags=(-q -B)
[[ -n "$repo" ]] && mvn_flags+=(-o "-Dmaven.repo.local=$repo")

# ---------------------------------------------------------------- TornadoVM
if [[ -z "$sdk" ]]; then
  [[ -n "$src" ]] || die "no TornadoVM SDK: pass --sdk DIR (or set TORNADO_SDK), or --tornado-src DIR to build one from TornadoVM's sources"
  [[ -f "$src/Makefile" && -x "$src/bin/compile" ]] || die "$src is not a TornadoVM source checkout (no Makefile and bin/compile)"
  if [[ -z "$backend" ]]; then
    backend=opencl
    command -v nvcc >/dev/null && backend=ptx
  fi
  step "building TornadoVM ($backend backend) in $src with its own make"
  if ! (cd "$src" && make BACKEND="$backend"); then
    die "TornadoVM's build failed (above). It downloads from Maven Central, PyPI and GitHub; offline, build the SDK elsewhere and pass --sdk"
  fi
  # TornadoVM's build writes setvars.sh naming the SDK it produced.
  sdk="$(sed -n 's/^export TORNADOVM_HOME="\(.*\)"$/\1/p' "$src/setvars.sh")"
fi
[[ -x "$sdk/bin/tornado" ]] || die "$sdk is not a TornadoVM SDK (no bin/tornado)"
export TORNADO_SDK="$sdk" TORNADOVM_HOME="$sdk" PATH="$sdk/bin:$PATH"
step "TornadoVM devices"
tornado --devices 2>&1 | grep -v '^WARNING' || die "TornadoVM lists no devices"

# ---------------------------------------------------------------- the kernel tests on the GPU
cd "$root"
device_flag=()
[[ -n "$device" ]] && device_flag=("-Dfusedit.tornado.device=$device")
if [[ $skip_tests -eq 0 ]]; then
  step "kernel tests on the GPU (tornado-tasks, each kernel against the scalar oracle)"
  rm -rf tornado-tasks/target/surefire-reports
  mvn "${mvn_flags[@]}" -Ptornado -pl tornado-tasks -am test -Dtest='Tornado*Test' -Dsurefire.failIfNoSpecifiedTests=false "${device_flag[@]}" \
    || die "kernel tests failed (reports: tornado-tasks/target/surefire-reports)"
  grep -h -o 'tests="[0-9]*" errors="[0-9]*" skipped="[0-9]*" failures="[0-9]*"' tornado-tasks/target/surefire-reports/TEST-*.xml \
    | paste -d' ' <(ls tornado-tasks/target/surefire-reports/TEST-*.xml | xargs -n1 basename) - || true
  if grep -q 'skipped="[1-9]' tornado-tasks/target/surefire-reports/TEST-*.xml; then
    die "kernel tests were skipped: TornadoVM found no device in the test JVM"
  fi
else
  mvn "${mvn_flags[@]}" -Ptornado -pl tornado-tasks -am test-compile
fi

# ---------------------------------------------------------------- timings
step "timing TornadoVM (median of $repeats calls; first calls compile)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bash tornado-tasks/tornado-jvm-flags.sh "$sdk" "$out/flags"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "@$out/flags" \
  -Dtornado.recover.bailout=False "${device_flag[@]}" -cp tornado-tasks/target/classes:tensor/target/classes \
  dev.fusedit.tornado.bench.GpuBench "$repeats" "$shrink" 2> >(grep -v '^WARNING' >&2) | tee "$out/tornado.jsonl"

step "a FuseDiT step as per-block task graphs against kernel by kernel (BlockGraphsBench: bundled model, guidance batch 2)"
mvn "${mvn_flags[@]}" -Ptornado -pl cli -am package -DskipTests
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "@$out/flags" \
  -Dtornado.recover.bailout=False "${device_flag[@]}" -cp cli/target/fusedit.jar \
  dev.fusedit.tornado.bench.BlockGraphsBench models/shapes-tiny "$repeats" 2> >(grep -v '^WARNING' >&2)

step "timing PyTorch on the same shapes"
python3 - "$out/tornado.jsonl" "$repeats" <<'PY' | tee "$out/table.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
repeats = int(sys.argv[2])
try:
    import torch
    cuda = torch.cuda.is_available()
except ImportError:
    torch, cuda = None, False
if not cuda:
    print("(no PyTorch with CUDA here: TornadoVM columns only)", file=sys.stderr)

def median_ms(fn, sync):
    fn(); fn()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record(); fn(); end.record(); sync()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]

def torch_times(r):
    """(device-resident ms, ms with host->device inputs and device->host output) for one row."""
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 as the TornadoVM kernels compute
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    if r["op"] == "gemm":
        ha, hb = torch.randn(r["m"], r["k"]), torch.randn(r["k"], r["n"])
        a, b = ha.to(dev), hb.to(dev)
        resident = lambda: torch.matmul(a, b)
        copies = lambda: torch.matmul(ha.to(dev), hb.to(dev)).cpu()
    else:
        B, H, K, S, D = r["batch"], r["heads"], r["kv_heads"], r["seq"], r["head_dim"]
        hq, hk, hv = torch.randn(B, H, S, D), torch.randn(B, K, S, D), torch.randn(B, K, S, D)
        q, k, v = hq.to(dev), hk.to(dev), hv.to(dev)
        sdpa = lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
            q, k.repeat_interleave(H // K, dim=1), v.repeat_interleave(H // K, dim=1))
        resident = lambda: sdpa(q, k, v)
        copies = lambda: sdpa(hq.to(dev), hk.to(dev), hv.to(dev)).cpu()
    return median_ms(resident, torch.cuda.synchronize), median_ms(copies, torch.cuda.synchronize)

def shape(r):
    if r["op"] == "gemm":
        return f'{r["m"]}x{r["n"]}x{r["k"]}'
    return f'b{r["batch"]} h{r["heads"]}/{r["kv_heads"]} s{r["seq"]} d{r["head_dim"]}'

print(f'device: {rows[0]["device"] if rows else "?"}' + (f' | torch {torch.__version__} on {torch.cuda.get_device_name()}' if cuda else ''))
print(f'{"op":<10}{"shape":<26}{"tornado kernel":>15}{"torch":>10}{"ratio":>8}{"tornado call":>14}{"torch+copies":>14}{"ratio":>8}')
for r in rows:
    t_res, t_cp = torch_times(r) if cuda else (float("nan"), float("nan"))
    print(f'{r["op"]:<10}{shape(r):<26}{r["kernel_ms"]:>13.3f}ms{t_res:>8.3f}ms{r["kernel_ms"] / t_res:>8.2f}'
          f'{r["call_ms"]:>12.3f}ms{t_cp:>12.3f}ms{r["call_ms"] / t_cp:>8.2f}')
print("ratio = TornadoVM time / PyTorch time (above 1: TornadoVM is slower). Kernel columns: device time only;")
print("call columns: one call with the data starting and ending on the host (TornadoVM's staging and transfers included).")
PY
