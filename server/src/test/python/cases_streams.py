"""Long runs and streams: sequential calls, SSE event ids and Last-Event-ID resumption (http), and
the embedded PostgreSQL's authentication (item 6)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import time

import anyio

from cases_features import mcp_headers, need_model, raw_initialize
from cases_wire import body_messages
from harness import case, check, ok


@case(timeout=300)
async def sequential_calls_each_answered(ctx):
    """A strictly one-at-a-time client over a long run (2,000 calls over stdio, 500 over HTTP,
    where each call is a round trip of its own)."""
    alice = await ctx.session("alice")
    count = 2000 if ctx.transport == "stdio" else 500
    started = time.monotonic()
    for i in range(count):
        if i % 100 == 0:
            ok(await alice.call_tool("list_conversations", {"limit": 1}))
        else:
            await alice.send_ping()
    print(f"  {count} sequential calls over {ctx.transport}: {time.monotonic() - started:.1f} s", flush=True)


async def sse_events(response):
    """(id, data) of each server-sent event of a streamed response."""
    event_id, data = None, []
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield event_id, "\n".join(data)
            event_id, data = None, []
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


async def raw_call(http, url: str, session_id: str, request_id: int, name: str, arguments: dict) -> dict:
    response = await http.post(url, headers=mcp_headers(session_id), json={
        "jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
    answer = [m for m in body_messages(response) if m.get("id") == request_id][0]
    return answer["result"]["structuredContent"]


@case("http", timeout=60)
async def http_sse_event_ids_are_unique(ctx):
    need_model(ctx)
    ids: list[str] = []
    async with await ctx.raw_http("streamer") as http:
        session_id = await raw_initialize(http, ctx.url)
        conversation_id = (await raw_call(http, ctx.url, session_id, 2, "create_conversation", {}))["conversation"]["id"]
        for request_id, request in ((3, {"method": "tools/call", "params": {
                "name": "send_message", "arguments": {"conversation_id": conversation_id, "content": "count"},
                "_meta": {"progressToken": "p3"}}}), (4, {"method": "ping"})):
            async with http.stream("POST", ctx.url, headers=mcp_headers(session_id),
                                   json={"jsonrpc": "2.0", "id": request_id, **request}) as response:
                async for event_id, _ in sse_events(response):
                    ids.append(event_id)
    check(len(ids) >= 3, f"events with progress: {ids}")
    check(all(ids), f"every event has an id: {ids}")
    check(len(set(ids)) == len(ids), f"event ids repeat: {ids}")


@case("http", timeout=60)
async def http_reconnect_with_last_event_id_gets_the_missed_answer(ctx):
    need_model(ctx)
    async with await ctx.raw_http("resumer") as http:
        session_id = await raw_initialize(http, ctx.url)
        conversation_id = (await raw_call(http, ctx.url, session_id, 2, "create_conversation", {}))["conversation"]["id"]
        request = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "send_message", "arguments": {"conversation_id": conversation_id, "content": "[slow:3] resume"},
            "_meta": {"progressToken": "p3"}}}
        last_id = None
        async with http.stream("POST", ctx.url, headers=mcp_headers(session_id), json=request) as response:
            async for event_id, _ in sse_events(response):
                last_id = event_id
                break  # the connection drops after the first event
        check(last_id, "the first event has an id to resume from")
        headers = {"Accept": "text/event-stream", "Mcp-Session-Id": session_id, "MCP-Protocol-Version": "2025-11-25",
                   "Last-Event-ID": last_id}
        answer = None
        with anyio.move_on_after(20):
            async with http.stream("GET", ctx.url, headers=headers) as response:
                check(response.status_code == 200, f"the resuming GET answered {response.status_code}")
                async for _, data in sse_events(response):
                    message = json.loads(data)
                    if message.get("id") == 3:
                        answer = message
                        break
        check(answer and "result" in answer, f"the missed answer after the reconnect: {answer}")
        check(answer["result"]["structuredContent"]["reply"].startswith("echo:"), f"the turn's reply: {answer}")


@case("stdio")
async def database_refuses_a_connection_without_the_password(ctx):
    await ctx.session("alice")  # the embedded PostgreSQL is running
    psql = shutil.which("psql")
    check(psql, "psql is needed (Debian: postgresql-client)")
    port = (pathlib.Path(os.environ["XDG_DATA_HOME"]) / "baton" / "port").read_text().strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for user in ("postgres", "baton"):
        done = await anyio.run_process([psql, "-h", "127.0.0.1", "-p", port, "-U", user, "-d", "postgres", "-w",
                                        "-Atc", "select 1"], env=env, check=False)
        check(done.returncode != 0, f"psql as {user} without a password was let in: {done.stdout.decode()!r}")
