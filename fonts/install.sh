#!/usr/bin/env bash
# The typefaces of the translated copies (render/typefaces.py): the npm packages pinned in
# fonts/package-lock.json, installed into fonts/node_modules from the npm registry. No script of
# theirs is run. A machine without npm stops here with one line.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "make: the translated copies' typefaces need npm: install the Debian package npm as root (apt-get install npm), then run make again" >&2
    exit 1
  fi
  echo "installing Debian packages: npm"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; } >/dev/null 2>&1; then
    echo "make: could not install the Debian package npm (apt-get failed: is the package mirror reachable?)" >&2
    exit 1
  fi
fi
echo "installing typefaces into fonts/node_modules: Atkinson Hyperlegible Next, Noto Naskh Arabic (pinned in fonts/package-lock.json)"
if ! npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null; then
  echo "make: npm could not install the typefaces pinned in fonts/package-lock.json (is the npm registry reachable?)" >&2
  exit 1
fi
