#!/usr/bin/env bash
# One command on a fresh machine: system libraries, a virtualenv with mockexam, and the sample exam.
set -euo pipefail
cd "$(dirname "$0")"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if command -v apt-get >/dev/null 2>&1; then
  echo "==> system packages (Pango/HarfBuzz for WeasyPrint, Chromium for the HTML tests, poppler-utils, pandoc for the DOCX test)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium poppler-utils pandoc >/dev/null
  if ! command -v npm >/dev/null 2>&1; then  # Node.js runs gift-pegjs in the GIFT tests
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
fi

echo "==> Python environment in .venv"
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

echo "==> gift-pegjs (an independent GIFT parser for the tests) into .cache/node"
if command -v npm >/dev/null 2>&1; then
  npm install --silent --no-audit --no-fund --prefix .cache/node gift-pegjs@1.0.2 >/dev/null
else
  echo "    npm not found: the GIFT parser test will be skipped"
fi

echo "==> checking the default bank"
.venv/bin/mockexam validate

echo "==> building the sample exam into output/"
.venv/bin/mockexam build bank/blueprints/full-mock.yaml
