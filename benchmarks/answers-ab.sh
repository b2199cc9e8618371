#!/usr/bin/env bash
# A/B of two builds' answers: did a change to the reads or the schema change a number the API gives? Both builds of the
# sample open their own copy of one database file (the old build's schema, so the new build upgrades its copy as a user's
# file would be upgraded), and each answers the same calls: every read of the dashboard over five ranges that end a day
# before the file's newest hour (retention at start-up purges nothing either reads), each without a filter, with a
# release, with a consumer, and compared with the previous period and the previous release. The bodies must be
# identical, byte for byte, but for the trace id of a refused call's problem details.
#
#   git worktree add /tmp/before <rev> && (cd /tmp/before && dotnet build samples/Analytics.Sample -c Release)
#   OLD=/tmp/before/samples/Analytics.Sample/bin/Release/net10.0/Analytics.Sample.dll \
#     DATABASE=benchmarks/data/requests-100000000-90d-retained.db benchmarks/answers-ab.sh
#
# DATABASE is a file `generate` wrote with the old build (or any file of its schema); it is not changed. Bounded: two
# copies of the file in a temporary directory, two servers, 250 calls each; it stops the servers and removes the copies.
set -u
cd "$(dirname "$0")/.."
: "${OLD:?set OLD to the Analytics.Sample.dll of the other build}"
: "${DATABASE:?set DATABASE to a database file written by the old build}"
dotnet build samples/Analytics.Sample -c Release -v quiet -nologo >/dev/null
NEW=$PWD/samples/Analytics.Sample/bin/Release/net10.0/Analytics.Sample.dll
work=$(mktemp -d /tmp/analytics-answers.XXXXXX)
declare -A pid port
trap 'for n in old new; do [ -n "${pid[$n]:-}" ] && kill "${pid[$n]}" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT

# The newest hour bucket in the file (microseconds since the epoch), read with Python's sqlite3: the ranges end a day before.
newest=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT max(bucket_start) FROM request_rollups WHERE granularity = 1").fetchone()[0])' "$DATABASE")
end=$(date -u -d "@$((newest / 1000000 / 86400 * 86400 - 86400))" +%Y-%m-%dT%H:%M:%SZ)
at() { date -u -d "$end $1" +%Y-%m-%dT%H:%M:%SZ; }
ranges=("from=$(at '-88 days')&to=$end" "from=$(at '-7 days')&to=$end" "from=$(at '-7 days + 5 hours')&to=$(at '-5 hours')"
  "from=$(at '-1 day')&to=$end" "from=$(at '-14 hours')&to=$(at '-7 hours -30 minutes')")
release=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT release FROM request_rollups WHERE granularity = 2 AND release <> \"\" ORDER BY bucket_start DESC LIMIT 1").fetchone()[0])' "$DATABASE")
consumer=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT consumer FROM consumer_rollups WHERE granularity = 2 GROUP BY consumer ORDER BY sum(count) DESC LIMIT 1").fetchone()[0])' "$DATABASE")

next_port=18700
for n in old new; do
  while (exec 3<>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null; do next_port=$((next_port + 1)); done
  port[$n]=$next_port
  next_port=$((next_port + 1))
  cp "$DATABASE" "$work/$n.db"
  case $n in old) dll=$OLD ;; *) dll=$NEW ;; esac
  (cd "$work" && exec dotnet "$dll" --no-demo-traffic --urls "http://127.0.0.1:${port[$n]}" --Sample:Database "$work/$n.db" \
    --Logging:LogLevel:Default Warning >"$work/$n.log" 2>&1) &
  pid[$n]=$!
done

for n in old new; do
  ok=
  for _ in $(seq 1 1200); do curl -fsS -o /dev/null "http://127.0.0.1:${port[$n]}/analytics/api/overview?range=1h" 2>/dev/null && ok=1 && break; sleep 0.1; done
  [ -n "$ok" ] || { echo "the $n server did not answer within 120 s:"; tail -20 "$work/$n.log"; exit 1; }
done

calls=0
same=0
for range in "${ranges[@]}"; do
  for endpoint in overview timeseries routes consumers releases heatmap status-codes errors endpoints slos; do
    for filter in "" "&release=$release" "&consumer=$consumer" "&compare=previous-period" "&compare=previous-release"; do
      calls=$((calls + 1))
      for n in old new; do
        curl -sS "http://127.0.0.1:${port[$n]}/analytics/api/$endpoint?$range$filter" | sed 's/"traceId":"[^"]*"//' >"$work/$n.json"
      done
      if cmp -s "$work/old.json" "$work/new.json"; then
        same=$((same + 1))
      else
        echo "differs: $endpoint?$range$filter"
        diff <(head -c 2000 "$work/old.json") <(head -c 2000 "$work/new.json") | head -6
      fi
    done
  done
done

echo "$same of $calls answers identical (ranges end $end; release $release; consumer $consumer)"
[ "$same" -eq "$calls" ]
