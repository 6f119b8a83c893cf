#!/usr/bin/env bash
# Runs before `npm test`: the IMAP tests start private Dovecot servers, so Dovecot must be installed,
# and the browser tests drive Debian's Chromium (never a downloaded one), so it must be there too.
# On a Debian/Ubuntu machine as root they are installed here; anywhere else this says what to do.
set -euo pipefail
need=()
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing ${need[*]} for the IMAP and browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The package starts a system Dovecot on port 143; the tests run their own instances instead.
  doveadm stop >/dev/null 2>&1 || true
  exit 0
fi
echo "npm test needs ${need[*]} (Debian/Ubuntu: apt-get install ${need[*]}) and runs the IMAP tests as root" >&2
exit 1
