#!/bin/sh
# Talking to grokd from a POSIX shell with socat: one JSON-RPC message per line.
#
#   grok.sh ping | status | batch | sleep
#
# The socket is $GROK_SOCKET, else $XDG_RUNTIME_DIR/grok/grokd.sock, else
# /tmp/grok-$UID/grokd.sock. Response lines are printed as they arrive, unchanged.
# socat sends our lines, half-closes at the end of its input, and still prints every
# answer: the daemon answers all requests it has read before closing (PROTOCOL.md §7).
set -eu

if [ -n "${GROK_SOCKET:-}" ]; then
    SOCK=$GROK_SOCKET
elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ "${XDG_RUNTIME_DIR#/}" != "$XDG_RUNTIME_DIR" ]; then
    SOCK=$XDG_RUNTIME_DIR/grok/grokd.sock
else
    SOCK=/tmp/grok-$(id -u)/grokd.sock
fi

# Sends each argument as one line; prints every line the daemon answers.
# -t 30: after our input ends, wait up to 30 s for the daemon's last answers.
send() {
    printf '%s\n' "$@" | socat -t 30 - "UNIX-CONNECT:$SOCK"
}

ping() {
    send '{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}'
}

status() {
    send '{"jsonrpc":"2.0","id":1,"method":"daemon.status"}'
}

# One line holding an array: the answer is one array, in request order. The notification
# (no id) gets no entry; the unknown method gets a -32601 entry.
batch() {
    send '[{"jsonrpc":"2.0","id":1,"method":"daemon.ping"},{"jsonrpc":"2.0","id":2,"method":"daemon.status"},{"jsonrpc":"2.0","method":"daemon.ping"},{"jsonrpc":"2.0","id":3,"method":"no.such.method"}]'
}

# Streaming: $/progress tick notifications every 100 ms, then the final response.
sleep_stream() {
    send '{"jsonrpc":"2.0","id":1,"method":"daemon.sleep","params":{"ms":500,"stream":true,"intervalMs":100}}'
}

if ! command -v socat >/dev/null 2>&1; then
    echo "grok.sh: socat is needed (apt-get install socat)" >&2
    exit 69
fi
if [ ! -S "$SOCK" ]; then
    echo "grok.sh: no socket at $SOCK (is grokd running? set GROK_SOCKET to choose another)" >&2
    exit 69
fi

case "${1:-}" in
    ping) ping ;;
    status) status ;;
    batch) batch ;;
    sleep) sleep_stream ;;
    *)
        echo "usage: $0 ping|status|batch|sleep" >&2
        exit 64
        ;;
esac
