#!/usr/bin/env bash
# Real services the test-suite talks to, installed from Debian's packages when missing.
# Mosquitto (broker), VictoriaMetrics (speaks InfluxDB's /api/v2/write), Chromium (the board),
# a Chinese font for Chromium (the board's screenshots and browser tests).
# Without root or apt-get it only reports; under CI=true a missing one fails the run.
set -u
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v victoria-metrics >/dev/null 2>&1 || [ -x /usr/bin/victoria-metrics ] || need+=(victoria-metrics)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
WQY=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
[ -f "$WQY" ] || need+=(fonts-wqy-microhei)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null || true
fi
missing=()
for p in "${need[@]}"; do
  [ "$p" = fonts-wqy-microhei ] && [ -f "$WQY" ] && continue
  command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || [ -x "/usr/bin/$p" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing system packages: ${missing[*]} (apt-get install ${missing[*]})" >&2
  [ "${CI:-}" = "true" ] && exit 1
fi
exit 0
