#!/usr/bin/env bash
# Install the Debian packages the tests need, only where missing:
#   - Apache (apache2), for the test of the .htaccess that `citydip publish` writes
#     (the test runs its own apache2 in the foreground on 127.0.0.1, never the system service);
#   - a Java runtime, for the HermiT and Pellet reasoners that owlready2 runs;
#   - Virtuoso open source, the SPARQL server the remote-query tests start on 127.0.0.1;
#   - curl, the HTTP client the `citydip serve` and `publish` tests ask the servers with;
#   - Chromium, the browser tests/test_browser.py drives headless through Playwright.
# Needs root (or sudo). Safe to run again: it installs nothing that is already there.
set -euo pipefail
need=()
{ command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ]; } || need+=(apache2)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v virtuoso-t >/dev/null 2>&1 || need+=(virtuoso-opensource-7-bin)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: java, virtuoso-t, apache2, curl and chromium already present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
echo "system packages installed: ${need[*]}"
