# bash completion for ipmpd, ipmpstat, if_mpadm and ipmpctl.
# Installed as /usr/share/bash-completion/completions/ipmpd, with ipmpstat, if_mpadm and
# ipmpctl linked to it (bash-completion loads a file by the command's name). Self-contained:
# it needs no helper from the bash-completion package, only compgen.

# Interface names: `ip -o link` ("2: eth0@if7: <...>" -> eth0).
_ipmpd_links() {
    ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

# Group members as the running daemon knows them, else every interface.
_ipmpd_members() {
    local m
    m=$(ipmpstat -i -o interface -P 2>/dev/null)
    if [ -n "$m" ]; then printf '%s\n' "$m"; else _ipmpd_links; fi
}

# COMPREPLY from a word list (split on blanks and newlines) for the current word.
_ipmpd_words() {
    local found
    found=$(compgen -W "$1" -- "$2")
    local IFS=$'\n'
    # shellcheck disable=SC2206
    COMPREPLY=($found)
}

_ipmpd_files() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    # shellcheck disable=SC2207
    COMPREPLY=($(compgen -f -- "$1"))
}

# --map A=B: B is a Linux interface.
_ipmpd_map() {
    local cur=$1
    if [[ $cur == *=* ]]; then
        local left=${cur%=*}= w
        _ipmpd_words "$(_ipmpd_links)" "${cur##*=}"
        for w in "${!COMPREPLY[@]}"; do COMPREPLY[w]=$left${COMPREPLY[w]}; done
    fi
}

_ipmpd() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
        --config|--socket) _ipmpd_files "$cur"; return ;;
        --log-level) _ipmpd_words "trace debug info warn error fatal silent" "$cur"; return ;;
        --log-format) _ipmpd_words "text json" "$cur"; return ;;
        --map) _ipmpd_map "$cur"; return ;;
    esac
    _ipmpd_words "--config --map --socket --log-level --log-format -h --help --version" "$cur"
}

_ipmpstat() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} mode="" w
    for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case $w in -a|-g|-i|-p|-t) mode=${w#-} ;; esac
    done
    if [ "$prev" = -o ]; then
        local fields
        case $mode in
            a) fields="address state group inbound outbound" ;;
            g) fields="group groupname state fdt interfaces" ;;
            i) fields="interface active group flags link probe state" ;;
            p) fields="time interface probe netrtt rtt rttavg target rttdev" ;;
            t) fields="interface mode testaddr targets" ;;
            *) fields="address state group inbound outbound groupname fdt interfaces interface active flags link probe time netrtt rtt rttavg target rttdev mode testaddr targets" ;;
        esac
        # A comma-separated list: complete its last element.
        local head=""
        [[ $cur == *,* ]] && head=${cur%,*},
        _ipmpd_words "all $fields" "${cur##*,}"
        for w in "${!COMPREPLY[@]}"; do COMPREPLY[w]=$head${COMPREPLY[w]}; done
        return
    fi
    _ipmpd_words "-a -g -i -p -t -n -o -P -j -h --help --version" "$cur"
}

_if_mpadm() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    case $prev in
        -d|-r) _ipmpd_words "$(_ipmpd_members)" "$cur"; return ;;
        -s) _ipmpd_files "$cur"; return ;;
    esac
    _ipmpd_words "-d -r -s -h --help --version" "$cur"
}

_ipmpctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        _ipmpd_words "migrate check plan monitor -h --help --version" "$cur"
        return
    fi
    case $prev in
        --map) _ipmpd_map "$cur"; return ;;
        -o|-s) _ipmpd_files "$cur"; return ;;
    esac
    case ${COMP_WORDS[1]} in
        migrate)
            if [[ $cur == -* ]]; then _ipmpd_words "--map -o -j" "$cur"; else _ipmpd_files "$cur"; fi ;;
        check|plan)
            if [[ $cur == -* ]]; then _ipmpd_words "--map -j" "$cur"; else _ipmpd_files "$cur"; fi ;;
        monitor) _ipmpd_words "-j -s" "$cur" ;;
        *) COMPREPLY=() ;;
    esac
}

complete -F _ipmpd ipmpd
complete -F _ipmpstat ipmpstat
complete -F _if_mpadm if_mpadm
complete -F _ipmpctl ipmpctl
