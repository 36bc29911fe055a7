"""What an SDK never sends: bad stdio lines and process exit (stdio), and the HTTP details that
real clients check (http). Raw bytes on the wire, no SDK."""

from __future__ import annotations

import json

import anyio

from cases_features import mcp_headers, raw_initialize
from harness import FORBIDDEN_IN_SENTENCES, INITIALIZE, case, check, one_sentence

PING = {"jsonrpc": "2.0", "id": 100, "method": "ping"}


def error_without_id(message: dict, code: int) -> None:
    check("error" in message, f"expected an error, got {message}")
    check(message["error"]["code"] == code, f"expected {code}, got {message['error']}")
    check("id" not in message, f"an unknown id is left out, not sent as {message.get('id')!r}")
    one_sentence(message["error"]["message"])


async def still_answers(raw) -> None:
    await raw.send(PING)
    answer = await raw.answer(100)
    check("result" in answer, f"a later ping is answered: {answer}")


async def bad_line_then_ping(ctx, line: bytes | str, code: int | None) -> None:
    raw = await ctx.raw_stdio()
    try:
        await raw.handshake()
        await raw.send(line)
        if code is not None:
            error_without_id(await raw.receive(), code)
        await still_answers(raw)
        seconds = await raw.close_stdin_and_time_exit()
        check(seconds <= 1.0, f"exit {seconds:.2f} s after stdin closed")
    finally:
        await raw.kill()


@case("stdio")
async def stdio_line_that_is_not_json_gets_parse_error(ctx):
    await bad_line_then_ping(ctx, "this is not json", -32700)


@case("stdio")
async def stdio_message_without_method_gets_invalid_request(ctx):
    await bad_line_then_ping(ctx, '{"jsonrpc":"2.0","params":{}}', -32600)


@case("stdio")
async def stdio_batch_array_gets_an_error(ctx):
    await bad_line_then_ping(ctx, json.dumps([PING, PING]), -32600)


@case("stdio")
async def stdio_empty_line_and_invalid_utf8_keep_the_session(ctx):
    raw = await ctx.raw_stdio()
    try:
        await raw.handshake()
        await raw.send(b"")
        await raw.send(b'{"jsonrpc":"2.0","id":7,"method":"ping","params":{"x":"\xff\xfe"}}')
        answer = await raw.receive()
        check("error" in answer or "result" in answer, f"invalid UTF-8 gets an answer: {answer}")
        await still_answers(raw)
    finally:
        await raw.kill()


@case("stdio")
async def stdio_odd_ids_and_missing_jsonrpc_get_one_answer_each(ctx):
    raw = await ctx.raw_stdio()
    try:
        await raw.handshake()
        for line in ('{"jsonrpc":"2.0","id":null,"method":"ping"}', '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
                     '{"jsonrpc":"2.0","id":true,"method":"ping"}', '{"id":8,"method":"ping"}'):
            await raw.send(line)
            answer = await raw.receive()
            check("error" in answer or "result" in answer, f"{line} gets an answer: {answer}")
            for bad in FORBIDDEN_IN_SENTENCES:
                check(bad not in json.dumps(answer), f"{line}: {answer}")
        await still_answers(raw)
    finally:
        await raw.kill()


@case("stdio")
async def stdio_unknown_method_is_quoted_short(ctx):
    raw = await ctx.raw_stdio()
    try:
        await raw.handshake()
        await raw.send({"jsonrpc": "2.0", "id": 9, "method": "x" * 500})
        answer = await raw.answer(9)
        check(answer["error"]["code"] == -32601, f"method not found: {answer}")
        check(len(answer["error"]["message"]) < 200, f"quoted short: {answer['error']['message']!r}")
    finally:
        await raw.kill()


@case("stdio")
async def stdio_last_line_without_newline_is_answered(ctx):
    raw = await ctx.raw_stdio()
    try:
        await raw.handshake()
        await raw.send(PING, newline=False)
        await raw.process.stdin.aclose()
        answer = await raw.answer(100)
        check("result" in answer, f"answered: {answer}")
    finally:
        await raw.kill()


async def exit_after_close(ctx, before_close) -> float:
    raw = await ctx.raw_stdio()
    try:
        await before_close(raw)
        return await raw.close_stdin_and_time_exit(fail=False)
    finally:
        await raw.kill()


@case("stdio", timeout=240)
async def stdio_process_exits_within_a_second_of_stdin_closing(ctx):
    """Before, during and after the handshake, after a ping before initialize, and with a
    send_message running (which is then cancelled: its turn ends with a root error result)."""
    turn = {}

    async def nothing(raw) -> None:
        await anyio.sleep(3)  # the JVM is up, the database maybe not yet

    async def ping_first(raw) -> None:
        await raw.send({"jsonrpc": "2.0", "id": 1, "method": "ping"})
        await anyio.sleep(3)

    async def between_initialize_and_initialized(raw) -> None:
        await raw.send(INITIALIZE)
        await raw.answer(1, timeout=60)

    async def handshake(raw) -> None:
        await raw.handshake()

    async def running_turn(raw) -> None:
        await raw.handshake()
        await raw.send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "create_conversation", "arguments": {"title": "exit mid-turn"}}})
        turn["id"] = (await raw.answer(2))["result"]["structuredContent"]["conversation"]["id"]
        await raw.send({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "send_message", "arguments": {"conversation_id": turn["id"], "content": "[slow] bye"}}})
        await anyio.sleep(2)

    figures = {}
    for name, before in (("before the handshake", nothing), ("ping before initialize", ping_first),
                         ("between initialize and initialized", between_initialize_and_initialized),
                         ("after the handshake", handshake), ("during a send_message", running_turn)):
        figures[name] = await exit_after_close(ctx, before)
    shown = {k: f"{v * 1000:.0f} ms" if v != float("inf") else "still alive after 5 s" for k, v in figures.items()}
    print("  stdin close to exit: " + ", ".join(f"{k} {v}" for k, v in shown.items()), flush=True)
    slow = {k: shown[k] for k, v in figures.items() if v > 1.0}
    check(not slow, f"over 1 s: {slow}")
    owner = await ctx.session("raw")
    messages = (await owner.call_tool("read_conversation", {"conversation_id": turn["id"]})).structured_content
    last = messages["messages"][-1]
    check(last["type"] == "result" and last["content_type"] == "error" and "cancel" in last["content"].lower(),
          f"the turn cut short by the exit ends cancelled: {last}")


@case("stdio")
async def stdio_pipe_answers_everything_then_exits(ctx):
    """The client that writes its requests and closes stdin at once gets every answer (works today)."""
    raw = await ctx.raw_stdio()
    try:
        await raw.send(INITIALIZE)
        await raw.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        await raw.send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        await raw.send({"jsonrpc": "2.0", "id": 3, "method": "ping"})
        await raw.process.stdin.aclose()
        seen = set()
        with anyio.fail_after(60):
            while len(seen) < 3:
                message = await raw.receive(60)
                check("error" not in message, f"an error: {message}")
                seen.add(message.get("id"))
        check(seen == {1, 2, 3}, f"answers to {seen}")
        with anyio.fail_after(30):
            await raw.process.wait()
    finally:
        await raw.kill()


# --- HTTP -------------------------------------------------------------------------------------


def body_messages(response) -> list[dict]:
    """The JSON-RPC messages of an answer, whether JSON or server-sent events."""
    if "text/event-stream" in response.headers.get("content-type", ""):
        return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:") and line[5:].strip()]
    return [response.json()] if response.text.strip() else []


def not_html(response) -> None:
    check("text/html" not in response.headers.get("content-type", ""), f"an HTML page: {response.text[:200]!r}")
    check("<html" not in response.text.lower(), f"an HTML page: {response.text[:200]!r}")


@case("http")
async def http_unsupported_protocol_version_header_is_400(ctx):
    async with await ctx.raw_http() as http:
        session_id = await raw_initialize(http, ctx.url)
        headers = mcp_headers(session_id) | {"MCP-Protocol-Version": "1999-01-01"}
        response = await http.post(ctx.url, headers=headers, json=PING)
        check(response.status_code == 400, f"status {response.status_code}")
        check("2025-11-25" in response.text, f"names the supported versions: {response.text!r}")


@case("http")
async def http_parse_error_and_invalid_request_codes(ctx):
    async with await ctx.raw_http() as http:
        session_id = await raw_initialize(http, ctx.url)
        response = await http.post(ctx.url, headers=mcp_headers(session_id), content=b"{not json")
        not_html(response)
        error_without_id(body_messages(response)[0], -32700)
        response = await http.post(ctx.url, headers=mcp_headers(session_id), json={"jsonrpc": "2.0", "params": {}})
        not_html(response)
        error_without_id(body_messages(response)[0], -32600)


@case("http")
async def http_response_with_unknown_id_is_not_a_500(ctx):
    async with await ctx.raw_http() as http:
        session_id = await raw_initialize(http, ctx.url)
        response = await http.post(ctx.url, headers=mcp_headers(session_id),
                                   json={"jsonrpc": "2.0", "id": "nobody-asked", "result": {}})
        check(response.status_code == 202 or 400 <= response.status_code < 500, f"status {response.status_code}")


@case("http")
async def http_two_messages_in_one_body_get_an_error(ctx):
    async with await ctx.raw_http() as http:
        session_id = await raw_initialize(http, ctx.url)
        response = await http.post(ctx.url, headers=mcp_headers(session_id),
                                   content=(json.dumps(PING) + json.dumps(PING)).encode())
        not_html(response)
        messages = body_messages(response)
        check(messages and "error" in messages[0], f"a JSON-RPC error, got {response.status_code} {response.text!r}")
        response = await http.post(ctx.url, headers=mcp_headers(session_id),
                                   json={"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": "nonsense"})
        messages = body_messages(response)
        check(messages and "error" in messages[0], f"a malformed tools/call: {response.status_code} {response.text!r}")


@case("http")
async def http_trace_is_refused_and_no_html_pages(ctx):
    async with await ctx.raw_http() as http:
        response = await http.request("TRACE", ctx.url)
        check(response.status_code in (403, 405), f"TRACE answered {response.status_code}")
        not_html(response)
        response = await http.get(ctx.url.replace("/mcp", "/no-such-page"))
        not_html(response)
