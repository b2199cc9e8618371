#!/usr/bin/env bash
# The dashboard's first load on the performance issue's database: 10 million requests over the last 30 days, generated
# afresh into a temporary folder (about a minute, 1.9 GB; removed at the end) so that "the last 24 hours" is full. Runs
# the dashboard test FirstLoadTests against it in headless chromium and prints the browser's own timings.
#
#   benchmarks/dashboard-first-load.sh [requests]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-10000000}
work=$(mktemp -d /tmp/analytics-first-load.XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet build benchmarks/Analytics.Benchmarks -c Release -v quiet -nologo >/dev/null
dotnet build tests/Analytics.Dashboard.Tests -c Release -v quiet -nologo >/dev/null
dotnet run -c Release --no-build --project benchmarks/Analytics.Benchmarks -- generate "$requests" 30 "$work/generated.db"
ANALYTICS_FIRST_LOAD_DATABASE="$work/generated.db" dotnet test tests/Analytics.Dashboard.Tests -c Release --no-build \
  --filter "FullyQualifiedName~FirstLoadTests" --logger "console;verbosity=detailed" | grep -E "database:|cached|first visitor|first load|Passed|Failed|Error"
