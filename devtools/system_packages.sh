#!/bin/sh
# The system packages `make test` needs, installed when missing (`make system-packages`).
#
# Each entry is PACKAGE=PROBE: the Debian package and what shows it is there, a command on
# PATH, an absolute path, or python:MODULE (importable by $PYTHON, default python3). Missing ones are installed in one go when this runs as root on a
# machine with apt-get (`apt-get update` once, then `apt-get install -y`); otherwise one line
# says what to install and the script exits 1.
#
#   --dry-run           print the apt-get commands instead of running them
#   SYSTEM_PACKAGES     replaces the list below (the tests use it)
#   PYTHON              the interpreter `make install` makes the venv with
set -eu

# chromium: the browser tests (Playwright drives Debian's Chromium, never a download);
# fonts-liberation: text in screenshots and PDFs (a Recommends of chromium, not always there);
# docker-compose: tests/production validates docker-compose.yml with `docker-compose config`;
# python3-venv: Debian's python3 makes no venv without it (ensurepip is split off);
# libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz-subset0: WeasyPrint's text layout and font
# subsetting for the invoice PDFs (probed by their copyright file: libraries have no command);
# fonts-dejavu-core: the invoices' font, with ő and ű; poppler-utils: pdftotext for their tests.
DEFAULT_PACKAGES="python3-venv=python:ensurepip chromium=/usr/bin/chromium fonts-liberation=/usr/share/fonts/truetype/liberation docker-compose=docker-compose libpango-1.0-0=/usr/share/doc/libpango-1.0-0/copyright libpangoft2-1.0-0=/usr/share/doc/libpangoft2-1.0-0/copyright libharfbuzz-subset0=/usr/share/doc/libharfbuzz-subset0/copyright fonts-dejavu-core=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf poppler-utils=pdftotext"
PACKAGES="${SYSTEM_PACKAGES-$DEFAULT_PACKAGES}"

dry_run=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    *) echo "system_packages.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

present() {
  case "$1" in
    python:*) "${PYTHON:-python3}" -c "import ${1#python:}" >/dev/null 2>&1 ;;
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=""
for entry in $PACKAGES; do
  package="${entry%%=*}"
  probe="${entry#*=}"
  present "$probe" || missing="$missing $package"
done
missing="${missing# }"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "make test needs these system packages: $missing (Debian: sudo apt-get install -y $missing)" >&2
  exit 1
fi

run() {
  if [ "$dry_run" = 1 ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}

echo "Installing the system packages the tests need: $missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
run apt-get update -qq && run apt-get install -y -qq $missing || {
  echo "make test needs these system packages: $missing (apt-get install failed; install them and retry)" >&2
  exit 1
}
[ "$dry_run" = 1 ] && exit 0

still=""
for entry in $PACKAGES; do
  present "${entry#*=}" || still="$still ${entry%%=*}"
done
if [ -n "$still" ]; then
  echo "make test needs these system packages:$still (installed, yet still not found)" >&2
  exit 1
fi
