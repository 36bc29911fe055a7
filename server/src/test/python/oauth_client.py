"""Connects to Baton as an OAuth client of the official Python MCP SDK, with client credentials.

Nothing but Baton's MCP URL is given about the server: the SDK gets Baton's 401, follows its
WWW-Authenticate resource_metadata to the RFC 9728 document, from there finds the authorization
server, reads its metadata, asks its token endpoint for a client-credentials token (with the
resource parameter) and calls Baton with it. Prints one JSON object: what the tools answered and
every URL the client requested, in order (the Java test checks the discovery went that way).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import httpx2
from mcp import ClientSession
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens = None
        self.client_info = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens) -> None:
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info) -> None:
        self.client_info = client_info


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--scope", default="baton:editor")
    args = parser.parse_args()

    requested: list[str] = []

    async def remember(request: httpx2.Request) -> None:
        requested.append(f"{request.method} {request.url}")

    provider = ClientCredentialsOAuthProvider(server_url=args.url, storage=MemoryStorage(),
                                              client_id=args.client_id, client_secret=args.client_secret,
                                              scope=args.scope, issuer=args.issuer)
    async with httpx2.AsyncClient(auth=provider, event_hooks={"request": [remember]},
                                  timeout=httpx2.Timeout(30)) as http:
        async with streamable_http_client(args.url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                created = await session.call_tool("create_conversation", {"title": "from the python oauth client"})
                listed = await session.call_tool("list_conversations", {})
    print(json.dumps({
        "created": created.structured_content,
        "created_is_error": created.is_error,
        "listed": listed.structured_content,
        "requested": requested,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
