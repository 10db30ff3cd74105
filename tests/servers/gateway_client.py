#!/usr/bin/env python3
"""A real MCP client (the Python MCP SDK's ClientSession over its Streamable HTTP transport)
against Patchbay's gateway with an access key. Prints one JSON line to stdout.

usage: gateway_client.py URL KEY [--call TOOL ARGS_JSON]...
Output: {"tools": [names], "calls": [{tool, ok, isError, text, error}]}, or
{"connectError": message} when it cannot connect (the test judges it).
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client


async def main(argv: list[str]) -> dict:
    url, key = argv[0], argv[1]
    calls = []
    i = 2
    while i < len(argv):
        if argv[i] == "--call":
            calls.append((argv[i + 1], json.loads(argv[i + 2])))
            i += 3
        else:
            i += 1
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    out: dict = {"tools": [], "calls": []}
    try:
        async with streamablehttp_client(url, headers=headers, timeout=30) as (read, write, _):
            async with ClientSession(read, write) as session:
                await asyncio.wait_for(session.initialize(), 30)
                listed = await asyncio.wait_for(session.list_tools(), 30)
                out["tools"] = [t.name for t in listed.tools]
                for tool, args in calls:
                    try:
                        r = await asyncio.wait_for(session.call_tool(tool, args), 30)
                        text = "\n".join(c.text for c in r.content if getattr(c, "type", "") == "text")
                        out["calls"].append({"tool": tool, "ok": True, "isError": bool(r.isError), "text": text})
                    except Exception as e:  # the call's own failure: keep going
                        out["calls"].append({"tool": tool, "ok": False, "error": str(e)})
    except BaseException as e:  # connecting failed (401, 403...): report it
        if not out["tools"]:
            return {"connectError": repr(e)}
    return out


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print("usage: gateway_client.py URL KEY [--call TOOL ARGS_JSON]...", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(asyncio.run(main(sys.argv[1:]))), flush=True)
