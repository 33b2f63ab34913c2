#!/usr/bin/env bash
# Checks deploy/systemd: `systemd-analyze verify` on both units inside a temporary root
# where the daemons are installed at the paths ExecStart names (/usr/local/bin), and the
# hardening settings the units promise are present.
# Usage: check_systemd_units.sh DEPLOY_SYSTEMD_DIR REGISTRYD_BINARY GATEWAYD_BINARY CONSOLE_BINARY
set -euo pipefail
units="$1"
registryd="$2"
gatewayd="$3"
console="$4"
root="$(mktemp -d /tmp/collectonce-units-XXXXXX)"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/etc/collectonce" \
  "$root/usr/lib/systemd"
cp "$registryd" "$root/usr/local/bin/registryd"
cp "$gatewayd" "$root/usr/local/bin/reuse-gatewayd"
cp "$console" "$root/usr/local/bin/console"
# The units this host's systemd ships (targets the units refer to).
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$units/registryd.service" "$units/reuse-gatewayd.service" "$units/console.service" \
  "$root/etc/systemd/system/"
cp "$units/registryd.env.example" "$root/etc/collectonce/registryd.env"
cp "$units/reuse-gatewayd.env.example" "$root/etc/collectonce/reuse-gatewayd.env"
cp "$units/console.env.example" "$root/etc/collectonce/console.env"

fail=0
for unit in registryd.service reuse-gatewayd.service console.service; do
  # verify exits non-zero on errors; warnings about our units count as failures too.
  out="$(systemd-analyze verify --root="$root" "/etc/systemd/system/$unit" 2>&1)" || {
    echo "FAIL: systemd-analyze verify $unit:"; echo "$out"; fail=1; }
  if grep -F "$unit" <<<"$out" | grep -v "Failed to parse system call" >/dev/null; then
    echo "FAIL: systemd-analyze verify $unit reports:"; echo "$out"; fail=1
  fi
  for setting in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
      PrivateDevices=yes CapabilityBoundingSet= RestrictAddressFamilies= \
      SystemCallFilter=@system-service MemoryDenyWriteExecute=yes RestrictSUIDSGID=yes; do
    grep -q "^${setting}" "$units/$unit" || { echo "FAIL: $unit lacks $setting"; fail=1; }
  done
  grep -Eq '^(User=[a-z]|DynamicUser=yes)' "$units/$unit" || {
    echo "FAIL: $unit runs as root"; fail=1; }
  grep -q -- '--insecure' "$units/$unit" && { echo "FAIL: $unit runs --insecure"; fail=1; }
done
grep -q '^StateDirectory=collectonce-registry' "$units/registryd.service" || {
  echo "FAIL: registryd.service has no StateDirectory"; fail=1; }
grep -q '^Environment=REGISTRYD_DATA_DIR=/var/lib/collectonce-registry/' \
  "$units/registryd.service" || {
  echo "FAIL: registryd's data directory is not in its StateDirectory"; fail=1; }

# The backup directory operations.md names is one registryd may write under
# ProtectSystem=strict.
backups="$(grep -o 'registryctl backup create [^ ]*' "$(dirname "$units")/../docs/operations.md" \
  | head -1 | awk '{print $4}')"
grep -Eq "^ReadWritePaths=-?${backups}\$" "$units/registryd.service" || {
  echo "FAIL: registryd.service cannot write the documented backup directory '${backups}'"
  fail=1; }
# Every flag of the daemons has an environment variable (operations.md says so).
for bin in "$registryd" "$gatewayd" "$console"; do
  missing="$("$bin" --help | grep -E '^  --' | grep -v -e '--help' -e '(Env:' || true)"
  [ -z "$missing" ] || { echo "FAIL: $(basename "$bin") flags without an environment variable:";
    echo "$missing"; fail=1; }
done

# A unit pointing at a binary that is not installed must fail (the check can fail).
rm "$root/usr/local/bin/reuse-gatewayd"
if systemd-analyze verify --root="$root" /etc/systemd/system/reuse-gatewayd.service \
    >/dev/null 2>&1; then
  echo "FAIL: verify accepts a unit whose ExecStart binary is missing"; fail=1
fi
[ "$fail" -eq 0 ] && echo "systemd units: ok"
exit "$fail"
