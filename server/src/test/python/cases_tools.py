"""The handshake, every tool's happy path, prompts, resources, and the refusals' sentences."""

from __future__ import annotations

import json
import uuid

from mcp import types

from harness import case, check, ok, one_sentence, rpc_error, text_of, tool_error

TOOLS = {"create_conversation", "append_messages", "read_conversation", "list_conversations",
         "share_conversation", "unshare_conversation", "fork_conversation", "send_message",
         "conversation_activity", "conversation_lineage", "rename_conversation", "delete_conversation"}
WRITE_TOOLS = {"create_conversation", "append_messages", "share_conversation", "unshare_conversation",
               "fork_conversation", "send_message", "rename_conversation", "delete_conversation"}


def turn(question: str) -> list[dict]:
    """A complete turn: root call, a tool call and its result, and the turn end (last)."""
    root, call = str(uuid.uuid4()), str(uuid.uuid4())
    return [
        {"id": root, "role": "user", "type": "call", "tool": "router_agent", "content": question},
        {"id": call, "role": "assistant", "type": "call", "tool": "query", "parent_id": root,
         "content_type": "json", "content": '{"dataset":"sales"}'},
        {"id": str(uuid.uuid4()), "role": "tool", "type": "result", "tool": "query", "parent_id": call,
         "content_type": "json", "content": '{"rows":3}'},
        {"id": str(uuid.uuid4()), "role": "assistant", "type": "result", "tool": "router_agent",
         "content": "answer to " + question},
    ]


async def create(session, title: str = "Python suite") -> str:
    return ok(await session.call_tool("create_conversation", {"title": title}))["conversation"]["id"]


async def append_turn(session, conversation_id: str, question: str) -> list[str]:
    result = ok(await session.call_tool("append_messages",
                                        {"conversation_id": conversation_id, "messages": turn(question)}))
    return result["message_ids"]


async def shared_conversation(ctx, owner: str = "alice") -> tuple[str, list[str]]:
    """A conversation of owner with one complete turn, shared up to it: (id, the turn's ids)."""
    alice = await ctx.session(owner)
    conversation_id = await create(alice, "Shared by " + owner)
    ids = await append_turn(alice, conversation_id, "How did sales do?")
    ok(await alice.call_tool("share_conversation", {"conversation_id": conversation_id}))
    return conversation_id, ids


@case()
async def initialize_negotiates_2025_11_25(ctx):
    async with ctx.connect("init-check") as session:
        result = session.initialize_result
        check(result.protocol_version == "2025-11-25", f"negotiated {result.protocol_version}")
        check(result.server_info.name == "baton", f"serverInfo.name is {result.server_info.name!r}")
        capabilities = result.capabilities
        check(capabilities.tools is not None, "tools capability")
        check(capabilities.prompts is not None, "prompts capability")
        check(capabilities.resources is not None, "resources capability")
        await session.send_ping()


@case()
async def tools_list_names_every_tool_with_schemas(ctx):
    session = await ctx.session("alice")
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    check(TOOLS <= set(tools), f"missing tools: {TOOLS - set(tools)}")
    for name in TOOLS:
        check(tools[name].input_schema.get("type") == "object", f"{name} has an object input schema")
        check(tools[name].output_schema is not None, f"{name} has an output schema")
        check(tools[name].description, f"{name} has a description")


@case()
async def create_append_read_list(ctx):
    alice = await ctx.session("alice")
    created = ok(await alice.call_tool("create_conversation", {"title": "Quarterly sales"}))["conversation"]
    check(created["title"] == "Quarterly sales" and created["owner_id"] == "alice" and created["is_owner"],
          f"created {created}")
    ids = await append_turn(alice, created["id"], "How did sales do?")
    check(len(ids) == 4, f"four ids, got {ids}")
    read = ok(await alice.call_tool("read_conversation", {"conversation_id": created["id"]}))
    check([m["id"] for m in read["messages"]] == ids, "read gives the appended messages in order")
    check(read["messages"][0]["content"] == "How did sales do?", "content round-trips")
    page = ok(await alice.call_tool("read_conversation",
                                    {"conversation_id": created["id"], "after_index": 1, "limit": 1}))
    check([m["id"] for m in page["messages"]] == ids[2:3], f"a page after index 1: {page['messages']}")
    listed = ok(await alice.call_tool("list_conversations", {}))["conversations"]
    check(created["id"] in [c["id"] for c in listed], "list mine names the new conversation")


@case()
async def share_read_fork_unshare_across_users(ctx):
    conversation_id, ids = await shared_conversation(ctx)
    alice, bob = await ctx.session("alice"), await ctx.session("bob")
    ok(await alice.call_tool("append_messages", {"conversation_id": conversation_id,
                                                "messages": turn("Private follow-up")}))
    read = ok(await bob.call_tool("read_conversation", {"conversation_id": conversation_id}))
    check([m["id"] for m in read["messages"]] == ids, "bob reads up to the boundary only")
    check(read["conversation"]["is_owner"] is False, "bob is not the owner")
    shared = ok(await bob.call_tool("list_conversations", {"scope": "shared"}))["conversations"]
    check(conversation_id in [c["id"] for c in shared], "the shared list names it")

    fork = ok(await bob.call_tool("fork_conversation", {"conversation_id": conversation_id}))
    check(fork["copied_messages"] == 4, f"copied {fork['copied_messages']}")
    check(fork["conversation"]["owner_id"] == "bob", "the fork is bob's")
    check(fork["conversation"]["forked_from"]["owner_id"] == "alice", "forked_from names alice")
    fork_id = fork["conversation"]["id"]
    check(len(ok(await bob.call_tool("read_conversation", {"conversation_id": fork_id}))["messages"]) == 4,
          "the fork holds the shared turn")

    unshared = ok(await alice.call_tool("unshare_conversation", {"conversation_id": conversation_id}))
    check(unshared["shared"] is False, f"unshare answered {unshared}")
    tool_error(await bob.call_tool("read_conversation", {"conversation_id": conversation_id}),
               must_contain=conversation_id)
    tool_error(await bob.call_tool("fork_conversation", {"conversation_id": conversation_id}),
               must_contain=conversation_id)
    check(len(ok(await bob.call_tool("read_conversation", {"conversation_id": fork_id}))["messages"]) == 4,
          "bob's fork stays his")


@case()
async def prompts_list_and_render(ctx):
    conversation_id, _ = await shared_conversation(ctx)
    bob = await ctx.session("bob")
    names = {prompt.name for prompt in (await bob.list_prompts()).prompts}
    check({"fork_instructions", "system_prompt"} <= names, f"prompts: {names}")
    fork_id = ok(await bob.call_tool("fork_conversation", {"conversation_id": conversation_id}))["conversation"]["id"]
    prompt = await bob.get_prompt("system_prompt", {"conversation_id": fork_id})
    text = "".join(message.content.text for message in prompt.messages)
    check("This conversation was transferred" in text, "a cross-owner fork's system prompt has the instructions")
    plain = await bob.get_prompt("fork_instructions")
    check(plain.messages and plain.messages[0].content.text.strip(), "fork_instructions renders")


@case()
async def resource_template_and_read(ctx):
    conversation_id, ids = await shared_conversation(ctx)
    bob = await ctx.session("bob")
    templates = [t.uri_template for t in (await bob.list_resource_templates()).resource_templates]
    check("baton://conversations/{id}" in templates, f"templates: {templates}")
    result = await bob.read_resource(f"baton://conversations/{conversation_id}")
    body = json.loads(result.contents[0].text)
    check(ids[-1] in json.dumps(body), "the resource holds the shared turn")


@case()
async def bad_argument_names_the_argument(ctx):
    """A schema violation names the argument: as a -32602 (before 2025-11-25) or an isError result
    (SEP-1303); either form passes here, the strict form is bad_argument_is_a_tool_result_sep1303."""
    alice = await ctx.session("alice")
    conversation_id = await create(alice)
    bad = {"conversation_id": conversation_id, "messages": [{"role": "wizard", "type": "call", "content": "x"}]}
    try:
        result = await alice.call_tool("append_messages", bad)
        tool_error(result, must_contain="role")
    except Exception as error:  # the SDK raises MCPError for a JSON-RPC error
        from mcp.shared.exceptions import MCPError
        check(isinstance(error, MCPError), f"unexpected {error!r}")
        check(error.code == -32602, f"code {error.code}")
        one_sentence(error.message, must_contain="role")
    check(ok(await alice.call_tool("read_conversation", {"conversation_id": conversation_id}))["messages"] == [],
          "nothing was stored")


@case()
async def bad_argument_is_a_tool_result_sep1303(ctx):
    alice = await ctx.session("alice")
    conversation_id = await create(alice)
    result = await alice.call_tool("read_conversation", {"conversation_id": conversation_id, "limit": "many"})
    tool_error(result, must_contain="limit")
    result = await alice.call_tool("append_messages", {"conversation_id": conversation_id})
    tool_error(result, must_contain="messages")


@case()
async def error_sentences_name_what_was_wrong(ctx):
    alice = await ctx.session("alice")
    unknown = str(uuid.uuid4())
    text = tool_error(await alice.call_tool("read_conversation", {"conversation_id": unknown}))
    check(text == f"Conversation {unknown} was not found.", f"unknown id: {text!r}")
    tool_error(await alice.call_tool("read_conversation", {"conversation_id": "not-a-uuid"}),
               must_contain="not-a-uuid")
    conversation_id = await create(alice)
    inside = (await append_turn(alice, conversation_id, "q"))[1]
    text = tool_error(await alice.call_tool("share_conversation",
                                            {"conversation_id": conversation_id, "until_message_id": inside}))
    check(inside in text and "not a turn end" in text, f"share inside a turn: {text!r}")
    tool_error(await alice.call_tool("list_conversations", {"cursor": "garbage"}), must_contain="cursor")
    # prompts and resources answer JSON-RPC errors: -32002 not found
    error = await rpc_error(alice.get_prompt("system_prompt", {"conversation_id": unknown}))
    check(error.code == -32002 and unknown in error.message, f"prompt of an unknown id: {error.code} {error.message}")
    error = await rpc_error(alice.read_resource(f"baton://conversations/{unknown}"))
    check(error.code == -32002, f"resource of an unknown id: {error.code} {error.message}")
    # an unknown tool is a JSON-RPC error, one sentence
    await rpc_error(alice.call_tool("no_such_tool", {}))


@case()
async def unknown_tool_name_is_quoted_in_the_error(ctx):
    alice = await ctx.session("alice")
    error = await rpc_error(alice.call_tool("no_such_tool", {}))
    check(error.code == -32602, f"code {error.code}")
    check("no_such_tool" in error.message, f"the message names the tool: {error.message!r}")


@case()
async def viewer_is_refused_writes_in_one_sentence(ctx):
    conversation_id, _ = await shared_conversation(ctx)
    vera = await ctx.session("vera", role="viewer")
    check(len(ok(await vera.call_tool("read_conversation", {"conversation_id": conversation_id}))["messages"]) == 4,
          "a viewer reads what is shared")
    tool_error(await vera.call_tool("create_conversation", {}), must_contain="viewer")
    tool_error(await vera.call_tool("fork_conversation", {"conversation_id": conversation_id}), must_contain="viewer")


@case()
async def viewer_does_not_see_write_tools(ctx):
    vera = await ctx.session("vera", role="viewer")
    names = {tool.name for tool in (await vera.list_tools()).tools}
    check(not names & WRITE_TOOLS, f"a viewer sees write tools: {names & WRITE_TOOLS}")
    check({"read_conversation", "list_conversations"} <= names, f"a viewer reads: {names}")
    tool_error(await vera.call_tool("create_conversation", {}), must_contain="viewer")


@case()
async def another_projects_conversation_is_not_found(ctx):
    conversation_id, _ = await shared_conversation(ctx)
    async with ctx.connect("mallory", role="admin", project=ctx.new_project()) as stranger:
        text = tool_error(await stranger.call_tool("read_conversation", {"conversation_id": conversation_id}))
        check(text == f"Conversation {conversation_id} was not found.", f"another project's id: {text!r}")


@case()
async def server_info_has_version_title_and_description(ctx):
    async with ctx.connect("info-check") as session:
        info = session.initialize_result.server_info
        check(info.version and info.version != "dev", f"serverInfo.version is {info.version!r}")
        check(info.title, "serverInfo has a title")
        check(info.description, "serverInfo has a description")


@case()
async def create_and_fork_carry_a_resource_link(ctx):
    alice = await ctx.session("alice")
    result = await alice.call_tool("create_conversation", {"title": "linked"})
    conversation_id = ok(result)["conversation"]["id"]
    links = [c for c in result.content if isinstance(c, types.ResourceLink)]
    check(any(str(link.uri) == f"baton://conversations/{conversation_id}" for link in links),
          f"create_conversation's content: {[c.type for c in result.content]}")
    await append_turn(alice, conversation_id, "q")
    fork = await alice.call_tool("fork_conversation", {"conversation_id": conversation_id})
    fork_id = ok(fork)["conversation"]["id"]
    check(any(str(c.uri) == f"baton://conversations/{fork_id}" for c in fork.content
              if isinstance(c, types.ResourceLink)), "fork_conversation carries a link to the fork")
    check(text_of(result), "the text content stays")
