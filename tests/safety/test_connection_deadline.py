"""A host name with several unresponsive addresses waits the timeout once in total, not once
per address (issue 10, item 8): socket.create_connection gave each address the whole timeout."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from keystore_tool.errors import NetworkError
from keystore_tool.net import Endpoint, _connect


@pytest.fixture
def unresponsive_port() -> Iterator[int]:
    """A port whose listen queue is full: the kernel drops further SYNs, so a connect hangs
    as it does towards a host that does not answer."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # the connect completes in the kernel
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.2)
    yield port
    for sock in [*fillers, server]:
        sock.close()


def test_several_unresponsive_addresses_share_one_timeout(
    unresponsive_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def four_addresses(host: str, *args: object, **kwargs: object) -> list[object]:
        if host != "four.example":
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        entry = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", unresponsive_port))
        return [entry] * 4

    monkeypatch.setattr(socket, "getaddrinfo", four_addresses)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out after 1 s"):
        _connect(Endpoint("four.example", unresponsive_port), 1.0)
    elapsed = time.monotonic() - started
    # Four addresses used to cost 4 s; the budget is one timeout (plus scheduling).
    assert elapsed < 2.0, f"{elapsed:.2f} s"
