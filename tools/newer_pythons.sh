#!/usr/bin/env bash
# The whole test suite under Pythons newer than this machine's, from Debian unstable.
#
# CI and the development machines run Debian 12 (Python 3.11, and pyenv's 3.10 to 3.13): a
# newer Python is where users' next distributions are, and its changes reach papo before
# anything here shows them (on 3.14 the terminal client hung when the server went away as it
# started a read: fcc9187). Debian's unstable builds each new CPython with its readline,
# OpenSSL and SQLite; they need its C library, so they run in a Debian unstable tree of their
# own (debootstrap, then chroot), kept for the next run.
#
#   sudo tools/newer_pythons.sh [3.14 3.15 ...]       (root: debootstrap, chroot, mounts)
#
# PAPO_SID (default /var/tmp/papo-sid) is the tree. The clone's committed HEAD is what is
# tested, with `make test PYTHON=python3.N`, one clone per version (their .venv differ). Minutes
# long, never part of `make test`. Debian unstable moves: when an install fails, `apt-get
# update` in the tree (rerun with PAPO_SID_UPDATE=1).
set -euo pipefail

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.14 3.15)
tree=${PAPO_SID:-/var/tmp/papo-sid}
mirror=${PAPO_SID_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "newer_pythons: run as root (debootstrap, chroot and mounts need it)" >&2
	exit 2
fi
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null

if [ ! -x "$tree/usr/bin/apt-get" ]; then
	echo "making a Debian unstable tree in $tree (a few minutes, once)"
	debootstrap --variant=minbase sid "$tree" "$mirror" >/dev/null
fi

mounted=()
mount_once() { # what where [options]
	if ! mountpoint -q "$2"; then
		mount "${@:3}" "$1" "$2"
		mounted=("$2" "${mounted[@]}")
	fi
}
unmount_all() {
	for point in "${mounted[@]}"; do umount "$point" || true; done
}
trap unmount_all EXIT
mount_once proc "$tree/proc" -t proc
mount_once devpts "$tree/dev/pts" -t devpts -o newinstance,ptmxmode=0666
mount_once tmpfs "$tree/dev/shm" -t tmpfs
ln -sf pts/ptmx "$tree/dev/ptmx" # the tests' terminals (pexpect) come from this devpts
cp /etc/resolv.conf "$tree/etc/resolv.conf"
# The certificate authorities this machine trusts beyond Debian's (a proxy's), for pip.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
	cp /usr/local/share/ca-certificates/*.crt "$tree/usr/local/share/ca-certificates/"
fi

packages=(make git ca-certificates build-essential)
for version in "${versions[@]}"; do
	packages+=("python$version" "python$version-venv" "python$version-dev")
done
inside() { chroot "$tree" env -i HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
[ -z "${PAPO_SID_UPDATE:-}" ] || inside apt-get update -qq
inside apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
inside update-ca-certificates >/dev/null

status=0
for version in "${versions[@]}"; do
	clone="$tree/root/papo-$version"
	rm -rf "$clone"
	git clone -q "$here" "$clone"
	echo "== Python $version: make test"
	if inside bash -c "cd /root/papo-$version && make test PYTHON=python$version"; then
		echo "== Python $version: passed"
	else
		echo "== Python $version: FAILED"
		status=1
	fi
done
exit $status
