#!/usr/bin/env bash
# Tail latency at a fixed request rate: the sample's /ping at a quarter and at a half of capacity, in the modes of
# load.sh (off, sampled, raw), servers pinned to core 0 and the load generator to core 1, interleaved rounds. Capacity
# is the `off` server's saturated requests per second (wrk -t1 -c32, as load.sh), measured in the same run after the
# warm-up; each round also drives every mode at saturation with wrk (its p99, as load.sh reports it).
#
# Load generator: hey (Debian package hey), installed when missing. hey holds a rate (-q per worker × -c workers), which
# wrk cannot. It is closed-loop per worker: a worker whose response is late sends its next request late, and ticks
# missed meanwhile are skipped, so a stall longer than one worker's interval is under-counted (coordinated omission):
# it is seen once per worker, not once per request that was due; the RPS column shows the requests it cost. The
# workers' tickers start together, so requests arrive in bursts of one per worker: PER_WORKER (default 1 000 requests
# a second a worker, a 1 ms interval) trades the two. 100 a second (bursts of 60 at 6 000/s) raised `off`'s p99
# from 1.4 to 6.8 ms. httperf, Debian's open-loop generator, opens a connection per request at the rate but reports
# no percentiles, only 1 ms histogram bins.
# hey prints latencies to 0.1 ms; the p99 here is interpolated within that bin from hey's per-request CSV, so a
# figure moves smoothly with the tail instead of in 0.1 ms steps.
#
#   benchmarks/fixed-rate.sh                          # 15 s warm-up, 5 rounds of 6 s per mode and rate
#   ROUNDS=3 DURATION=5 MODES="off raw" benchmarks/fixed-rate.sh
#   KEEP=/tmp/fr benchmarks/fixed-rate.sh             # keep hey's CSV (offset, latency per request) and the logs
#   OLD=…/Analytics.Sample.dll MODES="off old-raw raw" benchmarks/fixed-rate.sh   # old-*: that build (see load-ab.sh)
# Bounded: build + 3 × (WARMUP + 1) + CAPACITY + ROUNDS × 3 × (2 × DURATION + SATURATION + 3 s); about 6 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-6}
SATURATION=${SATURATION:-5}
WARMUP=${WARMUP:-15}
CAPACITY=${CAPACITY:-8}
PER_WORKER=${PER_WORKER:-1000}
ROUTE=${ROUTE:-/ping}
read -r -a MODES <<<"${MODES:-off sampled raw}"
read -r -a SHARES <<<"${SHARES:-25 50}"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
for tool in hey wrk; do
  if ! command -v $tool >/dev/null; then
    echo "Installing $tool (Debian package $tool)"
    # A fresh machine's package lists may be empty: read them once if the package is not found.
    $sudo apt-get install -y -qq $tool >/dev/null 2>&1 \
      || { $sudo apt-get update -qq && $sudo apt-get install -y -qq $tool >/dev/null; }
  fi
done

dotnet build samples/Analytics.Sample -c Release -v quiet -nologo >/dev/null
sample="$PWD/samples/Analytics.Sample/bin/Release/net10.0/Analytics.Sample.dll"
work=$(mktemp -d /tmp/analytics-fixed-rate.XXXXXX)
mkdir -p "$work/app"
declare -A pid port
cleanup() {
  for mode in "${MODES[@]}"; do
    [ -n "${pid[$mode]:-}" ] && kill "${pid[$mode]}" 2>/dev/null && wait "${pid[$mode]}" 2>/dev/null
  done
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp "$work"/*.csv "$work"/*.log "$work/results" "$KEEP"/ 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

next_port=18280
for mode in "${MODES[@]}"; do
  while (exec 3<>"/dev/tcp/127.0.0.1/$next_port") 2>/dev/null; do next_port=$((next_port + 1)); done
  port[$mode]=$next_port
  next_port=$((next_port + 1))
  dll=$sample
  case $mode in old-*) dll=${OLD:?set OLD to the Analytics.Sample.dll of the other build} ;; esac
  case ${mode#old-} in
    off) flags=(--no-analytics) ;;
    sampled) flags=(--RequestAnalytics:RawSampleRate 0) ;;
    raw) flags=() ;;
    *) echo "unknown mode $mode"; exit 2 ;;
  esac
  (cd "$work/app" && exec taskset -c 0 dotnet "$dll" --no-demo-traffic --urls "http://127.0.0.1:${port[$mode]}" \
    --Sample:Database "$work/$mode.db" --Logging:LogLevel:Default Warning "${flags[@]}" >"$work/$mode.log" 2>&1) &
  pid[$mode]=$!
done

url() { echo "http://127.0.0.1:${port[$1]}$ROUTE"; }
for mode in "${MODES[@]}"; do
  for _ in $(seq 1 300); do curl -fsS "$(url "$mode")" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "$(url "$mode")" >/dev/null || { echo "the $mode server did not start:"; cat "$work/$mode.log"; exit 1; }
  # Until tiered compilation has promoted the hot paths (see load.sh).
  taskset -c 1 wrk -t1 -c32 -d"${WARMUP}s" "$(url "$mode")" >/dev/null
  sleep 1
done

rps_of() { awk '/Requests\/sec/ { print $2 }' <<<"$1"; }
capacity=$(rps_of "$(taskset -c 1 wrk -t1 -c32 -d"${CAPACITY}s" "$(url "${MODES[0]}")")")
sleep 1
echo "capacity (${MODES[0]}, wrk -t1 -c32, ${CAPACITY} s): $capacity requests/s"

# p99 of hey's CSV in milliseconds, interpolated inside the 0.1 ms bin hey rounds to; also the rate reached and
# the share of requests that failed.
p99_of_csv() {
  awk -F, 'NR > 1 { if ($7 == 200) print $1 * 1000; else bad++ } END { if (bad) print "bad " bad > "/dev/stderr" }' "$1" |
    sort -n | awk '{ v[NR] = $1 } END {
      k = 0.99 * NR; i = int(k); if (i < 1) i = 1
      a = i; while (a > 1 && v[a - 1] == v[i]) a--
      b = i; while (b < NR && v[b + 1] == v[i]) b++
      printf "%.3f\n", v[i] - 0.05 + 0.1 * (k - a + 1) / (b - a + 1)
    }'
}

echo "round mode load rps p99_ms" >"$work/results"
for round in $(seq 1 "$ROUNDS"); do
  for mode in "${MODES[@]}"; do
    for share in "${SHARES[@]}"; do
      rate=$(awk -v c="$capacity" -v s="$share" 'BEGIN { printf "%d", c * s / 100 }')
      workers=$(( (rate + PER_WORKER - 1) / PER_WORKER ))
      q=$(awk -v r="$rate" -v w="$workers" 'BEGIN { printf "%.3f", r / w }')
      csv="$work/$mode-$share-$round.csv"
      taskset -c 1 hey -z "${DURATION}s" -c "$workers" -q "$q" -cpus 1 -o csv "$(url "$mode")" >"$csv"
      reached=$(awk -F, -v d="$DURATION" 'NR > 1 { n++ } END { printf "%.0f", n / d }' "$csv")
      echo "$round $mode $share% $reached $(p99_of_csv "$csv")" | tee -a "$work/results"
      [ -n "${KEEP:-}" ] || rm -f "$csv"
      sleep 1 # the writer commits what the run queued (FlushInterval is 1 s) before the next load starts
    done
    out=$(taskset -c 1 wrk -t1 -c32 -d"${SATURATION}s" --latency "$(url "$mode")")
    p99=$(awk '$1 == "99%" { v = $2 + 0; if ($2 ~ /us$/) v /= 1000; else if ($2 ~ /[0-9]s$/) v *= 1000; print v }' <<<"$out")
    echo "$round $mode saturated $(rps_of "$out") $p99" | tee -a "$work/results"
    sleep 1
  done
done

# A writer that falls behind shows as records dropped (queue full), not as latency: every mode with analytics says.
for mode in "${MODES[@]}"; do
  case ${mode#old-} in off) continue ;; esac
  dropped=$(curl -fsS "http://127.0.0.1:${port[$mode]}/analytics/metrics" | awk '$1 == "analytics_records_dropped_total" { print $2 }')
  echo "$mode: ${dropped:-?} records dropped"
done

echo
echo "Median p99 over $ROUNDS rounds (server on core 0; hey on core 1, $PER_WORKER requests/s per worker, $DURATION s;"
echo "saturated: wrk -t1 -c32, $SATURATION s). Capacity ${capacity} requests/s (${MODES[0]}). Ratio to ${MODES[0]} at the same load:"
echo
awk -v list="${MODES[*]}" -v loads="$(printf '%s%% ' "${SHARES[@]}")saturated" '
  NR > 1 { n[$2, $3]++; p[$2, $3, n[$2, $3]] = $5; r[$2, $3, n[$2, $3]] = $4 }
  function median(a, m, l, k,   v, i, j, t) {
    for (i = 1; i <= k; i++) v[i] = a[m, l, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
  }
  END {
    count = split(list, modes, " "); lc = split(loads, ls, " ")
    header = "| Mode |"; rule = "|------|"
    for (j = 1; j <= lc; j++) { header = header " " ls[j] ": RPS | p99 ms | ratio |"; rule = rule "----:|----:|----:|" }
    print header; print rule
    for (i = 1; i <= count; i++) {
      m = modes[i]; line = "| " m " |"
      for (j = 1; j <= lc; j++) {
        l = ls[j]; k = n[m, l]; base = median(p, modes[1], l, n[modes[1], l]); v = median(p, m, l, k)
        line = line sprintf(" %.0f | %.2f | %.2f |", median(r, m, l, k), v, v / base)
      }
      print line
    }
  }' "$work/results"
