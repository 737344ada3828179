#!/usr/bin/env bash
# Makes a Docker engine reachable on a Debian host, as root: installs Debian's docker.io when dockerd is
# missing and starts dockerd in the background without a bridge network (render containers use none).
# Idempotent: does nothing when an engine already answers.
set -euo pipefail

engine_up() { command -v docker >/dev/null 2>&1 && docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if engine_up; then exit 0; fi
if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  echo "No Docker engine is reachable. kivy-render needs Docker: install and start it (as root on Debian this script does it)." >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "[engine] installing Debian's docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "[engine] starting dockerd --bridge=none"
  setsid nohup dockerd --bridge=none >/var/log/kivy-render-dockerd.log 2>&1 < /dev/null &
fi
for _ in $(seq 1 120); do
  if engine_up; then echo "[engine] Docker $(docker version --format '{{.Server.Version}}') is up"; exit 0; fi
  sleep 0.5
done
echo "dockerd did not come up within 60 s; see /var/log/kivy-render-dockerd.log:" >&2
tail -n 20 /var/log/kivy-render-dockerd.log >&2 || true
exit 1
