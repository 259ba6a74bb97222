#!/usr/bin/env bash
# What the web and EPUB checks need that PyPI cannot give (make test runs this once):
# Debian's chromium, for axe-core and DAISY Ace, and a Java runtime, for the Nu HTML Checker and
# EPUBCheck (installed as root when missing); then the npm packages pinned in
# checkers/package-lock.json, into checkers/node_modules. No browser is downloaded: both
# checkers run the Debian chromium. A machine that cannot get them stops here with one line.
set -euo pipefail
cd "$(dirname "$0")"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "make test: missing ${need[*]}: install the Debian packages ${need[*]} as root (apt-get install ${need[*]}), then run make test again" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } >/dev/null 2>&1; then
    echo "make test: could not install the Debian packages ${need[*]} (apt-get failed: is the package mirror reachable?)" >&2
    exit 1
  fi
fi
echo "installing npm packages into checkers/node_modules: axe-core, @daisy/ace-cli, vnu-jar (pinned in checkers/package-lock.json)"
if ! PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null; then
  echo "make test: npm could not install the checkers pinned in checkers/package-lock.json (is the npm registry reachable?)" >&2
  exit 1
fi
