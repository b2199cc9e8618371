#!/usr/bin/env bash
# Builds and runs every test of the solution. Installs what the tests need first (nothing beyond the .NET SDK yet;
# browser and PostgreSQL tests will add their installs here). Results land in TestResults/*.trx.
set -euo pipefail
cd "$(dirname "$0")"

rm -rf TestResults
dotnet build Analytics.sln -c Release
dotnet test Analytics.sln -c Release --no-build \
  --results-directory TestResults \
  --logger "trx" \
  --logger "console;verbosity=normal" \
  "$@"
