# shellcheck shell=bash
# Sourced by vagrant/scenarios.sh: pulls a VM's NIC cable in or out from the hypervisor, so the
# guest sees a real carrier loss. NICs are named by their MAC (read inside the guest), which
# works whatever the guest calls them and whichever adapter slot they landed in.

# lab_provider: the provider the host VM was brought up with, from Vagrant's machine folder.
lab_provider() {
  local found=() p
  for p in virtualbox libvirt; do
    [[ -s ".vagrant/machines/host/$p/id" ]] && found+=("$p")
  done
  if (( ${#found[@]} == 1 )); then
    echo "${found[0]}"
  elif (( ${#found[@]} > 1 )) && [[ -n "${VAGRANT_DEFAULT_PROVIDER:-}" ]]; then
    echo "$VAGRANT_DEFAULT_PROVIDER"
  else
    echo "lab_provider: cannot tell the provider of VM 'host' (found: ${found[*]:-none})" >&2
    return 1
  fi
}

# lab_machine_id MACHINE PROVIDER: VirtualBox VM UUID or libvirt domain UUID.
lab_machine_id() {
  local f=".vagrant/machines/$1/$2/id"
  [[ -s "$f" ]] || { echo "lab_machine_id: no $f (is '$1' up?)" >&2; return 1; }
  cat "$f"
}

# lab_vbox_adapter ID MAC: VirtualBox adapter number (1-based) whose MAC is MAC.
lab_vbox_adapter() {
  local want
  want="$(tr -d ':' <<<"$2" | tr '[:lower:]' '[:upper:]')"
  VBoxManage showvminfo "$1" --machinereadable |
    awk -F= -v want="$want" '
      $1 ~ /^macaddress[0-9]+$/ {
        v = $2; gsub(/"/, "", v)
        if (toupper(v) == want) { n = $1; sub(/^macaddress/, "", n); print n; found = 1; exit }
      }
      END { if (!found) exit 1 }'
}

# lab_set_link PROVIDER ID MAC up|down
lab_set_link() {
  local provider="$1" id="$2" mac="$3" state="$4"
  [[ "$state" == up || "$state" == down ]] || { echo "lab_set_link: state must be up|down" >&2; return 2; }
  case "$provider" in
    virtualbox)
      local n
      n="$(lab_vbox_adapter "$id" "$mac")" || { echo "lab_set_link: no adapter with MAC $mac" >&2; return 1; }
      VBoxManage controlvm "$id" "setlinkstate$n" "$([[ "$state" == up ]] && echo on || echo off)"
      ;;
    libvirt)
      # vagrant-libvirt uses the system instance; plain virsh as a user would default to session.
      virsh -c "${LIBVIRT_DEFAULT_URI:-qemu:///system}" domif-setlink "$id" "$mac" "$state" >/dev/null
      ;;
    *)
      echo "lab_set_link: unsupported provider '$provider'" >&2
      return 2
      ;;
  esac
}
