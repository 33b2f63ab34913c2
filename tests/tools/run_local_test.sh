#!/usr/bin/env bash
# tools/run-local takes its ports and its data directory from the environment (README):
# started on free ports with COLLECTONCE_VAR in a scratch directory, both daemons answer
# on exactly those ports, and Ctrl-C (SIGTERM here) stops them.
#   run_local_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC="$1"
BUILD="$2"
SCRATCH="$(mktemp -d /tmp/collectonce-run-local-XXXXXX)"
runner=""
cleanup() {
  [ -n "$runner" ] && kill -TERM "$runner" 2>/dev/null && wait "$runner" 2>/dev/null || true
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# Four free loopback ports (closed again at once; the daemons bind them next).
read -r P1 P2 P3 P4 < <(/usr/bin/python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)
export COLLECTONCE_VAR="$SCRATCH/var"
export REGISTRYD_LISTEN="127.0.0.1:$P1" REGISTRYD_ADMIN_LISTEN="127.0.0.1:$P2"
export REUSE_GATEWAYD_LISTEN="127.0.0.1:$P3" REUSE_GATEWAYD_ADMIN_LISTEN="127.0.0.1:$P4"

"$SRC/tools/run-local" "$BUILD" >"$SCRATCH/out.txt" 2>"$SCRATCH/err.txt" &
runner=$!
for _ in $(seq 1 600); do
  grep -q "collect-once is running" "$SCRATCH/out.txt" 2>/dev/null && break
  kill -0 "$runner" 2>/dev/null || { cat "$SCRATCH/err.txt" >&2; echo "run-local exited" >&2; exit 1; }
  sleep 0.1
done
grep -q "collect-once is running" "$SCRATCH/out.txt" || { echo "run-local did not start in 60 s" >&2; cat "$SCRATCH/err.txt" >&2; exit 1; }

fail=0
for port in "$P2" "$P4"; do
  body="$(/usr/bin/python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=5).read().decode().strip())")" || body=""
  if [ "$body" != "ok" ]; then echo "admin port $port: '$body'" >&2; fail=1; fi
done
grep -q "registryd        gRPC 127.0.0.1:$P1" "$SCRATCH/out.txt" || { echo "the registry's address is not printed" >&2; fail=1; }
# The demo enterprises took effect on their establishment dates (docs/api.md's --valid-at
# example), and a date before that says nothing was in effect.
CTL="$BUILD/tools/registryctl/registryctl --registry 127.0.0.1:$P1"
$CTL record get enterprises/91350400MA2YQ8KX1E --valid-at 2026-03-01 --fields name >"$SCRATCH/get.txt" 2>&1 &&
  grep -q "market-regulation  2017-11-08" "$SCRATCH/get.txt" ||
  { echo "the demo's valid-from date is not 2017-11-08:" >&2; cat "$SCRATCH/get.txt" >&2; fail=1; }
$CTL record get enterprises/91350400MA2YQ8KX1E --valid-at 2010-01-01 >"$SCRATCH/get.txt" 2>&1 &&
  grep -q "nothing was in effect on 2010-01-01" "$SCRATCH/get.txt" ||
  { echo "no 'nothing was in effect' line:" >&2; cat "$SCRATCH/get.txt" >&2; fail=1; }
grep -q "grpc_address\":\"127.0.0.1:$P1" "$COLLECTONCE_VAR/registryd.log" || { echo "registryd is not on $P1" >&2; fail=1; }
grep -q "grpc_address\":\"127.0.0.1:$P3" "$COLLECTONCE_VAR/reuse-gatewayd.log" || { echo "reuse-gatewayd is not on $P3" >&2; fail=1; }

kill -TERM "$runner"
wait "$runner" || { echo "run-local did not stop cleanly" >&2; fail=1; }
runner=""
grep -q '"msg":"stopped"' "$COLLECTONCE_VAR/registryd.log" || { echo "registryd did not stop cleanly" >&2; fail=1; }
exit "$fail"
