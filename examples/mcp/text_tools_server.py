#!/usr/bin/env python3
"""A minimal MCP server (standard library only) that grokd can attach by command line.

It speaks newline-delimited JSON-RPC 2.0 on stdin/stdout with MCP's methods (initialize,
tools/list, tools/call, ping) and offers two text tools. Attach it in grokd.json:

    {"plugins": [{"name": "text", "command": "python3",
                  "args": ["/path/to/examples/mcp/text_tools_server.py"]}]}

and call it as `grokctl tools call text.word_count '{"text": "one two three"}'`.
"""
import json
import sys

TOOLS = [
    {
        "name": "word_count",
        "description": "Counts the words, lines and characters of a text.",
        "inputSchema": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
            "additionalProperties": False,
        },
    },
    {
        "name": "reverse",
        "description": "Reverses a text character by character.",
        "inputSchema": {
            "type": "object",
            "properties": {"text": {"type": "string"}},
            "required": ["text"],
        },
    },
]


def call_tool(name, arguments):
    text = arguments.get("text", "")
    if name == "word_count":
        counts = {"words": len(text.split()), "lines": len(text.splitlines()), "characters": len(text)}
        summary = f"{counts['words']} words, {counts['lines']} lines, {counts['characters']} characters"
        return {"content": [{"type": "text", "text": summary}], "structuredContent": counts, "isError": False}
    if name == "reverse":
        return {"content": [{"type": "text", "text": text[::-1]}], "isError": False}
    return None


def answer(request):
    method, params = request.get("method"), request.get("params") or {}
    if method == "initialize":
        return {
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "text-tools", "version": "1.0.0"},
        }
    if method == "ping":
        return {}
    if method == "tools/list":
        return {"tools": TOOLS}
    if method == "tools/call":
        result = call_tool(params.get("name"), params.get("arguments") or {})
        if result is None:
            raise LookupError(f"unknown tool {params.get('name')}")
        return result
    raise NotImplementedError(method)


def main():
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            reply = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}}
        else:
            if "id" not in request:
                continue  # notifications (initialized, cancelled): nothing to answer
            try:
                reply = {"jsonrpc": "2.0", "id": request["id"], "result": answer(request)}
            except LookupError as error:
                reply = {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32602, "message": str(error)}}
            except NotImplementedError as error:
                reply = {"jsonrpc": "2.0", "id": request["id"], "error": {"code": -32601, "message": f"Method not found: {error}"}}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
