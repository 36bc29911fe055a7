"""The runner and the connections of Baton's end-to-end suite driven by the official Python MCP SDK.

A case is an async function of one argument, the Context, registered with @case in one of the
cases_*.py modules beside this file. It fails by raising (an AssertionError from check(), or
anything else), passes by returning. The runner runs every case for one transport, prints one
line per case (PASS / FAIL / SKIP, with the reason), writes the same as JSON lines to --report,
and ends with "N passed, N failed, N skipped"; it exits 1 when a case failed.

Cases named in pending.EXPECTED_ONCE_MERGED are skipped with the reason given there, unless
--run-pending is given.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import json
import os
import pathlib
import sys
import time
import traceback
import uuid
from typing import Any, AsyncIterator, Awaitable, Callable

import anyio
import httpx2
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

TRANSPORTS = ("stdio", "http")


@dataclasses.dataclass
class Case:
    name: str
    fn: Callable[["Context"], Awaitable[None]]
    transports: tuple[str, ...]
    timeout: float


CASES: list[Case] = []


def case(*transports: str, timeout: float = 120):
    """Registers a case for the given transports (all of them when none is named)."""

    def register(fn):
        CASES.append(Case(fn.__name__, fn, transports or TRANSPORTS, timeout))
        return fn

    return register


# ---------------------------------------------------------------------------------------------
# checks


def check(condition: Any, message: str) -> None:
    if not condition:
        raise AssertionError(message)


FORBIDDEN_IN_SENTENCES = ("Exception", "java.", "baton.", "\tat ", "Caused by", "NullPointer", "SQLState")


def one_sentence(text: str, *, must_contain: str | None = None) -> str:
    """A refusal as the README promises it: one short line, no Java class names or stack traces."""
    check(isinstance(text, str) and text.strip(), f"expected a sentence, got {text!r}")
    check("\n" not in text.strip(), f"expected one line, got {text!r}")
    check(len(text) < 600, f"expected a short sentence, got {len(text)} characters")
    for bad in FORBIDDEN_IN_SENTENCES:
        check(bad not in text, f"{bad!r} must not reach a client: {text!r}")
    if must_contain is not None:
        check(must_contain in text, f"expected {must_contain!r} in {text!r}")
    return text


def text_of(result) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def tool_error(result, *, must_contain: str | None = None) -> str:
    """The sentence of an isError tool result."""
    check(result.is_error, f"expected isError, got {text_of(result)!r}")
    return one_sentence(text_of(result), must_contain=must_contain)


def ok(result) -> dict:
    """The structured content of a successful tool result."""
    check(not result.is_error, f"expected success, got the error {text_of(result)!r}")
    check(result.structured_content is not None, "a Baton tool result carries structuredContent")
    return result.structured_content


async def rpc_error(awaitable: Awaitable[Any]) -> MCPError:
    """The JSON-RPC error that the awaited request must end with."""
    try:
        value = await awaitable
    except MCPError as error:
        one_sentence(error.message)
        return error
    raise AssertionError(f"expected a JSON-RPC error, got {value!r}")


# ---------------------------------------------------------------------------------------------
# connections


class Context:
    """What a case gets: connections to Baton as any identity, over the suite's transport."""

    def __init__(self, args: argparse.Namespace, task_group: anyio.abc.TaskGroup):
        self.transport: str = args.transport
        self.java: str = args.java
        self.jar: str = args.jar
        self.url: str | None = args.url
        self.model_url: str | None = args.model_url
        self.logs = pathlib.Path(args.logs)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.project = "py-" + uuid.uuid4().hex[:12]
        self._task_group = task_group
        self._closing = anyio.Event()
        self._sessions: dict[tuple[str, str, str], ClientSession] = {}
        self._tokens: dict[tuple[str, str, str], str] = {}
        self._lock = anyio.Lock()

    def new_project(self) -> str:
        return "py-" + uuid.uuid4().hex[:12]

    def server_env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of every Baton process the suite starts: the test's data home, and the
        stub model when the test gave one."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
        if self.model_url:
            env["BATON_MODEL_BASE_URL"] = self.model_url
            env["BATON_MODEL_NAME"] = "slow-model"
            env["BATON_MODEL_API_KEY"] = "sk-secret-never-shown"
        env.update(extra or {})
        return env

    def stdio_command(self, user: str, project: str | None = None, role: str = "editor") -> list[str]:
        return [self.java, "-jar", self.jar, "serve", "--stdio", "--user", user,
                "--project", project or self.project, "--role", role]

    async def baton(self, *args: str, timeout: float = 60) -> tuple[int, str, str]:
        """Runs one baton command, stdin closed, to its end: (exit status, stdout, stderr)."""
        with anyio.fail_after(timeout):
            done = await anyio.run_process([self.java, "-jar", self.jar, *args], input=b"", env=self.server_env(),
                                           check=False)
        return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")

    async def token(self, user: str, role: str = "editor", project: str | None = None) -> str:
        """A bearer token for the identity, made with `baton token create` (once per identity)."""
        key = (user, project or self.project, role)
        async with self._lock:
            if key not in self._tokens:
                status, out, err = await self.baton("token", "create", "--user", user, "--project", key[1],
                                                    "--role", role, "--label", "python-suite")
                check(status == 0, f"baton token create failed ({status}): {err.strip()[-300:]}")
                self._tokens[key] = out.strip()
            return self._tokens[key]

    @contextlib.asynccontextmanager
    async def connect(self, user: str, role: str = "editor", project: str | None = None,
                      **session_args: Any) -> AsyncIterator[ClientSession]:
        """A new MCP session of its own (a new process over stdio), initialized, closed on exit.
        session_args go to ClientSession (logging_callback, message_handler, ...)."""
        project = project or self.project
        async with contextlib.AsyncExitStack() as stack:
            if self.transport == "stdio":
                params = StdioServerParameters(command=self.java, args=self.stdio_command(user, project, role)[1:],
                                               env=self.server_env())
                errlog = stack.enter_context(open(self.logs / f"stdio-{user}-{role}.log", "a"))
                read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
            else:
                token = await self.token(user, role, project)
                http = await stack.enter_async_context(httpx2.AsyncClient(
                    headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(30, read=300)))
                read, write = await stack.enter_async_context(streamable_http_client(self.url, http_client=http))
            session = await stack.enter_async_context(
                ClientSession(read, write, read_timeout_seconds=60, **session_args))
            await session.initialize()
            yield session

    async def session(self, user: str, role: str = "editor", project: str | None = None) -> ClientSession:
        """A session shared by every case that asks for the same identity, open until the run ends."""
        key = (user, project or self.project, role)
        if key in self._sessions:
            return self._sessions[key]
        ready = anyio.Event()
        holder: dict[str, Any] = {}

        async def hold() -> None:
            try:
                async with self.connect(user, role, key[1]) as session:
                    holder["session"] = session
                    ready.set()
                    await self._closing.wait()
            except Exception as error:  # reported to the case that asked
                holder["error"] = error
                ready.set()

        self._task_group.start_soon(hold)
        await ready.wait()
        if "error" in holder:
            raise holder["error"]
        self._sessions[key] = holder["session"]
        return holder["session"]

    def close(self) -> None:
        self._closing.set()

    # raw wire access, for the cases that send what an SDK never would

    async def raw_stdio(self, user: str = "raw", project: str | None = None) -> "RawStdio":
        process = await anyio.open_process(self.stdio_command(user, project), env=self.server_env(),
                                           stderr=open(self.logs / f"raw-stdio-{user}.log", "a"))
        return RawStdio(process)

    async def raw_http(self, user: str = "raw", role: str = "editor") -> httpx2.AsyncClient:
        token = await self.token(user, role)
        return httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(30))


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                         "clientInfo": {"name": "raw", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


class RawStdio:
    """`baton serve --stdio` driven line by line: bytes in, JSON messages out."""

    def __init__(self, process: anyio.abc.Process):
        self.process = process
        self._buffer = b""

    async def send(self, line: bytes | str | dict, newline: bool = True) -> None:
        if isinstance(line, dict):
            line = json.dumps(line)
        if isinstance(line, str):
            line = line.encode()
        await self.process.stdin.send(line + (b"\n" if newline else b""))

    async def receive(self, timeout: float = 10) -> dict:
        """The next message the server wrote."""
        with anyio.fail_after(timeout):
            while b"\n" not in self._buffer:
                chunk = await self.process.stdout.receive()
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    async def answer(self, request_id: Any, timeout: float = 10) -> dict:
        """The next answer to request_id, skipping notifications and other answers."""
        with anyio.fail_after(timeout):
            while True:
                message = await self.receive(timeout)
                if message.get("id") == request_id and ("result" in message or "error" in message):
                    return message

    async def handshake(self) -> None:
        await self.send(INITIALIZE)
        await self.answer(1, timeout=60)
        await self.send(INITIALIZED)

    async def close_stdin_and_time_exit(self, limit: float = 5, fail: bool = True) -> float:
        """Closes stdin; the seconds until the process ended. A process still alive after limit is
        killed, and then the case fails (or, with fail=False, gets infinity)."""
        started = time.monotonic()
        await self.process.stdin.aclose()
        with anyio.move_on_after(limit):
            await self.process.wait()
            return time.monotonic() - started
        self.process.kill()
        check(not fail, f"the process was still alive {limit} s after stdin closed")
        return float("inf")

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


# ---------------------------------------------------------------------------------------------
# the runner


def load_cases() -> None:
    here = pathlib.Path(__file__).parent
    sys.path.insert(0, str(here))
    for module in sorted(here.glob("cases_*.py")):
        importlib.import_module(module.stem)


def innermost(error: BaseException) -> BaseException:
    """The first real error inside the exception groups that task groups wrap around it."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


async def run(args: argparse.Namespace) -> int:
    from pending import EXPECTED_ONCE_MERGED

    load_cases()
    names = {c.name for c in CASES}
    for key in EXPECTED_ONCE_MERGED:
        if key.split("[")[0] not in names:
            print(f"WARNING: pending.py names no case {key!r}", flush=True)
    only = set(args.only.split(",")) if args.only else None
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    started = time.monotonic()
    with open(args.report, "w") as report:

        def record(name: str, status: str, message: str, seconds: float) -> None:
            counts[status] += 1
            line = f"{status} {name} ({seconds:.1f} s)" + (f": {message}" if message else "")
            print(line, flush=True)
            report.write(json.dumps({"name": name, "status": status, "message": message,
                                     "seconds": round(seconds, 2)}) + "\n")
            report.flush()

        async with anyio.create_task_group() as task_group:
            ctx = Context(args, task_group)
            for c in CASES:
                if args.transport not in c.transports or (only and c.name not in only):
                    continue
                pending = EXPECTED_ONCE_MERGED.get(f"{c.name}[{args.transport}]") or EXPECTED_ONCE_MERGED.get(c.name)
                if pending and not args.run_pending:
                    record(c.name, "SKIP", "expected once merged: " + pending, 0)
                    continue
                case_started = time.monotonic()
                try:
                    with anyio.fail_after(c.timeout):
                        await c.fn(ctx)
                    record(c.name, "PASS", "", time.monotonic() - case_started)
                except Exception as error:  # a failed case never stops the others
                    traceback.print_exception(error, file=sys.stderr)
                    sys.stderr.flush()
                    error = innermost(error)
                    message = str(error) if isinstance(error, AssertionError) else type(error).__name__
                    if not isinstance(error, AssertionError) and str(error):
                        message += f": {error}"
                    record(c.name, "FAIL", message or type(error).__name__, time.monotonic() - case_started)
            ctx.close()
    print(f"python suite over {args.transport}: {time.monotonic() - started:.1f} s", flush=True)
    print(f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped", flush=True)
    return 1 if counts["FAIL"] else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=TRANSPORTS, required=True)
    parser.add_argument("--java", default="java")
    parser.add_argument("--jar", required=True)
    parser.add_argument("--url", help="the MCP URL of a running `baton serve --http` (http transport)")
    parser.add_argument("--model-url", help="an OpenAI-compatible stub model for send_message (…/v1)")
    parser.add_argument("--report", required=True, help="JSON lines, one per case")
    parser.add_argument("--logs", required=True, help="folder for the stderr of the processes started")
    parser.add_argument("--only", help="comma-separated case names")
    parser.add_argument("--run-pending", action="store_true", help="run the cases expected once merged too")
    args = parser.parse_args()
    if args.transport == "http" and not args.url:
        parser.error("--url is needed with --transport http")
    sys.exit(anyio.run(run, args))


if __name__ == "__main__":
    # the cases register in the module "harness", not in "__main__"
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    import harness

    harness.main()
