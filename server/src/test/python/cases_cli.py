"""First-run paper cuts that a user meets before any client connects (issue 11, item 7), and
invalid UTF-8 sent by a client. The command-line cases do not depend on the transport; they run
with the stdio suite only."""

from __future__ import annotations

import re

from cases_features import mcp_headers, raw_initialize
from cases_wire import body_messages
from harness import case, check, one_sentence


def no_stack_trace(text: str) -> None:
    for bad in ("\tat ", "Exception", "Caused by"):
        check(bad not in text, f"{bad!r} printed: {text[-400:]!r}")


@case("stdio")
async def cli_without_a_command_prints_usage(ctx):
    for args in ((), ("db",)):
        status, out, err = await ctx.baton(*args)
        check(status == 2, f"baton {' '.join(args)} exited {status}")
        check("Usage" in out + err, f"baton {' '.join(args)} prints usage: {(out + err)[-300:]!r}")
        no_stack_trace(out + err)


@case("stdio")
async def cli_version_is_the_real_one(ctx):
    status, out, err = await ctx.baton("--version")
    check(status == 0, f"--version exited {status}: {err[-300:]!r}")
    check(re.search(r"\d+\.\d+", out) and "dev" not in out, f"--version printed {out!r}")


@case("stdio")
async def cli_empty_user_is_refused(ctx):
    status, out, err = await ctx.baton("serve", "--stdio", "--user", "", "--project", ctx.project)
    check(status != 0, "serve --user '' must not start")
    check(out == "", f"nothing on stdout (the protocol): {out!r}")
    no_stack_trace(err)
    check("user" in err.lower(), f"the refusal names the user: {err[-300:]!r}")


@case("stdio")
async def cli_database_that_cannot_connect_names_the_cause(ctx):
    status, out, err = await ctx.baton("serve", "--stdio", "--db-url", "postgresql://nobody@127.0.0.1:1/x",
                                   timeout=30)
    check(status != 0, "serve must not start without its database")
    no_stack_trace(err)
    check("refused" in err.lower() and "127.0.0.1:1" in err, f"names the cause: {err[-400:]!r}")


INVALID_UTF8_TITLE = (b'{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"create_conversation",'
                      b'"arguments":{"title":"caf\xe9"}}}')


@case("stdio")
async def invalid_utf8_in_an_argument_is_refused_naming_it_stdio(ctx):
    raw = await ctx.raw_stdio()
    try:
        await raw.handshake()
        await raw.send(INVALID_UTF8_TITLE)
        answer = await raw.answer(42)
        text = answer.get("error", {}).get("message") or "".join(
            c.get("text", "") for c in answer.get("result", {}).get("content", []))
        check("error" in answer or answer["result"].get("isError"), f"refused: {answer}")
        one_sentence(text, must_contain="title")
    finally:
        await raw.kill()


@case("http")
async def invalid_utf8_in_an_argument_is_refused_naming_it_http(ctx):
    async with await ctx.raw_http() as http:
        session_id = await raw_initialize(http, ctx.url)
        response = await http.post(ctx.url, headers=mcp_headers(session_id), content=INVALID_UTF8_TITLE)
        messages = body_messages(response)
        check(messages, f"an answer: {response.status_code} {response.text!r}")
        answer = messages[0]
        text = answer.get("error", {}).get("message") or "".join(
            c.get("text", "") for c in answer.get("result", {}).get("content", []))
        check("error" in answer or answer["result"].get("isError"), f"refused: {answer}")
        one_sentence(text, must_contain="title")
