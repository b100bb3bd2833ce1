#!/usr/bin/env bash
# Make this checkout ready to run: system packages (when root and missing),
# a .venv, and hcisim installed into it with its dev extra. Idempotent and
# quiet when everything is already there; one clear line when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "bootstrap: $*" >&2; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

APT_PACKAGES=(chromium xvfb xdotool python3-tk python3-venv fonts-dejavu-core fonts-liberation xauth)

missing_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing_apt+=("$pkg")
done
if ((${#missing_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing system packages: ${missing_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/tmp/hcisim-apt.log 2>&1 || die "apt-get update failed (see /tmp/hcisim-apt.log)"
    apt-get install -y -qq --no-install-recommends "${missing_apt[@]}" >>/tmp/hcisim-apt.log 2>&1 \
      || die "could not install ${missing_apt[*]} (see /tmp/hcisim-apt.log)"
  else
    say "warning: missing system packages ${missing_apt[*]} (not root: install them with apt-get); browser/desktop features need them"
  fi
fi

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || die "python3 not found; install Python >= 3.11"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "$PY is $("$PY" -V 2>&1); hcisim needs Python >= 3.11"

if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv"
  "$PY" -m venv .venv >/dev/null || die "could not create .venv (python3-venv missing?)"
fi

stamp=.venv/.hcisim-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  say "installing hcisim and its dependencies into .venv (first run takes a few minutes)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/tmp/hcisim-pip.log 2>&1 || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' >>/tmp/hcisim-pip.log 2>&1 \
    || die "pip install -e .[dev] failed (see /tmp/hcisim-pip.log)"
  touch "$stamp"
fi
