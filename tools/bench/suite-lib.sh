# tools/bench/suite-lib.sh — what the benchmark suites share (sourced, not run): daemons
# started and stopped, measurements kept one line per run in $RESULTS, interleaved A B A B A
# rounds and their ratios. The caller sets T0, RESULTS and $SUITE_NAME (for log lines).

log() { printf '[%s %4ds] %s\n' "${SUITE_NAME:-suite}" "$(( $(date +%s) - T0 ))" "$*" >&2; }

pids=()
cleanup() {
  # CONT too: a daemon a suite stopped (SIGSTOP) acts on TERM only once it runs again.
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; kill -CONT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# start NAME LOGFILE CMD… : starts a daemon, waits for "serving gRPC on H:P", sets ADDR and PID.
start() {
  local name="$1" logf="$2"; shift 2
  "$@" >"$logf" 2>&1 &
  PID=$!
  pids+=("$PID")
  for _ in $(seq 1 1800); do  # a restart after the pre-load replays its WAL first
    ADDR=$(sed -n 's/.*serving gRPC on \([^ ,]*:[0-9]*\).*/\1/p' "$logf" | head -1)
    [ -n "$ADDR" ] && return 0
    kill -0 "$PID" 2>/dev/null || { log "$name exited:"; cat "$logf" >&2; exit 1; }
    sleep 0.1
  done
  log "$name did not start in 180 s"; cat "$logf" >&2; exit 1
}

stop() {  # PID
  kill -TERM "$1"; wait "$1" 2>/dev/null || true
  local keep=(); for p in "${pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
  pids=("${keep[@]}")
}

kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

# run GOAL SIDE CMD… : runs one loadgen/rocks_baseline measurement and keeps its line.
run() {
  local goal="$1" side="$2"; shift 2
  local line
  line=$("$@" | grep -E '^(loadgen|rocks_baseline):' | tail -1)
  echo "$goal $side $line" >>"$RESULTS"
  log "$goal $side: $line"
}

# ABABA GOAL A_CMD… -- B_CMD… : baseline, registry, baseline, registry, baseline.
ababa() {
  local goal="$1"; shift
  local a=() b=() in_b=0
  for x in "$@"; do
    if [ "$x" = "--" ]; then in_b=1; elif [ $in_b = 0 ]; then a+=("$x"); else b+=("$x"); fi
  done
  for side in A B A B A; do
    if [ "$side" = A ]; then run "$goal" A "${a[@]}"; else run "$goal" B "${b[@]}"; fi
  done
}

# ratio GOAL KEY HOW : median and spread over the B runs of KEY(B) against the mean of its two
# neighbouring A runs; HOW "b/a" or "a/b".
ratio() {
  awk -v goal="$1" -v key="$2" -v how="$3" '
    $1 == goal {
      v = ""; for (i = 3; i <= NF; ++i) { split($i, kv, "="); if (kv[1] == key) v = kv[2] }
      n++; side[n] = $2; val[n] = v + 0
    }
    END {
      m = 0
      for (i = 1; i <= n; ++i) if (side[i] == "B") {
        s = 0; c = 0
        if (i > 1 && side[i-1] == "A") { s += val[i-1]; c++ }
        if (i < n && side[i+1] == "A") { s += val[i+1]; c++ }
        if (c == 0 || val[i] == 0 || s == 0) continue
        a = s / c; r[++m] = (how == "b/a") ? val[i] / a : a / val[i]
      }
      if (m == 0) { print "n/a n/a n/a"; exit }
      for (i = 1; i <= m; ++i) for (j = i + 1; j <= m; ++j) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
      med = (m % 2) ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
      printf "%.2f %.2f %.2f\n", med, r[1], r[m]
    }' "$RESULTS"
}
# median GOAL SIDE KEY
median() {
  awk -v goal="$1" -v s="$2" -v key="$3" '
    $1 == goal && $2 == s { for (i = 3; i <= NF; ++i) { split($i, kv, "="); if (kv[1] == key) v[++n] = kv[2] + 0 } }
    END {
      if (n == 0) { print "n/a"; exit }
      for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      printf "%.1f\n", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }' "$RESULTS"
}
row() {  # GOAL SIDE label
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$3" \
    "$(median "$1" "$2" rate)" "$(median "$1" "$2" p50_us)" "$(median "$1" "$2" p99_us)" \
    "$(median "$1" "$2" p999_us)" "$(median "$1" "$2" max_us)" "$(median "$1" "$2" errors)" \
    "$(median "$1" "$2" cpu_us_per_call)"
}
HDR='| run | calls/s | p50 µs | p99 µs | p99.9 µs | max µs | errors | server CPU µs/call |
| --- | --- | --- | --- | --- | --- | --- | --- |'


# verdict VALUE OP GOAL : "met" or "missed" (OP "≥" or "≤"); "n/a" without a value.
verdict() {
  awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN {
    if (v == "n/a" || v == "") { print "n/a"; exit }
    ok = (op == "≥") ? (v + 0 >= g + 0) : (v + 0 <= g + 0)
    print ok ? "met" : "missed"
  }'
}

# audit_size : the number of entries in the audit log of $REGISTRYCTL_REGISTRY (asked with
# registryctl, $CTL).
audit_size() {
  "$CTL" audit head | tr -d ' \n' | sed -n 's/.*"treeSize":"\{0,1\}\([0-9]*\).*/\1/p'
}

# loopback_port : a TCP port free on 127.0.0.1 just now.
loopback_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_etcd NAME DATA_DIR LOGFILE : one etcd member (Debian's etcd-server) alone on loopback
# ports, its data in DATA_DIR; waits until it serves clients; sets ETCD_ADDR and PID.
start_etcd() {
  local name="$1" dir="$2" logf="$3" client peer
  client=$(loopback_port); peer=$(loopback_port)
  etcd --name "$name" --data-dir "$dir" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$name=http://127.0.0.1:$peer" --initial-cluster-state new \
    --initial-cluster-token "$name" >"$logf" 2>&1 &
  PID=$!
  pids+=("$PID")
  ETCD_ADDR="127.0.0.1:$client"
  for _ in $(seq 1 600); do
    grep -q 'ready to serve client requests' "$logf" 2>/dev/null && return 0
    kill -0 "$PID" 2>/dev/null || { log "$name exited:"; cat "$logf" >&2; exit 1; }
    sleep 0.1
  done
  log "$name did not start in 60 s"; cat "$logf" >&2; exit 1
}

# write_section HEADING OUT REPORT : replaces the section of OUT that starts with the line
# HEADING (up to the next "## " heading) by the file REPORT, or puts REPORT before the
# performance suite's generated section, or at the end.
write_section() {
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys
heading, out = sys.argv[1], sys.argv[2]
report = open(sys.argv[3], encoding="utf-8").read()
text = open(out, encoding="utf-8").read()
section = re.compile("^" + re.escape(heading) + r"\n.*?(?=^## |\Z)", re.S | re.M)
if section.search(text):
    text = section.sub(lambda m: report + "\n", text, count=1)
elif "\n## Performance suite\n" in text:
    text = text.replace("\n## Performance suite\n", "\n" + report + "\n## Performance suite\n", 1)
else:
    text = text.rstrip("\n") + "\n\n" + report
open(out, "w", encoding="utf-8").write(text)
PY
}

# apply_examples CTL EXAMPLES : applies the example catalog, matters, bundles, principals
# and evidence types to the registry $REGISTRYCTL_REGISTRY names.
apply_examples() {
  local ctl="$1" ex="$2"
  "$ctl" catalog apply -f "$ex/catalog/enterprise.txtpb" >/dev/null
  "$ctl" catalog apply -f "$ex/catalog/person.txtpb" >/dev/null
  "$ctl" matter apply -f "$ex/matters" >/dev/null
  "$ctl" bundle apply -f "$ex/bundles" >/dev/null
  "$ctl" principal apply -f "$ex/principals" >/dev/null
  "$ctl" evidence-type apply -f "$ex/evidence-types" >/dev/null
}
