#!/usr/bin/env bash
# A stand-in for the Vagrant lab, so vagrant/scenarios.sh can be run without a hypervisor.
# Installed as `vagrant`, `ssh` and `VBoxManage` (dispatch on the name it is called by); the
# lab's state is a few files in $FAKE_LAB. The fake "ipmpd" homes 192.0.2.100 on eth1 and
# 198.51.100.100 on eth2.100 and moves each at once when its NIC's link is out or offline.
# FAKE_BROKEN=nofailover makes it never move anything (the scenario must then fail).
set -euo pipefail
state="${FAKE_LAB:?}"
get() { cat "$state/$1" 2>/dev/null || echo "${2:-}"; }
put() { echo "$2" > "$state/$1"; }
echo "$(basename "$0") $*" >> "$state/calls.log"

usable() { [[ "$(get "link_$1" up)" == up && "$(get "offline_$1" no)" == no ]]; }
# owner ADDR: where the fake daemon has the address now.
owner() {
  local a="${1%/*}" moving=yes
  [[ "${FAKE_BROKEN:-}" == nofailover || "$(get daemon inactive)" != active ]] && moving=no
  case "$a" in
    192.0.2.11) echo eth1 ;; 192.0.2.12) echo eth2 ;;
    198.51.100.11) echo eth1.100 ;; 198.51.100.12) echo eth2.100 ;;
    192.0.2.100)
      if [[ $moving == no ]]; then get placed_data eth1; elif usable A || ! usable B; then put placed_data eth1; echo eth1; else put placed_data eth2; echo eth2; fi ;;
    198.51.100.100)
      if [[ $moving == no ]]; then get placed_vlan eth2.100; elif [[ "$(get link_B up)" == up ]]; then put placed_vlan eth2.100; echo eth2.100; else put placed_vlan eth1.100; echo eth1.100; fi ;;
    *) echo "" ;;
  esac
}
nic_state() { # ipmpstat STATE of an interface
  case "$1" in
    eth1) if [[ "$(get offline_A no)" == yes ]]; then echo offline; elif usable A; then echo ok; else echo failed; fi ;;
    eth2) if usable B; then echo ok; else echo failed; fi ;;
    eth1.100) if [[ "$(get link_A up)" == up ]]; then echo ok; else echo failed; fi ;;
    eth2.100) if [[ "$(get link_B up)" == up ]]; then echo ok; else echo failed; fi ;;
  esac
}

guest() { # guest VM CMD...: the few commands scenarios.sh runs inside the VMs
  local vm="$1"; shift
  [[ "$1" == sudo ]] && shift
  case "$vm $*" in
    "host cat /etc/ipmpd-lab/nics.env") printf 'NIC_A=eth1\nNIC_B=eth2\nVLAN_A=eth1.100\nVLAN_B=eth2.100\n' ;;
    "host cat /sys/class/net/eth1/address") echo 08:00:27:a1:b2:c3 ;;
    "host cat /sys/class/net/eth2/address") echo 08:00:27:d4:e5:f6 ;;
    "host cat /sys/class/net/eth1/carrier") [[ "$(get link_A up)" == up ]] && echo 1 || echo 0 ;;
    "host cat /sys/class/net/eth2/carrier") [[ "$(get link_B up)" == up ]] && echo 1 || echo 0 ;;
    "host /usr/local/sbin/ipmpd-lab-addr-owner "*) owner "$2" ;;
    "host systemctl restart ipmpd") put daemon active; put pid 4242; put warnings 0 ;;
    "host systemctl reload ipmpd") [[ "$(get daemon)" == active ]] ;;
    "host systemctl stop ipmpd") put daemon inactive ;;
    "host systemctl is-active ipmpd") get daemon inactive ;;
    "host systemctl show -p MainPID --value ipmpd") get pid 0 ;;
    "host systemctl show -p Result --value ipmpd") echo success ;;
    "host journalctl -q -u ipmpd _PID=4242 -o cat") echo '{"level":30,"msg":"started"}' ;;
    "host journalctl -q -u ipmpd _PID=4242 -p warning -o cat")
      for ((i = 0; i < $(get warnings 0); i++)); do echo '{"level":40,"msg":"NIC failure"}'; done ;;
    "host ipmpstat -i -n -P -o INTERFACE,STATE")
      for n in eth1 eth2 eth1.100 eth2.100; do echo "$n:$(nic_state "$n")"; done ;;
    "host if_mpadm -d eth1") put offline_A yes ;;
    "host if_mpadm -r eth1") put offline_A no ;;
    "client ping -n -q -c 1 -W 1 "*)
      [[ "$(get daemon)" == active ]] || return 1
      case "$(owner "${*: -1}")" in eth1) usable A ;; eth2) usable B ;;
        eth1.100) [[ "$(get link_A up)" == up ]] ;; eth2.100) [[ "$(get link_B up)" == up ]] ;; *) return 1 ;; esac ;;
    *) echo "fake-lab: unexpected command on $vm: $*" >&2; return 97 ;;
  esac
}

case "$(basename "$0")" in
  vagrant)
    [[ "$*" == "ssh-config router client host" ]] || { echo "fake vagrant: $*" >&2; exit 97; }
    printf 'Host %s\n  HostName 127.0.0.1\n' router client host ;;
  ssh)
    while [[ "$1" == -* ]]; do shift 2; done   # -F file, -o option
    guest "$@" ;;
  VBoxManage)
    case "$1" in
      showvminfo) printf 'macaddress1="080027000001"\nmacaddress2="080027A1B2C3"\nmacaddress3="080027D4E5F6"\n' ;;
      controlvm)
        nic=A; [[ "$3" == setlinkstate3 ]] && nic=B
        if [[ "$4" == off && "$(get "link_$nic" up)" == up ]]; then put warnings $(( $(get warnings 0) + 1 )); fi
        put "link_$nic" "$([[ "$4" == on ]] && echo up || echo down)" ;;
      *) exit 97 ;;
    esac ;;
  *) echo "fake-lab: called as $0" >&2; exit 97 ;;
esac
