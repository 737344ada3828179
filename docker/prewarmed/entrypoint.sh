#!/bin/bash
# Starts Xvfb (never xvfb-run: it hangs as a container's main process), waits for the display number
# it reports through -displayfd, then runs the render worker (or, with --display-only, just keeps the
# display up for `docker exec` renders: the benchmark's exec strategy). With --syntax-check it runs the
# long-lived syntax checker instead, which needs no display.
set -euo pipefail

if [ "${1:-}" = "--syntax-check" ]; then
  exec python3 /opt/kivy-render/syntax_check.py
fi

fifo=$(mktemp -u /tmp/.xvfb-display.XXXXXX)
mkfifo -m 600 "$fifo"
Xvfb -displayfd 3 -screen 0 "${KIVY_RENDER_SCREEN:-1920x1080x24}" -nolisten tcp -noreset 3>"$fifo" \
  >/tmp/.xvfb.log 2>&1 &
xvfb_pid=$!
if ! read -r -t 10 display <"$fifo"; then
  echo "Xvfb did not report a display within 10 s" >&2
  cat /tmp/.xvfb.log >&2 || true
  exit 3
fi
rm -f "$fifo"
export DISPLAY=":$display"
echo "$DISPLAY" >/tmp/.display

if [ "${1:-}" = "--display-only" ]; then
  wait "$xvfb_pid"
  exit $?
fi
exec python3 /opt/kivy-render/container_init.py
