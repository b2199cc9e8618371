#!/usr/bin/env bash
# A/B of two builds of the sample in the same modes, in interleaved rounds: did a change move the server's CPU per
# request? Same measure as load.sh (utime+stime from /proc over a wrk round plus 2 s, divided by the requests served;
# server pinned to core 0, wrk to core 1), reported as each build's median and the median of per-round differences.
#
#   git worktree add /tmp/before <rev> && (cd /tmp/before && dotnet build samples/Analytics.Sample -c Release)
#   OLD=/tmp/before/samples/Analytics.Sample/bin/Release/net10.0/Analytics.Sample.dll benchmarks/load-ab.sh
#   NAMES="old-raw new-raw" ROUNDS=25 OLD=… benchmarks/load-ab.sh
#
# Bounded: 20 s warm-up per server, then ROUNDS × servers × (DURATION + 2 s); it stops the servers it started.
set -u
cd "$(dirname "$0")/.."
: "${OLD:?set OLD to the Analytics.Sample.dll of the other build}"
dotnet build samples/Analytics.Sample -c Release -v quiet -nologo >/dev/null
NEW=$PWD/samples/Analytics.Sample/bin/Release/net10.0/Analytics.Sample.dll
ROUNDS=${ROUNDS:-15}
DURATION=${DURATION:-5}
read -r -a names <<<"${NAMES:-old-sampled new-sampled old-raw new-raw}"
work=$(mktemp -d /tmp/analytics-ab.XXXXXX)
declare -A pid port
trap 'for n in "${names[@]}"; do [ -n "${pid[$n]:-}" ] && kill "${pid[$n]}" 2>/dev/null; done; rm -rf "$work"' EXIT

next_port=18600
for n in "${names[@]}"; do
  while (exec 3<>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null; do next_port=$((next_port + 1)); done
  port[$n]=$next_port
  next_port=$((next_port + 1))
  case $n in old-*) dll=$OLD ;; *) dll=$NEW ;; esac
  case $n in *sampled) flags=(--RequestAnalytics:RawSampleRate 0) ;; *) flags=() ;; esac
  # The working directory outside the repository: the content root's configuration watcher stays out of the figures.
  (cd "$work" && exec taskset -c 0 dotnet "$dll" --no-demo-traffic --urls "http://127.0.0.1:${port[$n]}" \
    --Sample:Database "$work/$n.db" --Logging:LogLevel:Default Warning "${flags[@]}" >"$work/$n.log" 2>&1) &
  pid[$n]=$!
done

for n in "${names[@]}"; do
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:${port[$n]}/ping" >/dev/null 2>&1 && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c32 -d20s "http://127.0.0.1:${port[$n]}/ping" >/dev/null
done

hz=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
  for n in "${names[@]}"; do
    before=$(awk '{ print $14 + $15 }' "/proc/${pid[$n]}/stat")
    requests=$(taskset -c 1 wrk -t1 -c32 -d"${DURATION}s" "http://127.0.0.1:${port[$n]}/ping" | awk '/requests in/ { print $1 }')
    sleep 2
    after=$(awk '{ print $14 + $15 }' "/proc/${pid[$n]}/stat")
    awk -v r="$r" -v n="$n" -v t=$((after - before)) -v hz="$hz" -v q="$requests" 'BEGIN { printf "%s %s %.3f\n", r, n, t / hz * 1e6 / q }'
  done
done | tee "$work/results"

python3 - "$work/results" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, name, us = line.split()
    runs[name][int(r)] = float(us)
for name, values in runs.items():
    print(f"{name}: median {statistics.median(values.values()):.2f} µs/request")
for mode in ("sampled", "raw"):
    if f"old-{mode}" in runs and f"new-{mode}" in runs:
        diffs = [runs[f"new-{mode}"][r] - runs[f"old-{mode}"][r] for r in runs[f"old-{mode}"]]
        print(f"{mode}: new minus old, round by round: {' '.join(f'{d:+.2f}' for d in diffs)}; median {statistics.median(diffs):+.2f} µs/request")
PY
