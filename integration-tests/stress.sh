#!/usr/bin/env bash
# Stress: the whole concurrency catalog (every scenario, on JDK 17 and on the JDK 25 named by the
# build) in a loop under switch=200us for MINUTES minutes (default 5), each run with the catalog's
# hard timeout and a thread dump if it hangs; then a summary of rounds, scenario runs, failures,
# hangs and revocations. Exit status 0 only if nothing failed or hung.
#
#   bash integration-tests/stress.sh [MINUTES] [extra Maven arguments, e.g. -o]
#
# Builds what it needs through the reactor (never installs), so it can run from a fresh clone.
set -euo pipefail

minutes="${1:-5}"
if ! [[ "$minutes" =~ ^[1-9][0-9]*$ ]]; then
  echo "stress.sh: MINUTES must be a whole number of minutes, got '$minutes'" >&2
  exit 2
fi
shift $(($# > 0 ? 1 : 0))
cd "$(dirname "$0")/.."

# -Dtest also reaches the modules built for it (-am): they find no such test and run none.
exec mvn "$@" -Pstress verify -pl integration-tests -am \
  -Dtest=CatalogStress -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip \
  -Dgil4j.stressMinutes="$minutes"
