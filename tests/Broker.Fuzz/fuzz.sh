#!/usr/bin/env bash
# Coverage-guided fuzzing of one network decoder with SharpFuzz + AFL++ (see docs/fuzzing.md).
# Usage: tests/Broker.Fuzz/fuzz.sh <binary|reader|frame|json|http> [minutes=30] [workdir=/tmp/broker-fuzz]
set -euo pipefail
target=${1:?target: binary|reader|frame|json|http}
minutes=${2:-30}
work=${3:-/tmp/broker-fuzz}
repo=$(cd "$(dirname "$0")/../.." && pwd)
command -v afl-fuzz >/dev/null || { echo "afl-fuzz missing: apt-get install afl++" >&2; exit 1; }
[ -x "$work/tools/sharpfuzz" ] || dotnet tool install --tool-path "$work/tools" SharpFuzz.CommandLine --version 2.3.0
rm -rf "$work/bin"   # sharpfuzz instruments in place: always start from a fresh build
dotnet build "$repo/tests/Broker.Fuzz" -c Release -o "$work/bin" >/dev/null
[ -d "$work/corpus/$target" ] || dotnet "$work/bin/Broker.Fuzz.dll" seed "$work/corpus" "$repo/../shared/golden"
"$work/tools/sharpfuzz" "$work/bin/Broker.Sdk.dll"
mkdir -p "$work/findings"
AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
  afl-fuzz -V $((minutes * 60)) -i "$work/corpus/$target" -o "$work/findings/$target" -t 10000 -m none \
  -- dotnet "$work/bin/Broker.Fuzz.dll" "$target"
echo "crashes: $(ls "$work/findings/$target/default/crashes" 2>/dev/null | grep -vc README || true)"
