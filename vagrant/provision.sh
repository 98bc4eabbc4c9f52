#!/usr/bin/env bash
# Vagrant shell provisioner, run as root in each VM: provision.sh router|client|host.
# The file provisioner has uploaded vagrant/guest/ to /tmp/ipmpd-lab first.
# host: also installs Node >= 20, builds ipmpd from the rsynced repo in /opt/ipmpd, installs
# systemd/ipmpd.service and a rendered /etc/ipmpd/ipmpd.yaml. ipmpd is not started here:
# vagrant/scenarios.sh starts it, so every run begins from a fresh daemon.
set -euo pipefail
role="${1:?usage: provision.sh router|client|host}"
src=/tmp/ipmpd-lab
export DEBIAN_FRONTEND=noninteractive

apt-get update
apt-get install -y --no-install-recommends iproute2 iputils-ping arping tcpdump kmod rsync

install -d -m 0755 /etc/ipmpd-lab
install -m 0644 "$src/lab.env" /etc/ipmpd-lab/lab.env
echo "LAB_ROLE=$role" > /etc/ipmpd-lab/role.env
for tool in ipmpd-lab-net ipmpd-lab-nics ipmpd-lab-addr-owner render-config install-node; do
  install -m 0755 "$src/$tool" "/usr/local/sbin/$tool"
done
install -m 0644 "$src/ipmpd-lab-net.service" /etc/systemd/system/ipmpd-lab-net.service
systemctl daemon-reload
systemctl enable ipmpd-lab-net.service
systemctl restart ipmpd-lab-net.service

[[ "$role" == host ]] || exit 0

apt-get install -y --no-install-recommends python3 make g++
install-node

# Build from a copy: npm ci deletes node_modules, and the rsynced /vagrant is refreshed by
# `vagrant rsync` at any time.
install -d -m 0755 /opt/ipmpd
rsync -a --delete --exclude node_modules/ --exclude build/ --exclude dist/ --exclude .vagrant/ \
  /vagrant/ /opt/ipmpd/
cd /opt/ipmpd
npm ci
if [[ "${IPMPD_VM_RUN_TESTS:-0}" == 1 ]]; then
  npm test   # unit + namespace integration tests, inside the VM
fi

for bin in ipmpd ipmpstat if_mpadm ipmpctl; do
  chmod 0755 "dist/src/cli/$bin.js"
  ln -sfn "/opt/ipmpd/dist/src/cli/$bin.js" "/usr/local/bin/$bin"
done

install -m 0644 systemd/ipmpd.service /etc/systemd/system/ipmpd.service
install -d -m 0755 /etc/ipmpd
set -a
# shellcheck disable=SC1091
source /etc/ipmpd-lab/lab.env
# shellcheck disable=SC1091
source /etc/ipmpd-lab/nics.env
set +a
render-config "$src/ipmpd.yaml.tmpl" > /etc/ipmpd/ipmpd.yaml.new
ipmpctl check /etc/ipmpd/ipmpd.yaml.new
mv /etc/ipmpd/ipmpd.yaml.new /etc/ipmpd/ipmpd.yaml
systemctl daemon-reload
echo "provision: ipmpd built; NICs: $(tr '\n' ' ' < /etc/ipmpd-lab/nics.env)"
