#!/bin/sh
# apt-get that waits while another apt or dpkg process holds its lock (up to 10 minutes),
# instead of failing at once; any other failure fails at once, with apt-get's message.
# APT_WAIT_SECONDS: the pause between tries (10).
tries=0
while :; do
    if out=$(apt-get -o DPkg::Lock::Timeout=600 "$@" 2>&1); then
        [ -n "$out" ] && printf '%s\n' "$out"
        exit 0
    fi
    case $out in
        *"Could not get lock"* | *"Unable to lock"* | *"Unable to acquire"*) ;;
        *) printf '%s\n' "$out" >&2; exit 1 ;;
    esac
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
        printf '%s\n' "$out" >&2
        exit 1
    fi
    [ "$tries" -eq 1 ] && echo "apt is busy (another process holds its lock): waiting for it, up to 10 minutes" >&2
    sleep "${APT_WAIT_SECONDS:-10}"
done
