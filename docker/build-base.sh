#!/usr/bin/env bash
# Builds the offline base image (Debian trixie + Kivy + Xvfb + Pillow + fonts) with debootstrap from
# the Debian mirror this machine's apt sources already name, then `docker import`s it.
# Idempotent: does nothing when the image already exists (FORCE=1 rebuilds).
set -euo pipefail

IMAGE="${1:-kivy-render-base:trixie}"
SUITE="${SUITE:-trixie}"
PACKAGES="python3-kivy xvfb python3-pil fonts-dejavu-core ffmpeg"

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE already present"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "building the base image needs root (debootstrap)" >&2; exit 1; }
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# The first Debian archive URI named by apt's sources (deb822 or one-line format).
mirror=$(
  { grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' || true
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'
  } | grep -E '/debian/?$' | head -n 1 || true
)
[ -n "$mirror" ] || { echo "no Debian mirror found in apt's sources" >&2; exit 1; }

root=$(mktemp -d /var/tmp/kivy-base.XXXXXX)
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT

echo "[base] debootstrap $SUITE from $mirror"
debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >/dev/null
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
echo "[base] apt-get install $PACKAGES"
chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null && apt-get clean"
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

echo "[base] docker import -> $IMAGE"
tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "[base] done: $IMAGE"
