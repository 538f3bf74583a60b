#!/usr/bin/env bash
# Runs gil4j's benchmarks on JDK 17 and JDK 25 side by side and prints the tables (see README.md).
#
#   bash benchmarks/run.sh [gil|loops|threading|overhead]... [--build] [--quick] [--forks N]
#
# Suites: gil (checkpoint cost, GIL hand-off), loops (strip-mined pure loops: gil4j beside no agent
# and GIL4J_BASELINE_AGENT), threading (Python's primitives beside j.u.c. and CPython), overhead
# (profiling a lock-heavy app: gil4j beside JFR and async-profiler); none named runs all four.
# Uses agent/target/gil4j-agent.jar and benchmarks/target/gil4j-benchmarks.jar as they are, and
# builds them (mvn -q -DskipTests package) only when one is missing, or always with --build.
# Environment: GIL4J_AGENT (default: agent/target/gil4j-agent.jar), GIL4J_BASELINE_AGENT (an
# earlier agent jar for the loops suite's before-and-after column; default none), JDK17_HOME (default: the JDK
# of `java` on the PATH), JDK25_HOME (default: /usr/lib/jvm/temurin-25-jdk-amd64; skipped if
# absent), PYTHON (default: python3; "none" skips CPython). Tables go to stdout and to
# benchmarks/target/results/tables.txt, progress to stderr; the directory is emptied first.
set -euo pipefail
cd "$(dirname "$0")/.."

agent=${GIL4J_AGENT:-agent/target/gil4j-agent.jar}
benchmarks=benchmarks/target/gil4j-benchmarks.jar
build=false
args=()
for arg in "$@"; do
  case "$arg" in
    --build) build=true ;;
    *) args+=("$arg") ;;
  esac
done

if $build || [[ ! -f $agent || ! -f $benchmarks ]]; then
  echo "building: mvn -q -DskipTests package" >&2
  mvn -q -DskipTests package
fi

jdk17=${JDK17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
jdks=(--jdk "$jdk17")
if [[ -x $jdk25/bin/java ]]; then
  jdks+=(--jdk "$jdk25")
else
  echo "no JDK 25 at $jdk25 (set JDK25_HOME): running on JDK 17 only" >&2
fi
baseline=()
if [[ -n ${GIL4J_BASELINE_AGENT:-} ]]; then
  baseline=(--baseline-agent "$GIL4J_BASELINE_AGENT")
fi
python=${PYTHON:-python3}
if [[ $python != none ]] && ! command -v "$python" >/dev/null; then
  echo "no $python on the PATH: no CPython figures" >&2
  python=none
fi

rm -rf benchmarks/target/results
mkdir -p benchmarks/target/results
"$jdk17/bin/java" -cp "$benchmarks" dev.gil4j.benchmarks.RunAll \
  --agent "$agent" ${baseline[@]+"${baseline[@]}"} "${jdks[@]}" --python "$python" --scripts benchmarks \
  --out benchmarks/target/results "${args[@]}" | tee benchmarks/target/results/tables.txt
