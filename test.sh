#!/usr/bin/env bash
# Builds and runs every test of the solution. Installs what the tests need first: Node.js with the eventsource,
# standardwebhooks and @redocly/cli packages (a real SSE client, the reference webhook verifier and an OpenAPI linter,
# tests/node-clients), promtool (Debian package prometheus, Prometheus's own format checker) and
# Debian's chromium, which the dashboard tests drive through Playwright (no browser is ever downloaded), Debian's
# postgresql: a throwaway cluster (tests/postgres-server.sh) serves the PostgreSQL store's tests and is stopped at the end,
# and clang with zlib1g-dev, for the consumer matrix's Native AOT publish (tests/Consumers).
# Results land in TestResults/*.trx. Tests that need a tool fail, naming it, when it could not be installed.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
command -v promtool >/dev/null || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# The consumer matrix publishes one app with Native AOT, whose linker step needs clang and zlib's headers.
command -v clang >/dev/null || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages the tests need: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
    || echo "warning: could not install ${missing[*]}; the tests that need them will fail and say so." >&2
fi
if command -v npm >/dev/null; then
  npm ci --prefix tests/node-clients --silent || echo "warning: npm ci failed in tests/node-clients; the Node client tests will fail and say so." >&2
fi

# The PostgreSQL tests read the server from ANALYTICS_POSTGRES; when it cannot start they fail and say so.
if [ -z "${ANALYTICS_POSTGRES:-}" ]; then
  if server=$(tests/postgres-server.sh start); then
    eval "$server"
    trap 'tests/postgres-server.sh stop "$ANALYTICS_POSTGRES_DIR"' EXIT
  else
    echo "warning: could not start a PostgreSQL server; the PostgreSQL tests will fail and say so." >&2
  fi
fi

rm -rf TestResults
dotnet build Analytics.sln -c Release

# The house style (.editorconfig): `dotnet format --verify-no-changes` over the solution. Its verdict reaches the
# results as the test CodeStyleTests, so that a file the formatter would rewrite is a failed test, not a silent log line.
mkdir -p TestResults
if dotnet format Analytics.sln --verify-no-changes --no-restore -v q >TestResults/format.log 2>&1; then
  export ANALYTICS_FORMAT_CHECK=passed
else
  export ANALYTICS_FORMAT_CHECK=failed
  cat TestResults/format.log >&2
fi
dotnet test Analytics.sln -c Release --no-build \
  --results-directory TestResults \
  --logger "trx" \
  --logger "console;verbosity=normal" \
  "$@"
