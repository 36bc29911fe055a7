"""send_message turns on the stub model, cancellation, and the protocol features: completions,
subscriptions, log levels, a burst of concurrent calls."""

from __future__ import annotations

import time

import anyio
from mcp import types

from cases_tools import append_turn, create, shared_conversation
from harness import case, check, ok, one_sentence, text_of

SECRET = "sk-secret-never-shown"


def need_model(ctx) -> None:
    check(ctx.model_url, "this case needs --model-url (the stub model)")


@case()
async def send_message_runs_a_turn_on_the_stub_model(ctx):
    need_model(ctx)
    alice = await ctx.session("alice")
    conversation_id = await create(alice, "turns")
    answer = ok(await alice.call_tool("send_message", {"conversation_id": conversation_id, "content": "hello"}))
    check(answer["reply"] == "echo: hello", f"reply {answer['reply']!r}")
    messages = ok(await alice.call_tool("read_conversation", {"conversation_id": conversation_id}))["messages"]
    check(messages[-1]["id"] == answer["turn_end_message_id"], "the turn end is stored last")


async def turn_end_after(alice, conversation_id: str, started: float, limit: float) -> tuple[dict, float]:
    """Polls until the conversation's last message is a root result (the turn end): (it, seconds)."""
    while True:
        messages = ok(await alice.call_tool("read_conversation", {"conversation_id": conversation_id}))["messages"]
        last = messages[-1] if messages else {}
        if last.get("type") == "result" and last.get("tool") == "router_agent" and not last.get("parent_id"):
            return last, time.monotonic() - started
        check(time.monotonic() - started < limit, f"no turn end {limit} s after the cancel")
        await anyio.sleep(0.05)


@case(timeout=90)
async def cancelled_turn_stops_within_a_second(ctx):
    need_model(ctx)
    alice = await ctx.session("alice")
    conversation_id = await create(alice, "cancel me")
    async with anyio.create_task_group() as group:
        scope = anyio.CancelScope()

        async def slow_turn() -> None:
            with scope:
                await alice.call_tool("send_message", {"conversation_id": conversation_id,
                                                       "content": "[slow] take your time"})

        group.start_soon(slow_turn)
        await anyio.sleep(2)  # the turn is waiting for the model
        cancelled = time.monotonic()
        scope.cancel()  # the SDK sends notifications/cancelled for the request it abandons
    end, seconds = await turn_end_after(alice, conversation_id, cancelled, 10)
    print(f"  cancel to turn end over {ctx.transport}: {seconds * 1000:.0f} ms", flush=True)
    check(end["content_type"] == "error" and "cancel" in end["content"].lower(),
          f"the turn end says it was cancelled: {end}")
    check(seconds <= 1.0, f"the turn ended {seconds:.2f} s after the cancel")
    answer = await alice.call_tool("send_message", {"conversation_id": conversation_id, "content": "again"})
    check(ok(answer)["reply"] == "echo: again", "the conversation takes the next send_message at once")


@case("http", timeout=90)
async def http_client_disconnect_cancels_the_turn(ctx):
    need_model(ctx)
    alice = await ctx.session("alice")
    conversation_id = await create(alice, "disconnect")
    async with await ctx.raw_http("alice") as http:
        session_id = await raw_initialize(http, ctx.url)
        request = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                   "params": {"name": "send_message",
                              "arguments": {"conversation_id": conversation_id, "content": "[slow] then hang up"}}}
        with anyio.move_on_after(2):
            await http.post(ctx.url, json=request, headers=mcp_headers(session_id))
    dropped = time.monotonic()
    end, seconds = await turn_end_after(alice, conversation_id, dropped, 10)
    print(f"  disconnect to turn end: {seconds * 1000:.0f} ms", flush=True)
    check("cancel" in end["content"].lower(), f"the turn end says it was cancelled: {end}")
    # Baton notices a vanished client at its next keep-alive (at most 1 s), then waits the 2 s grace
    # in which a client may resume with Last-Event-ID (README: Streams, resumption and cancellation)
    check(seconds <= 4.5, f"the turn ended {seconds:.2f} s after the disconnect")


def mcp_headers(session_id: str | None = None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if session_id:
        headers["Mcp-Session-Id"] = session_id
        headers["MCP-Protocol-Version"] = "2025-11-25"
    return headers


async def raw_initialize(http, url: str) -> str:
    response = await http.post(url, headers=mcp_headers(), json={
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
    check(response.status_code == 200, f"initialize answered {response.status_code}")
    session_id = response.headers["mcp-session-id"]
    await http.post(url, headers=mcp_headers(session_id), json={"jsonrpc": "2.0", "method": "notifications/initialized"})
    return session_id


@case()
async def completions_offer_conversation_ids(ctx):
    project = ctx.new_project()
    async with ctx.connect("alice", project=project) as alice:
        conversation_id = await create(alice, "Completion target")
        prefix = conversation_id[:6]
        result = await alice.complete(types.PromptReference(type="ref/prompt", name="system_prompt"),
                                      {"name": "conversation_id", "value": prefix})
        check(conversation_id in result.completion.values, f"prompt completion: {result.completion.values}")
        result = await alice.complete(
            types.ResourceTemplateReference(type="ref/resource", uri="baton://conversations/{id}"),
            {"name": "id", "value": prefix})
        check(conversation_id in result.completion.values, f"resource completion: {result.completion.values}")
        result = await alice.complete(types.PromptReference(type="ref/prompt", name="system_prompt"),
                                      {"name": "conversation_id", "value": "zzzz"})
        check(result.completion.values == [], "no id starts with zzzz")


@case(timeout=60)
async def subscribers_hear_of_a_new_share_within_two_seconds(ctx):
    conversation_id, _ = await shared_conversation(ctx)
    alice = await ctx.session("alice")
    uri = f"baton://conversations/{conversation_id}"
    updated = anyio.Event()

    async def on_message(message) -> None:
        if isinstance(message, types.ResourceUpdatedNotification) and str(message.params.uri) == uri:
            updated.set()

    async with ctx.connect("bob", message_handler=on_message) as bob:
        await bob.subscribe_resource(uri)
        await append_turn(alice, conversation_id, "A second turn")
        changed = time.monotonic()
        ok(await alice.call_tool("share_conversation", {"conversation_id": conversation_id}))
        with anyio.move_on_after(2):
            await updated.wait()
        check(updated.is_set(), "no notifications/resources/updated within 2 s of the re-share")
        print(f"  resources/updated after {(time.monotonic() - changed) * 1000:.0f} ms", flush=True)


@case(timeout=60)
async def log_notifications_follow_the_level_and_hold_no_secret(ctx):
    need_model(ctx)
    logs: list[types.LoggingMessageNotificationParams] = []

    async def on_log(params) -> None:
        logs.append(params)

    async with ctx.connect("lena", logging_callback=on_log) as lena:
        conversation_id = await create(lena, "logged")
        await lena.set_logging_level("error")
        ok(await lena.call_tool("send_message", {"conversation_id": conversation_id, "content": "quiet"}))
        check(not [log for log in logs if log.level not in ("error", "critical", "alert", "emergency")],
              f"below the level set: {[log.level for log in logs]}")
        await lena.set_logging_level("debug")
        ok(await lena.call_tool("send_message", {"conversation_id": conversation_id, "content": "loud"}))
        await anyio.sleep(0.5)
        check(logs, "a turn at level debug sends log notifications")
        check(not [log for log in logs if SECRET in str(log.data)], "a log notification holds the model key")


@case(timeout=90)
async def burst_of_50_concurrent_calls_all_answered(ctx):
    alice = await ctx.session("alice")
    conversation_id = await create(alice, "burst")
    answers: list[str] = []

    async def one(i: int) -> None:
        result = await alice.call_tool("append_messages", {"conversation_id": conversation_id,
                                                          "messages": [{"role": "user", "type": "progress",
                                                                        "content": f"m{i}"}]})
        answers.append(ok(result)["message_ids"][0])

    async with anyio.create_task_group() as group:
        for i in range(50):
            group.start_soon(one, i)
    check(len(answers) == 50, f"{len(answers)} answers")
    read = ok(await alice.call_tool("read_conversation", {"conversation_id": conversation_id}))
    check(len(read["messages"]) == 50, "every append stored once")


@case()
async def refusal_sentences_never_name_java_classes(ctx):
    alice = await ctx.session("alice")
    conversation_id = await create(alice)
    refusals = [
        await alice.call_tool("append_messages", {"conversation_id": conversation_id, "messages": [
            {"role": "user", "type": "call", "content_type": "json", "content": "{not json"}]}),
        await alice.call_tool("fork_conversation", {"conversation_id": conversation_id}),
        await alice.call_tool("share_conversation", {"conversation_id": conversation_id,
                                                     "until_message_id": conversation_id}),
    ]
    for result in refusals:
        check(result.is_error, f"expected a refusal, got {text_of(result)!r}")
        one_sentence(text_of(result))
