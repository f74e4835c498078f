#!/usr/bin/env bash
# Debian packages that the test suite drives as real components: Chromium (the web interface, through
# playwright-core), Postfix and Dovecot (a real submission relay with STARTTLS and SASL), python3-dkim
# (dkimpy's arcverify as an independent ARC verifier). Idempotent: installs only what is missing,
# with one `apt-get update` before the one `apt-get install`. Needs root (CI and the dev machines are).
set -euo pipefail
packages=(chromium postfix dovecot-core python3-dkim)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix asks how it is used; the tests run their own private instance, so "No configuration".
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
# Debian starts the system Postfix and Dovecot on install where it can; the tests start their own.
service postfix stop >/dev/null 2>&1 || true
service dovecot stop >/dev/null 2>&1 || true
