#!/usr/bin/env bash
# Runs before `npm test`: the IMAP tests start private Dovecot servers, so Dovecot must be installed.
# On a Debian/Ubuntu machine as root it is installed here; anywhere else this says what to do.
set -euo pipefail
if command -v dovecot >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "npm test: installing dovecot-imapd for the IMAP tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
  # The package starts a system Dovecot on port 143; the tests run their own instances instead.
  doveadm stop >/dev/null 2>&1 || true
  exit 0
fi
echo "npm test needs Dovecot for the IMAP tests: install it (Debian/Ubuntu: apt-get install dovecot-imapd) and run the tests as root" >&2
exit 1
