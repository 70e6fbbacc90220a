#!/bin/sh
# Install this project into a virtual environment, with the distribution's own python3.
#
#   sh scripts/venv.sh [VENV [PIP INSTALL ARGUMENTS]]   (defaults: .venv, and ". ": this checkout)
#
# Debian 12, Raspberry Pi OS and Ubuntu 24.04 refuse `pip install` into the system Python
# (PEP 668, "externally-managed-environment"); a virtual environment is the way. Where the
# python3-venv package is missing, the environment is made without pip and the system's pip
# installs into it; with neither, this says which package to install.
set -eu
venv=${1:-.venv}
[ "$#" -gt 0 ] && shift
[ "$#" -gt 0 ] || set -- .
cd "$(dirname "$0")/.."

if python3 -m venv "$venv" >/dev/null 2>&1 && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@"
elif python3 -m pip --version >/dev/null 2>&1 && python3 -m venv --without-pip "$venv"; then
  python3 -m pip --python "$venv/bin/python" install -q --disable-pip-version-check "$@"
else
  echo "scripts/venv.sh: python3 can make no virtual environment with pip here; install" \
    "python3-venv (sudo apt install python3-venv) and run this again" >&2
  exit 1
fi
# Telegraf's service user runs what this installs: make all of it readable (and its programs
# runnable) by everyone, whatever the umask it was made under (sudo keeps the caller's 027 or 077).
chmod -R a+rX "$venv"
echo "installed into $venv: $venv/bin/sunpower-lp" >&2
