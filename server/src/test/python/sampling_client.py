"""The official Python MCP SDK as the model of Baton's `sampling` provider (run by SamplingProviderIT).

One session, one turn: creates a conversation, sends one message, reads the conversation back, and
writes what happened as JSON to --out: every sampling/createMessage request the client received
(as the wire has it), the send_message result and the stored messages.

--sampling tools   declares sampling with tools (sampling: {tools: {}}); the client's "model" first
                   answers with a tool_use of the warehouse's query_dataset, then with text
--sampling plain   declares sampling without tools; the model answers with text
--sampling none    declares no sampling
--sampling cancel  declares sampling with tools; the model never answers, and the client cancels
                   send_message after --cancel-after seconds: Baton is to cancel its sampling
                   request in turn (notifications/cancelled), which ends the waiting callback
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

import anyio
import httpx2
from mcp import ClientSession, StdioServerParameters, stdio_client, types
from mcp.client.streamable_http import streamable_http_client

QUESTION = "What did Acme GmbH order?"
ANSWER = "Acme GmbH placed two orders: 1200.00 EUR and 1875.00 EUR."


async def main(args: argparse.Namespace) -> None:
    requests: list[dict] = []
    sampling_cancelled = anyio.Event()

    async def model(context, params: types.CreateMessageRequestParams):
        requests.append(params.model_dump(mode="json", by_alias=True, exclude_none=True))
        if args.sampling == "cancel":
            try:
                await anyio.sleep_forever()
            except anyio.get_cancelled_exc_class():
                sampling_cancelled.set()
                raise
        if args.sampling == "tools" and len(requests) == 1:
            return types.CreateMessageResultWithTools(
                role="assistant",
                content=[types.TextContent(type="text", text="Let me look at the orders."),
                         types.ToolUseContent(type="tool_use", id="toolu_01", name="query_dataset",
                                              input={"dataset": "sales", "table": "orders"})],
                model="client-model-1", stop_reason="toolUse")
        last = params.messages[-1].content
        text = ANSWER if args.sampling == "tools" else "The client's model read: " + getattr(last, "text", "?")
        return types.CreateMessageResult(role="assistant", content=types.TextContent(type="text", text=text),
                                         model="client-model-1", stop_reason="endTurn")

    session_args = {}
    if args.sampling != "none":
        session_args["sampling_callback"] = model
        session_args["sampling_capabilities"] = types.SamplingCapability(
            tools=types.SamplingToolsCapability() if args.sampling in ("tools", "cancel") else None)

    async with contextlib.AsyncExitStack() as stack:
        if args.transport == "stdio":
            with open(args.env) as f:
                env = json.load(f)
            params = StdioServerParameters(command=args.java, args=["-jar", args.jar, "serve", "--stdio", "--user",
                                                                     args.user, "--project", args.project], env=env)
            errlog = stack.enter_context(open(args.out + ".stderr.log", "a"))
            read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
        else:
            http = await stack.enter_async_context(httpx2.AsyncClient(
                headers={"Authorization": f"Bearer {args.token}"}, timeout=httpx2.Timeout(30, read=300)))
            read, write = await stack.enter_async_context(streamable_http_client(args.url, http_client=http))
        session = await stack.enter_async_context(ClientSession(read, write, read_timeout_seconds=120,
                                                                **session_args))
        await session.initialize()
        created = await session.call_tool("create_conversation", {"title": "Sampled with tools"})
        conversation_id = created.structured_content["conversation"]["id"]
        if args.sampling == "cancel":
            with anyio.move_on_after(args.cancel_after):
                await session.call_tool("send_message", {"conversation_id": conversation_id, "content": QUESTION})
            with anyio.move_on_after(20):
                await sampling_cancelled.wait()
            for _ in range(200):  # until the cancelled turn's end is stored
                read_back = await session.call_tool("read_conversation", {"conversation_id": conversation_id})
                messages = read_back.structured_content["messages"]
                if messages and messages[-1]["type"] == "result" and messages[-1]["tool"] == "router_agent":
                    break
                await anyio.sleep(0.1)
            report = {"requests": requests, "sampling_cancelled": sampling_cancelled.is_set(), "messages": messages}
        else:
            sent = await session.call_tool("send_message", {"conversation_id": conversation_id, "content": QUESTION})
            read_back = await session.call_tool("read_conversation", {"conversation_id": conversation_id})
            report = {
                "requests": requests,
                "send": {"is_error": bool(sent.is_error), "structured": sent.structured_content,
                         "text": sent.content[0].text if sent.content else None},
                "messages": read_back.structured_content["messages"],
            }
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--transport", choices=("stdio", "http"), required=True)
    parser.add_argument("--sampling", choices=("tools", "plain", "none", "cancel"), required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--java")
    parser.add_argument("--jar")
    parser.add_argument("--env", help="a JSON file: the environment of `baton serve --stdio`")
    parser.add_argument("--user", default="alice")
    parser.add_argument("--project", default="sampling")
    parser.add_argument("--cancel-after", type=float, default=5)
    parser.add_argument("--url")
    parser.add_argument("--token")
    anyio.run(main, parser.parse_args())
