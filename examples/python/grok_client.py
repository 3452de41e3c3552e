#!/usr/bin/env python3
"""A small grok client: JSON-RPC 2.0, one message per line, over grokd's Unix socket.

Standard library only. As a module:

    from grok_client import GrokClient, GrokError

    with GrokClient() as grok:
        print(grok.call("daemon.ping"))                      # {'pong': True}
        grok.call_streaming("daemon.sleep", {"ms": 300, "stream": True},
                            lambda p: print(p["elapsedMs"]))

As a command (exit 0 on success, 1 on an error, 69 when the socket cannot be reached):

    grok_client.py [--socket PATH] ping | status | call METHOD [JSON]
                                    | stream-sleep MS | cancel-demo

The wire protocol is protocol/PROTOCOL.md. A GrokClient is not thread-safe: use one per thread.
"""

import argparse
import itertools
import json
import os
import socket
import sys

EX_UNAVAILABLE = 69  # sysexits.h: the service cannot be reached
CANCELLED = -32800


def default_socket_path():
    """$GROK_SOCKET, else $XDG_RUNTIME_DIR/grok/grokd.sock, else /tmp/grok-$UID/grokd.sock."""
    if os.environ.get("GROK_SOCKET"):
        return os.environ["GROK_SOCKET"]
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/"):  # XDG: a relative path is invalid and ignored
        return os.path.join(runtime, "grok", "grokd.sock")
    return "/tmp/grok-%d/grokd.sock" % os.getuid()


class GrokError(Exception):
    """An error response: the JSON-RPC error object's code, message and data."""

    def __init__(self, code, message, data=None):
        super().__init__("%s (%d)" % (message, code))
        self.code = code
        self.message = message
        self.data = data


class GrokUnreachable(OSError):
    """Nothing accepts connections on the socket path (missing, refused, no permission)."""


class GrokDisconnected(ConnectionError):
    """The connection ended before the answer arrived."""


class GrokClient:
    """One connection to grokd. Requests get unique integer ids; answers are matched by id,
    so responses to other requests may arrive in between (they are kept until asked for)."""

    def __init__(self, path=None, timeout=None):
        self.path = path or default_socket_path()
        self._ids = itertools.count(1)
        self._buffer = b""
        self._responses = {}  # id -> response object that arrived before it was waited for
        self._progress = {}  # id -> callback for its $/progress params
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(self.path)
        except OSError as error:
            self._sock.close()
            raise GrokUnreachable("cannot connect to %s: %s" % (self.path, error.strerror or error)) from error

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._sock.close()

    # -- calls --------------------------------------------------------------------------

    def call(self, method, params=None):
        """Sends a request and returns its result; raises GrokError for an error response."""
        return self.wait(self.start(method, params))

    def call_streaming(self, method, params, on_progress):
        """Like call(); on_progress(params) runs for each $/progress of this request, in
        order, before the result is returned. It may call cancel()."""
        return self.wait(self.start(method, params, on_progress))

    def start(self, method, params=None, on_progress=None):
        """Sends a request without waiting; returns its id for wait() and cancel()."""
        request_id = next(self._ids)
        if on_progress is not None:
            self._progress[request_id] = on_progress
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}})
        return request_id

    def notify(self, method, params=None):
        """Sends a notification (never answered)."""
        self._send({"jsonrpc": "2.0", "method": method, "params": params or {}})

    def cancel(self, request_id):
        """Asks the daemon to end request_id with -32800 (a $/cancelRequest notification)."""
        self.notify("$/cancelRequest", {"id": request_id})

    def wait(self, request_id):
        """Reads until the response to request_id arrives; returns its result or raises."""
        try:
            while request_id not in self._responses:
                self._dispatch(self._read_message())
        finally:
            self._progress.pop(request_id, None)
        return _unwrap(self._responses.pop(request_id))

    # -- wire ---------------------------------------------------------------------------

    def _send(self, message):
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        try:
            self._sock.sendall(line)
        except OSError as error:
            raise GrokDisconnected("cannot write to %s: %s" % (self.path, error)) from error

    def _read_message(self):
        """The next JSON value from the daemon (blank lines and a CR before LF tolerated)."""
        while True:
            newline = self._buffer.find(b"\n")
            if newline >= 0:
                line, self._buffer = self._buffer[:newline], self._buffer[newline + 1:]
                line = line.rstrip(b"\r")
                if line.strip():
                    return json.loads(line.decode("utf-8"))
                continue
            chunk = self._sock.recv(65536)
            if not chunk:
                raise GrokDisconnected("the daemon closed the connection")
            self._buffer += chunk

    def _dispatch(self, message):
        for item in message if isinstance(message, list) else [message]:
            if not isinstance(item, dict):
                continue
            if item.get("method") == "$/progress":
                params = item.get("params") or {}
                callback = self._progress.get(params.get("id"))
                if callback is not None:
                    callback(params)
            elif "method" in item:
                continue  # another notification: nothing to do with it here
            elif item.get("id") is None:
                # Not an answer to any one request: a refusal at connect (-32004, -32001)
                # or a line the daemon could not read. It concerns the whole connection.
                _unwrap(item)
            else:
                self._responses[item["id"]] = item


def _unwrap(response):
    if "error" in response:
        error = response["error"]
        raise GrokError(error.get("code", 0), error.get("message", ""), error.get("data"))
    return response.get("result")


# -- command line -------------------------------------------------------------------------

def _print_json(value):
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _stream_sleep(grok, ms):
    def tick(progress):
        if progress.get("kind") == "tick":
            print("tick %d" % progress["elapsedMs"], flush=True)

    result = grok.call_streaming("daemon.sleep", {"ms": ms, "stream": True}, tick)
    print("done %d" % result["sleptMs"])
    return 0


def _cancel_demo(grok):
    ticks = []

    def on_progress(progress):
        if progress.get("kind") == "tick" and not ticks:
            grok.cancel(request_id)
        ticks.append(progress)

    request_id = grok.start("daemon.sleep", {"ms": 10000, "stream": True}, on_progress)
    try:
        result = grok.wait(request_id)
    except GrokError as error:
        if error.code != CANCELLED:
            raise
        print("cancelled %d" % error.code)
        return 0
    print("grok_client: daemon.sleep was not cancelled: %s" % json.dumps(result), file=sys.stderr)
    return 1


def main(argv=None):
    parser = argparse.ArgumentParser(description="Talk to grokd over its Unix socket.")
    parser.add_argument("--socket", metavar="PATH", help="socket path (default: %s)" % default_socket_path())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("ping", help="daemon.ping; prints pong")
    commands.add_parser("status", help="daemon.status; prints the status JSON")
    call = commands.add_parser("call", help="any method; prints the result JSON")
    call.add_argument("method")
    call.add_argument("params", nargs="?", default="{}", help="params as JSON (default {})")
    sleep = commands.add_parser("stream-sleep", help="daemon.sleep with progress ticks")
    sleep.add_argument("ms", type=int)
    commands.add_parser("cancel-demo", help="starts a 10 s sleep and cancels it at the first tick")
    args = parser.parse_args(argv)

    try:
        params = json.loads(args.params) if args.command == "call" else None
    except ValueError as error:
        print("grok_client: params are not JSON: %s" % error, file=sys.stderr)
        return 1
    try:
        with GrokClient(args.socket) as grok:
            if args.command == "ping":
                print("pong" if grok.call("daemon.ping").get("pong") else "no pong")
            elif args.command == "status":
                _print_json(grok.call("daemon.status"))
            elif args.command == "call":
                _print_json(grok.call(args.method, params))
            elif args.command == "stream-sleep":
                return _stream_sleep(grok, args.ms)
            elif args.command == "cancel-demo":
                return _cancel_demo(grok)
        return 0
    except GrokError as error:
        detail = " %s" % json.dumps(error.data) if error.data is not None else ""
        print("grok_client: error %d: %s%s" % (error.code, error.message, detail), file=sys.stderr)
        return 1
    except GrokUnreachable as error:
        print("grok_client: %s" % error, file=sys.stderr)
        return EX_UNAVAILABLE
    except (OSError, ValueError) as error:
        print("grok_client: %s" % error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130  # closing the connection cancels whatever was running


if __name__ == "__main__":
    sys.exit(main())
