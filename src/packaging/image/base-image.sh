#!/bin/sh
# base-image.sh OUT: the OCI image's base, Debian bookworm (minbase) with openjdk-17-jre-headless,
# as a docker-save style tar that Jib reads with <from><image>tar://...</image></from>; no registry
# and no Docker daemon, only debootstrap and a Debian mirror. OUT becomes a link to the cached tar.
#
# Cache: $FULCRUM_SCIM_CACHE (default ~/.cache/fulcrum-scim)/base-bookworm-ARCH-HASH.tar, HASH from
# this script's text, so a changed script builds anew; a copy older than 7 days is rebuilt so that
# the image picks up Debian's security updates. DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR pick mirrors.
# Needs root (debootstrap, chroot).
set -eu
out=${1:?usage: base-image.sh OUT}
cache=${FULCRUM_SCIM_CACHE:-$HOME/.cache/fulcrum-scim}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
arch=$(dpkg --print-architecture)
key=$(sha256sum "$0" | cut -c1-16)
base="$cache/base-bookworm-$arch-$key.tar"
# The uid the image runs as (jib <user>): owner of the state volume, so a fresh named volume is
# writable by the daemon; 65532 is the usual "nonroot" uid of distroless images.
uid=65532

mkdir -p "$(dirname "$out")"
if [ -f "$base" ] && [ -z "$(find "$base" -mtime +6)" ]; then
  echo "base-image.sh: cached $base"
  ln -sfn "$base" "$out"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "base-image.sh: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "base-image.sh: debootstrap needs root" >&2; exit 1; }

mkdir -p "$cache"
work=$(mktemp -d "$cache/.base-XXXXXX")
# Never rm -rf a tree with a mount in it (debootstrap may bind-mount /dev when mknod is refused).
mounted() { awk -v d="$work/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; }
cleanup() { if mounted; then echo "base-image.sh: $work still has mounts; left in place" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
root="$work/root"
echo "base-image.sh: debootstrap bookworm from $mirror (a few minutes)"
debootstrap --variant=minbase --arch="$arch" --include=openjdk-17-jre-headless bookworm "$root" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || { tail -40 "$work/debootstrap.log" >&2; exit 1; }

# Security and point-release updates on top of the release (debootstrap reads one suite only).
cat >"$root/etc/apt/sources.list" <<LIST
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
LIST
mounted && { echo "base-image.sh: debootstrap left mounts under $root" >&2; exit 1; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The JRE's postinst needs /proc: mounted in a mount namespace of its own, so it goes with the command.
unshare --mount --propagation private sh -c 'mount -t proc proc "$1/proc" && exec chroot "$1" sh -c \
  "apt-get -qq update && DEBIAN_FRONTEND=noninteractive apt-get -qq -y upgrade && apt-get -qq clean"' sh "$root" \
  >"$work/upgrade.log" 2>&1 || { tail -40 "$work/upgrade.log" >&2; exit 1; }

# The daemon's user and state directory (the image's VOLUME); runtimes give the container its own
# resolv.conf and hosts, /dev, /proc and /sys.
chroot "$root" groupadd --system --gid $uid fulcrum-scim
chroot "$root" useradd --system --uid $uid --gid $uid --home-dir /var/lib/fulcrum-scim --no-create-home \
  --shell /usr/sbin/nologin --comment "Fulcrum SCIM Bridge" fulcrum-scim
install -d -m 0700 -o $uid -g $uid "$root/var/lib/fulcrum-scim"
: >"$root/etc/resolv.conf"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root"/var/log/apt/* \
  "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/tmp/* "$root"/run/* "$root"/dev/*

# One layer, name-sorted with numeric owners and a fixed mtime so that equal trees give equal tars.
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
tar -C "$root" --sort=name --numeric-owner --mtime="@0" --xattrs --xattrs-include='security.capability' \
  -cf "$work/layer.tar" .
diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir "$work/image"
mv "$work/layer.tar" "$work/image/$diff.tar"
java_home=$(dirname "$(dirname "$(readlink -f "$root/usr/lib/jvm/java-17-openjdk-$arch/bin/java")")")
java_home=${java_home#"$root"}
cat >"$work/config.json" <<JSON
{
  "architecture": "$arch",
  "os": "linux",
  "created": "$created",
  "config": {
    "Env": [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "JAVA_HOME=$java_home",
      "LANG=C.UTF-8"
    ]
  },
  "rootfs": { "type": "layers", "diff_ids": ["sha256:$diff"] },
  "history": [ { "created": "$created", "created_by": "src/packaging/image/base-image.sh: debootstrap bookworm minbase, openjdk-17-jre-headless" } ]
}
JSON
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/image/$config.json"
printf '[{"Config":"%s.json","RepoTags":["fulcrum-scim-base:bookworm"],"Layers":["%s.tar"]}]\n' "$config" "$diff" \
  >"$work/image/manifest.json"
tar -C "$work/image" -cf "$work/base.tar" manifest.json "$config.json" "$diff.tar"
mv "$work/base.tar" "$base"
# Copies of other script versions (other branches) stay a week, like any copy.
find "$cache" -maxdepth 1 -name "base-bookworm-$arch-*.tar" -mtime +6 -delete
echo "base-image.sh: built $base ($(du -h "$base" | cut -f1))"
ln -sfn "$base" "$out"
