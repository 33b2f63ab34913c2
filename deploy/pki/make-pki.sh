#!/usr/bin/env bash
# deploy/pki/make-pki.sh — makes a local certificate authority and the mutual-TLS
# certificates of collect-once: the registry, the reuse gateway, the console, registryctl, an
# auditor, two approval systems and a service-center window (a staff member's browser). Each client certificate carries its principal's identity as a URI SAN
# (spiffe://sanming.gov.cn/...), which is what the daemons take as the caller's identity.
#
# Usage: make-pki.sh [-o DIR] [--days N] [--expired] [--other-ca] [--force]
#   -o DIR       output directory (default ./var/pki); keys are written with mode 0600
#   --days N     validity of the leaf certificates (default 397)
#   --expired    also make expired/{cert,key}.pem: a real-estate approval certificate from
#                the same CA whose validity ended yesterday (for tests)
#   --other-ca   also make other-ca/: a second, unrelated CA and a real-estate approval
#                certificate it signed (for tests: refused by the daemons)
#   --force      replace an existing CA instead of reusing it
#
# Running it again keeps an existing ca.pem/ca.key (so the daemons keep trusting the
# certificates already handed out) and issues fresh leaf certificates: a rotation. The
# daemons pick up replaced files on disk without a restart (--tls-reload-seconds).
#
# Layout of DIR:
#   ca.pem ca.key                       the local CA (the key stays with whoever issues)
#   registry/{cert,key}.pem             server: DNS localhost, IP 127.0.0.1 (+ --registry-san)
#   reuse-gateway/{cert,key}.pem        server and client: spiffe://sanming.gov.cn/reuse-gateway
#   console/{cert,key}.pem              server (HTTPS) and client: spiffe://sanming.gov.cn/console
#   window/{cert,key}.pem window.p12    client (a browser): spiffe://sanming.gov.cn/service-center/window
#   registryctl/{cert,key}.pem          client: spiffe://sanming.gov.cn/registryctl
#   auditor/{cert,key}.pem              client: spiffe://sanming.gov.cn/auditor
#   approval-real-estate/{cert,key}.pem client: spiffe://sanming.gov.cn/approval/real-estate
#   approval-social-insurance/...       client: spiffe://sanming.gov.cn/approval/social-insurance
set -euo pipefail

OUT=./var/pki
DAYS=397
EXPIRED=0
OTHER_CA=0
FORCE=0
EXTRA_SANS=()
TRUST_DOMAIN=spiffe://sanming.gov.cn

# The comment block at the top of this file, without its "# " (and nothing of the script).
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }

while [ $# -gt 0 ]; do
  case "$1" in
    -o|--out) OUT="${2:?-o needs a directory}"; shift 2 ;;
    --days) DAYS="${2:?--days needs a number}"; shift 2 ;;
    --expired) EXPIRED=1; shift ;;
    --other-ca) OTHER_CA=1; shift ;;
    --force) FORCE=1; shift ;;
    --registry-san) EXTRA_SANS+=("${2:?--registry-san needs DNS:name or IP:addr}"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "make-pki.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$DAYS" in ''|*[!0-9]*) echo "make-pki.sh: --days needs a positive number" >&2; exit 2 ;; esac
command -v openssl >/dev/null || { echo "make-pki.sh: openssl is not installed" >&2; exit 1; }

umask 077
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# make_ca DIR NAME
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -keyout "$1/ca.key" -out "$1/ca.pem" -days 3650 -subj "/O=collect-once/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 0644 "$1/ca.pem"
}

# issue CA_DIR LEAF_DIR CN SAN EKU [DAYS|expired]
issue() {
  local ca="$1" dir="$2" cn="$3" san="$4" eku="$5" validity="${6:-$DAYS}"
  mkdir -p "$dir"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -keyout "$WORK/key.pem" -out "$WORK/req.csr" -subj "/O=collect-once/CN=$cn" 2>/dev/null
  cat >"$WORK/ext.cnf" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$eku
subjectAltName=$san
EOF
  if [ "$validity" = expired ]; then
    # A certificate whose validity ended yesterday: signed through `openssl ca`, which takes
    # explicit start and end dates.
    mkdir -p "$WORK/ca"
    : >"$WORK/ca/index.txt"
    cat >"$WORK/ca.cnf" <<EOF
[ca]
default_ca=local
[local]
database=$WORK/ca/index.txt
new_certs_dir=$WORK/ca
serial=$WORK/ca/serial
default_md=sha256
policy=any
copy_extensions=none
[any]
commonName=supplied
organizationName=optional
EOF
    openssl rand -hex 16 >"$WORK/ca/serial"
    local start end
    start="$(date -u -d '3 days ago' +%Y%m%d%H%M%SZ)"
    end="$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)"
    openssl ca -batch -config "$WORK/ca.cnf" -cert "$ca/ca.pem" -keyfile "$ca/ca.key" \
      -in "$WORK/req.csr" -out "$WORK/cert.pem" -startdate "$start" -enddate "$end" \
      -extfile "$WORK/ext.cnf" -notext 2>/dev/null
  else
    openssl x509 -req -in "$WORK/req.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" \
      -CAcreateserial -CAserial "$WORK/ca.srl" -days "$validity" -sha256 \
      -extfile "$WORK/ext.cnf" -out "$WORK/cert.pem" 2>/dev/null
  fi
  # Write to temporary names and rename, so that a daemon watching the directory never reads
  # a half-written pair.
  cp "$WORK/key.pem" "$dir/key.pem.new"
  cp "$WORK/cert.pem" "$dir/cert.pem.new"
  chmod 0600 "$dir/key.pem.new"
  chmod 0644 "$dir/cert.pem.new"
  mv -f "$dir/key.pem.new" "$dir/key.pem"
  mv -f "$dir/cert.pem.new" "$dir/cert.pem"
}

if [ "$FORCE" = 1 ] || [ ! -s "$OUT/ca.pem" ] || [ ! -s "$OUT/ca.key" ]; then
  make_ca "$OUT" "collect-once local CA"
fi

registry_san="DNS:localhost,IP:127.0.0.1"
for s in "${EXTRA_SANS[@]}"; do registry_san="$registry_san,$s"; done

issue "$OUT" "$OUT/registry" registry "$registry_san" serverAuth
issue "$OUT" "$OUT/reuse-gateway" reuse-gateway \
  "URI:$TRUST_DOMAIN/reuse-gateway,DNS:localhost,IP:127.0.0.1" serverAuth,clientAuth
issue "$OUT" "$OUT/console" console \
  "URI:$TRUST_DOMAIN/console,DNS:localhost,IP:127.0.0.1" serverAuth,clientAuth
issue "$OUT" "$OUT/window" window "URI:$TRUST_DOMAIN/service-center/window" clientAuth
# Browsers import a client certificate as PKCS#12 (no password: a local test PKI only).
openssl pkcs12 -export -in "$OUT/window/cert.pem" -inkey "$OUT/window/key.pem" \
  -out "$OUT/window/window.p12" -passout pass: -name window 2>/dev/null
chmod 0600 "$OUT/window/window.p12"
issue "$OUT" "$OUT/registryctl" registryctl "URI:$TRUST_DOMAIN/registryctl" clientAuth
issue "$OUT" "$OUT/auditor" auditor "URI:$TRUST_DOMAIN/auditor" clientAuth
issue "$OUT" "$OUT/approval-real-estate" approval-real-estate \
  "URI:$TRUST_DOMAIN/approval/real-estate" clientAuth
issue "$OUT" "$OUT/approval-social-insurance" approval-social-insurance \
  "URI:$TRUST_DOMAIN/approval/social-insurance" clientAuth

if [ "$EXPIRED" = 1 ]; then
  issue "$OUT" "$OUT/expired" approval-real-estate \
    "URI:$TRUST_DOMAIN/approval/real-estate" clientAuth expired
fi
if [ "$OTHER_CA" = 1 ]; then
  mkdir -p "$OUT/other-ca"
  [ -s "$OUT/other-ca/ca.pem" ] && [ "$FORCE" = 0 ] || make_ca "$OUT/other-ca" "unrelated CA"
  issue "$OUT/other-ca" "$OUT/other-ca" approval-real-estate \
    "URI:$TRUST_DOMAIN/approval/real-estate" clientAuth
fi

echo "make-pki.sh: CA and certificates in $OUT" >&2
