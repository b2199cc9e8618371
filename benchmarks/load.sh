#!/usr/bin/env bash
# Load test: the sample's cheapest route (/ping) driven by wrk on 127.0.0.1, in three modes started side by side:
#   off      the sample without the library (--no-analytics)
#   sampled  analytics on, RawSampleRate=0: rollups, live feed and metrics, no raw rows
#   raw      analytics on, every raw row kept (the default), the database in the run's own folder
#   default  as raw, with the database where the library puts it when no store is chosen (its default location; here
#            under the run's folder through XDG_DATA_HOME)
#   contentroot  as raw, with the database in the server's content root, which appsettings.json's reload-on-change
#            watches (the library's default before issue 22) — MODES="off raw default contentroot" compares the three
#   consumer     as raw, with ConsumerHeader=X-Client-Id: every request also counted in the per-consumer rollups
#   sampled-consumer  as sampled, with ConsumerHeader=X-Client-Id
#   When a consumer mode is listed, wrk sends X-Client-Id (one of CONSUMERS names, in turn) to EVERY mode, so the
#   modes differ only in whether the library reads it: MODES="off sampled sampled-consumer raw consumer".
# Every server runs with an empty folder of the run as its content root.
# Rounds are interleaved (off, sampled, raw, off, …) so that drift on the shared cores hits every mode alike. The main
# figure is the server's CPU time per request (utime+stime from /proc/PID/stat over the round, divided by the
# requests wrk completed), because on two shared cores requests per second vary ±10–15 % from run to run. The server
# is pinned to core 0 and wrk to core 1, so the two never compete for a core. Bounded: 3 × WARMUP + ROUNDS × 3 × (DURATION + 2 s).
#
#   benchmarks/load.sh                       # 20 s warm-up, then 5 rounds of 10 s per mode, 32 connections
#   ROUNDS=3 DURATION=5 CONNECTIONS=64 benchmarks/load.sh
#   TOGETHER=1 ROUNDS=15 benchmarks/load.sh   # each round drives the three servers at the same time
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-20}
TOGETHER=${TOGETHER:-0}
ROUTE=${ROUTE:-/ping}
CONSUMERS=${CONSUMERS:-3}
read -r -a MODES <<<"${MODES:-off sampled raw}"

if ! command -v wrk >/dev/null; then
  echo "Installing wrk (Debian package wrk)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # A fresh machine's package lists may be empty: read them once if the package is not found.
  $sudo apt-get install -y -qq wrk >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk >/dev/null; }
fi

dotnet build samples/Analytics.Sample -c Release -v quiet -nologo >/dev/null
sample="$PWD/samples/Analytics.Sample/bin/Release/net10.0/Analytics.Sample.dll"
work=$(mktemp -d /tmp/analytics-load.XXXXXX)
mkdir -p "$work/app"
declare -A pid port
cleanup() {
  for mode in "${MODES[@]}"; do
    [ -n "${pid[$mode]:-}" ] && kill "${pid[$mode]}" 2>/dev/null && wait "${pid[$mode]}" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Ports from the ephemeral range's far end, checked free.
next_port=18080
for mode in "${MODES[@]}"; do
  while (exec 3<>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null; do next_port=$((next_port + 1)); done
  port[$mode]=$next_port
  next_port=$((next_port + 1))
  case $mode in
    off) flags=(--no-analytics) ;;
    sampled) flags=(--RequestAnalytics:RawSampleRate 0) ;;
    raw) flags=() ;;
    default|contentroot) flags=() ;;
    consumer) flags=(--RequestAnalytics:ConsumerHeader X-Client-Id) ;;
    sampled-consumer) flags=(--RequestAnalytics:RawSampleRate 0 --RequestAnalytics:ConsumerHeader X-Client-Id) ;;
    *) echo "unknown mode $mode"; exit 2 ;;
  esac
  database="$work/$mode.db"
  [ "$mode" = default ] && database=default
  [ "$mode" = contentroot ] && database=contentroot.db # relative: in the content root
  # Logging at Warning: the console logger would otherwise cost CPU per request in every mode.
  (cd "$work/app" && XDG_DATA_HOME="$work/data" exec taskset -c 0 dotnet "$sample" --no-demo-traffic --urls "http://127.0.0.1:${port[$mode]}" \
    --Sample:Database "$database" --Logging:LogLevel:Default Warning "${flags[@]}" >"$work/$mode.log" 2>&1) &
  pid[$mode]=$!
done

# With a consumer mode, every wrk connection sends X-Client-Id, cycling through CONSUMERS names.
wrk_script=()
if [[ " ${MODES[*]} " == *consumer* ]]; then
  cat >"$work/consumers.lua" <<LUA
local n, i = $CONSUMERS, 0
request = function()
  i = i % n + 1
  return wrk.format(nil, nil, { ["X-Client-Id"] = "consumer-" .. i })
end
LUA
  wrk_script=(-s "$work/consumers.lua")
fi

for mode in "${MODES[@]}"; do
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:${port[$mode]}$ROUTE" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:${port[$mode]}$ROUTE" >/dev/null || { echo "the $mode server did not start:"; cat "$work/$mode.log"; exit 1; }
  # Warm-up until tiered compilation has promoted the hot paths: after a few seconds much of the analytics code is
  # still tier-0 (seen with perf), which would charge startup cost to the analytics modes.
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "${wrk_script[@]}" "http://127.0.0.1:${port[$mode]}$ROUTE" >/dev/null
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

echo "round mode requests cpu_s us_per_request rps p99" >"$work/results"
record() { # round mode cpu_ticks_before cpu_ticks_after wrk_output
  local requests rps p99
  requests=$(awk '/requests in/ { print $1 }' <<<"$5")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$5")
  # wrk prints p99 with its own unit (us, ms, s): convert to milliseconds.
  p99=$(awk '$1 == "99%" { v = $2 + 0; if ($2 ~ /us$/) v /= 1000; else if ($2 ~ /[0-9]s$/) v *= 1000; print v }' <<<"$5")
  if grep -q "Non-2xx\|Socket errors" <<<"$5"; then echo "round $1 $2: $(grep 'Non-2xx\|Socket errors' <<<"$5")"; fi
  awk -v r="$1" -v m="$2" -v n="$requests" -v t=$(($4 - $3)) -v hz="$ticks_per_second" -v rps="$rps" -v p99="$p99" \
    'BEGIN { s = t / hz; printf "%s %s %d %.2f %.3f %s %s\n", r, m, n, s, s * 1e6 / n, rps, p99 }' >>"$work/results"
  tail -1 "$work/results"
}

declare -A ticks_before wrk_pid
for round in $(seq 1 "$ROUNDS"); do
  if [ "$TOGETHER" = 1 ]; then
    # All modes at once, each server under its own wrk: whatever the machine does during the round (another tenant,
    # memory reclaim, frequency) it does to every mode alike. The servers share core 0 and the clients core 1.
    for mode in "${MODES[@]}"; do ticks_before[$mode]=$(cpu_ticks "${pid[$mode]}"); done
    for mode in "${MODES[@]}"; do
      taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${wrk_script[@]}" "http://127.0.0.1:${port[$mode]}$ROUTE" >"$work/$mode.wrk" &
      wrk_pid[$mode]=$!
    done
    for mode in "${MODES[@]}"; do wait "${wrk_pid[$mode]}"; done
    sleep 2 # the writers commit what the round queued (FlushInterval is 1 s), so their CPU lands in this round
    for mode in "${MODES[@]}"; do record "$round" "$mode" "${ticks_before[$mode]}" "$(cpu_ticks "${pid[$mode]}")" "$(cat "$work/$mode.wrk")"; done
    continue
  fi

  for mode in "${MODES[@]}"; do
    before=$(cpu_ticks "${pid[$mode]}")
    out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "${wrk_script[@]}" "http://127.0.0.1:${port[$mode]}$ROUTE")
    # Let the writer commit what the round queued (FlushInterval is 1 s), so its CPU lands in this round.
    sleep 2
    record "$round" "$mode" "$before" "$(cpu_ticks "${pid[$mode]}")" "$out"
  done
done

echo
echo "Per mode, median over $ROUNDS rounds (server pinned to core 0, wrk -t1 -c$CONNECTIONS on core 1, $DURATION s per round, $ROUTE):"
echo
awk -v list="${MODES[*]}" '
  NR > 1 { n[$2]++; us[$2, n[$2]] = $5; rps[$2, n[$2]] = $6; p99[$2, n[$2]] = $7; req[$2] += $3 }
  function median(a, m, k,   v, i, j, t) {
    for (i = 1; i <= k; i++) v[i] = a[m, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
  }
  END {
    base = median(us, "off", n["off"])
    print "| Mode | Requests (all rounds) | CPU µs/request | Added µs/request | Ratio to off | RPS | p99 ms |"
    print "|------|----------------------:|---------------:|-----------------:|-------------:|----:|----:|"
    count = split(list, modes, " ")
    for (i = 1; i <= count; i++) {
      m = modes[i]; u = median(us, m, n[m])
      printf "| %s | %d | %.2f | %+.2f | %.3f | %.0f | %.2f |\n", m, req[m], u, u - base, u / base, median(rps, m, n[m]), median(p99, m, n[m])
    }
  }' "$work/results"

# Each round runs the modes back to back, so a round's differences are taken a few seconds apart: their median is
# less exposed to the machine's drift (the baseline alone moves ±10 % between rounds) than the difference of medians.
echo
awk -v list="${MODES[*]}" '
  NR > 1 { us[$1, $2] = $5; if ($1 > n) n = $1 }
  function median(v, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
  }
  END {
    count = split(list, modes, " ")
    for (i = 1; i <= count; i++) {
      base = modes[i] == "default" && index(" " list " ", " raw ") ? "raw" : "off"
      if (modes[i] == "consumer" && index(" " list " ", " raw ")) base = "raw"
      if (modes[i] == "sampled-consumer" && index(" " list " ", " sampled ")) base = "sampled"
      if (modes[i] == base || (base == "off" && !index(" " list " ", " off "))) continue
      k = 0; text = ""
      for (r = 1; r <= n; r++) { k++; d[k] = us[r, modes[i]] - us[r, base] }
      for (j = 1; j <= k; j++) { text = text sprintf(" %+.2f", d[j]) }
      printf "%s minus %s, round by round:%s; median %+.2f µs/request\n", modes[i], base, text, median(d, k)
      delete d
    }
  }' "$work/results"

for mode in "${MODES[@]}"; do
  [ "$mode" = off ] && continue
  db="$work/$mode.db"
  [ "$mode" = default ] && db=$(ls "$work"/data/Analytics/*/analytics.db)
  [ "$mode" = contentroot ] && db="$work/app/contentroot.db"
  rows=$(sqlite3 "$db" 'SELECT count(*) FROM requests' 2>/dev/null || echo "? (no sqlite3 CLI)")
  echo "$mode: database $(du -cb "$db"* | tail -1 | cut -f1) bytes on disk (file + WAL), raw rows: $rows"
done
