#!/usr/bin/env bash
# shellcheck disable=SC2317  # helpers run through wait_until and the EXIT trap
# End-to-end scenarios for ipmpd on real VM NICs. Run on the hypervisor host, from anywhere,
# after `vagrant up` (docs/testing.md). Pulls NIC cables through VirtualBox or libvirt, checks
# where the data addresses are with `ip -j addr` inside the host VM, and that the client VM
# keeps reaching them. Prints PASS:/FAIL: lines and "N passed, N failed"; exit 1 on any failure.
set -uo pipefail   # no -e: a failed check is counted and the run goes on to the next one
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=SCRIPTDIR/link-control.sh
source vagrant/link-control.sh
# shellcheck source=SCRIPTDIR/guest/lab.env
source vagrant/guest/lab.env

# Bounds, in seconds. Failover follows carrier loss at once; failback needs ~10 answered probes.
FAILOVER_TIMEOUT="${FAILOVER_TIMEOUT:-30}"
FAILBACK_TIMEOUT="${FAILBACK_TIMEOUT:-90}"
REACH_TIMEOUT="${REACH_TIMEOUT:-20}"
STATE_TIMEOUT="${STATE_TIMEOUT:-15}"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
  echo
  echo "$passed passed, $failed failed"
  (( failed == 0 && passed > 0 ))
  exit $?
}
abort() { fail "$*"; finish; }
step() { echo; echo "== $*"; }

tmp="$(mktemp -d)"
links_to_restore=()
cleanup() {
  local mac
  # Never leave a VM with a pulled cable, whatever happened above.
  # (the +-expansion keeps bash 3.2 on macOS happy with an empty array under set -u)
  for mac in ${links_to_restore[@]+"${links_to_restore[@]}"}; do
    lab_set_link "$provider" "$host_id" "$mac" up || echo "WARN: could not plug $mac back in" >&2
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

vagrant ssh-config router client host > "$tmp/ssh-config" 2>"$tmp/ssh-config.err" ||
  abort "vagrant ssh-config: are router, client and host up? $(cat "$tmp/ssh-config.err")"

# on VM CMD...: runs CMD in a VM; connection bounded so a dead VM fails the check, not hangs it.
on() {
  local vm="$1"
  shift
  ssh -F "$tmp/ssh-config" -o LogLevel=ERROR -o BatchMode=yes -o ConnectTimeout=10 \
    -o ServerAliveInterval=5 -o ServerAliveCountMax=2 "$vm" "$@"
}

# wait_until SECONDS CMD...: succeeds once CMD does; gives up at the deadline.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  while true; do
    "$@" && return 0
    (( SECONDS >= deadline )) && return 1
    sleep 1
  done
}

owner() { on host /usr/local/sbin/ipmpd-lab-addr-owner "$1"; }
owner_is() { [[ "$(owner "$1")" == "$2" ]]; }
reaches() { on client ping -n -q -c 1 -W 1 "${1%/*}" >/dev/null; }
# grep reads all of its input (no -q): under pipefail an early exit would fail the writer.
nic_state_is() { on host sudo ipmpstat -i -n -P -o INTERFACE,STATE | grep -x "$1:$2" >/dev/null; }
main_pid() { on host systemctl show -p MainPID --value ipmpd; }
warnings_logged() { on host sudo journalctl -q -u ipmpd "_PID=$1" -p warning -o cat | wc -l; }

# expect_owner ADDR IFACE TIMEOUT WHAT: placement check, reporting how long it took.
expect_owner() {
  local start=$SECONDS
  if wait_until "$3" owner_is "$1" "$2"; then
    pass "$4: $1 on $2 after $((SECONDS - start))s"
  else
    fail "$4: $1 expected on $2 within $3s, is on '$(owner "$1")'"
  fi
}
expect_reach() {
  local start=$SECONDS
  if wait_until "$REACH_TIMEOUT" reaches "$1"; then
    pass "$2: client reaches $1 after $((SECONDS - start))s"
  else
    fail "$2: client cannot reach $1 within ${REACH_TIMEOUT}s"
  fi
}
expect_state() {
  if wait_until "$STATE_TIMEOUT" nic_state_is "$1" "$2"; then
    pass "$3: ipmpstat shows $1 $2"
  else
    fail "$3: ipmpstat -i shows $1 as '$(on host sudo ipmpstat -i -n -P -o INTERFACE,STATE | grep "^$1:")', expected $2"
  fi
}

step "Lab"
provider="$(lab_provider)" || abort "no provider found under .vagrant/machines/host"
host_id="$(lab_machine_id host "$provider")" || abort "no machine id for VM 'host'"
nics_env="$(on host cat /etc/ipmpd-lab/nics.env)" || abort "host VM not provisioned (no /etc/ipmpd-lab/nics.env)"
NIC_A="" NIC_B="" VLAN_A="" VLAN_B=""
while IFS='=' read -r key value; do
  [[ "$value" =~ ^[A-Za-z0-9_.-]+$ ]] || abort "odd line in nics.env: $key=$value"
  case "$key" in NIC_A) NIC_A="$value" ;; NIC_B) NIC_B="$value" ;; VLAN_A) VLAN_A="$value" ;; VLAN_B) VLAN_B="$value" ;; esac
done <<<"$nics_env"
[[ -n "$NIC_A" && -n "$NIC_B" && -n "$VLAN_A" && -n "$VLAN_B" ]] || abort "nics.env incomplete: $nics_env"
MAC_A="$(on host cat "/sys/class/net/$NIC_A/address")" || abort "no MAC for $NIC_A"
MAC_B="$(on host cat "/sys/class/net/$NIC_B/address")" || abort "no MAC for $NIC_B"
echo "provider=$provider host=$host_id $NIC_A($MAC_A) $NIC_B($MAC_B) vlans $VLAN_A $VLAN_B"

# A previous run may have died with a cable out: plug both in and wait for carrier.
links_to_restore=("$MAC_A" "$MAC_B")
for mac in "$MAC_A" "$MAC_B"; do lab_set_link "$provider" "$host_id" "$mac" up || abort "cannot set link $mac up"; done
carrier_up() { [[ "$(on host cat "/sys/class/net/$1/carrier")" == 1 ]]; }
if ! wait_until 20 carrier_up "$NIC_A" || ! wait_until 20 carrier_up "$NIC_B"; then
  abort "host NICs have no carrier"
fi

step "Start (Type=notify: systemctl returns after READY=1, i.e. after initial placement)"
on host sudo systemctl restart ipmpd || abort "systemctl restart ipmpd failed: $(on host sudo journalctl -q -u ipmpd -n 20 -o cat)"
if [[ "$(on host systemctl is-active ipmpd)" == active ]]; then pass "ipmpd active"; else fail "ipmpd not active"; fi
pid="$(main_pid)"
# No waiting here: READY=1 promises the placement is already applied.
for pair in "$LAB_TEST_A:$NIC_A" "$LAB_TEST_B:$NIC_B" "$LAB_VLAN_TEST_A:$VLAN_A" "$LAB_VLAN_TEST_B:$VLAN_B" \
  "$LAB_DATA:$NIC_A" "$LAB_VLAN_DATA:$VLAN_B"; do
  expect_owner "${pair%%:*}" "${pair#*:}" 0 "placement at READY"
done
expect_reach "$LAB_DATA" "start"
expect_reach "$LAB_VLAN_DATA" "start (VLAN)"
lines="$(on host sudo journalctl -q -u ipmpd "_PID=$pid" -o cat)"
if [[ -n "$lines" ]] && ! grep -q '^<[0-7]>' <<<"$lines"; then
  pass "journald took the <N> priority prefixes (none left in messages)"
else
  fail "journal lines missing or still carrying a <N> prefix: $(head -n 3 <<<"$lines")"
fi

step "Reload (ExecReload sends SIGHUP; same process, same placement)"
if on host sudo systemctl reload ipmpd && [[ "$(main_pid)" == "$pid" ]] &&
  [[ "$(on host systemctl is-active ipmpd)" == active ]]; then
  pass "reload kept MainPID $pid"
else
  fail "reload: MainPID $(main_pid) (was $pid) or not active"
fi
expect_owner "$LAB_DATA" "$NIC_A" 5 "after reload"

step "Group ipmp0: carrier loss on $NIC_A, repair, failback"
warn_before="$(warnings_logged "$pid")"
lab_set_link "$provider" "$host_id" "$MAC_A" down || fail "cannot pull $NIC_A"
expect_owner "$LAB_DATA" "$NIC_B" "$FAILOVER_TIMEOUT" "failover"
expect_owner "$LAB_VLAN_DATA" "$VLAN_B" 0 "unaffected VLAN address stays"
expect_state "$NIC_A" failed "failover"
expect_reach "$LAB_DATA" "failover"
if (( $(warnings_logged "$pid") > warn_before )); then
  pass "NIC failure logged at priority warning or above"
else
  fail "no journal line at priority warning or above after the NIC failure"
fi
lab_set_link "$provider" "$host_id" "$MAC_A" up || fail "cannot plug $NIC_A back"
expect_owner "$LAB_DATA" "$NIC_A" "$FAILBACK_TIMEOUT" "failback"
expect_state "$NIC_A" ok "repair"
expect_reach "$LAB_DATA" "failback"

step "Group ipmp1 (802.1Q VLAN $LAB_VLAN_ID over both NICs): carrier loss on $NIC_B"
lab_set_link "$provider" "$host_id" "$MAC_B" down || fail "cannot pull $NIC_B"
expect_owner "$LAB_VLAN_DATA" "$VLAN_A" "$FAILOVER_TIMEOUT" "VLAN failover"
expect_owner "$LAB_DATA" "$NIC_A" 0 "unaffected ipmp0 address stays"
expect_state "$VLAN_B" failed "VLAN failover"
expect_reach "$LAB_VLAN_DATA" "VLAN failover"
lab_set_link "$provider" "$host_id" "$MAC_B" up || fail "cannot plug $NIC_B back"
expect_owner "$LAB_VLAN_DATA" "$VLAN_B" "$FAILBACK_TIMEOUT" "VLAN failback"
expect_state "$VLAN_B" ok "VLAN repair"
expect_reach "$LAB_VLAN_DATA" "VLAN failback"

step "Administrative offline: if_mpadm -d / -r $NIC_A"
on host sudo if_mpadm -d "$NIC_A" || fail "if_mpadm -d $NIC_A failed"
expect_owner "$LAB_DATA" "$NIC_B" "$FAILOVER_TIMEOUT" "offline"
expect_state "$NIC_A" offline "offline"
expect_reach "$LAB_DATA" "offline"
on host sudo if_mpadm -r "$NIC_A" || fail "if_mpadm -r $NIC_A failed"
expect_owner "$LAB_DATA" "$NIC_A" "$FAILBACK_TIMEOUT" "undo offline"
expect_reach "$LAB_DATA" "undo offline"

step "Stop (SIGTERM: clean exit, addresses left in place)"
on host sudo systemctl stop ipmpd || fail "systemctl stop ipmpd failed"
result="$(on host systemctl show -p Result --value ipmpd)"
if [[ "$result" == success ]]; then pass "stopped cleanly"; else fail "stop result '$result'"; fi
expect_owner "$LAB_DATA" "$NIC_A" 0 "after stop"

finish
