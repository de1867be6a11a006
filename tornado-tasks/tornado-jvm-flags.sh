#!/usr/bin/env bash
# Writes the JVM flags a TornadoVM SDK needs, as its own launcher prints them
# (`tornado --printJavaFlags`), into an argument file for `java @FILE`.
#   tornado-jvm-flags.sh SDK_DIR OUT_FILE
# The launcher prints "JAVA_BINARY FLAG..."; the java binary is dropped, the working directory
# entry "." of its module path too (the caller's folder is not a module), and the argument files
# it names (@FILE, the module exports) are written out in place: java does not read an argument
# file named inside another. One flag per line.
set -euo pipefail
sdk="${1:?usage: tornado-jvm-flags.sh SDK_DIR OUT_FILE}"
out="${2:?usage: tornado-jvm-flags.sh SDK_DIR OUT_FILE}"
[[ -x "$sdk/bin/tornado" ]] || { echo "tornado-jvm-flags: $sdk/bin/tornado not found: TORNADO_SDK must name a TornadoVM SDK" >&2; exit 1; }
[[ -n "${JAVA_HOME:-}" ]] || { echo "tornado-jvm-flags: JAVA_HOME must name the JDK 25 that TornadoVM runs on" >&2; exit 1; }
printed="$(TORNADOVM_HOME="$sdk" "$sdk/bin/tornado" --printJavaFlags 2>&1 || true)"
line="$(grep -e '-XX:+EnableJVMCI' <<<"$printed" | tail -n 1 || true)"
[[ -n "$line" ]] || { echo "tornado-jvm-flags: '$sdk/bin/tornado --printJavaFlags' printed no JVM flags; it said:" >&2; echo "$printed" >&2; exit 1; }
flags="${line#* }"
flags="${flags//--module-path .:/--module-path }"
mkdir -p "$(dirname "$out")"
tmp="$(mktemp "$out.XXXXXX")"
read -r -a words <<<"$flags"
for word in "${words[@]}"; do
  if [[ "$word" == @* ]]; then
    [[ -f "${word#@}" ]] || { rm -f "$tmp"; echo "tornado-jvm-flags: ${word#@} (named by the SDK's flags) not found" >&2; exit 1; }
    grep -v '^[[:space:]]*#' "${word#@}" >>"$tmp"
    echo >>"$tmp"
  else
    printf '%s\n' "$word" >>"$tmp"
  fi
done
mv "$tmp" "$out"
