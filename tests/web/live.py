"""A real uvicorn server on 127.0.0.1 (loopback only) in a thread of the test process, with the
options `datamonger serve` gives it, and a raw HTTP/1.1 client for what httpx will not send
(a body without Content-Length, a Content-Length that is never followed by its body)."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from datamonger.cli.serve import uvicorn_options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def live_server(app: Any, forwarded_allow_ips: str | None = None) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 until the block ends; yields the base URL."""
    port = free_port()
    options = uvicorn_options("127.0.0.1", port, forwarded_allow_ips)
    config = uvicorn.Config(app, lifespan="off", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def raw_request(
    base: str,
    head: str,
    chunks: Iterator[bytes] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """Send `head` (request line and headers, without the blank line), then `chunks` as a
    chunked body (stopping early once the server has answered), and read the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n\r\n")
        if chunks is not None:
            sock.setblocking(False)
            answered = False
            for chunk in chunks:
                with contextlib.suppress(BlockingIOError):
                    if sock.recv(1, socket.MSG_PEEK):
                        answered = True
                        break
                try:
                    sock.setblocking(True)
                    sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    sock.setblocking(False)
                except (BrokenPipeError, ConnectionResetError):
                    answered = True
                    break
            sock.setblocking(True)
            if not answered:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    sock.sendall(b"0\r\n\r\n")
        sock.settimeout(timeout)
        data = b""
        with contextlib.suppress(ConnectionResetError):
            while True:
                if b"\r\n\r\n" in data:
                    found = re.search(rb"(?i)\r\ncontent-length: *(\d+)", data)
                    want = int(found.group(1)) if found else 0
                    if len(data.partition(b"\r\n\r\n")[2]) >= want:
                        break
                part = sock.recv(65536)
                if not part:
                    break
                data += part
    head_bytes, _, body = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0] else 0
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, body
