"""A process that has imported ks once and forks a fresh one for every run a test asks for.

``make quick`` sets ``KS_TESTS_FORKSERVER=1``: most of the quick lane's time was the Python
start and imports of ~1,500 ``ks`` processes, each the same. A child forked from this process
is still a process of its own (its own stdin/stdout/stderr, environment, working directory,
exit status, signals), started from a pristine, already-imported interpreter; nothing of a
run survives into the next. ``make test`` keeps starting ``python -m keystore_tool`` itself,
so CI judges exactly what a user runs.

Protocol on a Unix socket, one connection per run: the request (JSON: args, env, cwd) with
the three descriptors for the child's stdin, stdout and stderr; the answer is two lines, the
child's pid and then its exit status as ``subprocess`` reports it (negative: a signal).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import traceback

MAIN = os.path.join(os.path.dirname(os.path.dirname(__file__)), "keystore_tool", "__main__.py")


def _preload() -> None:
    """Every module of the package, and what nearly every command imports from outside it:
    a child then pays only for the work of its command."""
    import importlib
    import pkgutil

    import cryptography.x509
    import typer
    from cryptography.hazmat.primitives import hashes, serialization

    import keystore_tool

    del cryptography, typer, hashes, serialization
    for module in pkgutil.walk_packages(keystore_tool.__path__, "keystore_tool."):
        if module.name != "keystore_tool.__main__":
            importlib.import_module(module.name)


def _run(request: dict[str, object], fds: list[int]) -> None:
    """In the child: become the ``ks`` process the test asked for, run it, exit."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(str(request["cwd"]))
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})  # type: ignore[call-overload]
    args = [str(a) for a in request["args"]]  # type: ignore[attr-defined]
    sys.argv = [MAIN, *args]
    code = 1
    try:
        from keystore_tool.cli.main import main

        code = main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _serve_one(conn: socket.socket, server: socket.socket) -> None:
    """In a waiter process: fork the run, tell its pid, wait, tell its status."""
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    request = json.loads(message)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    child = os.fork()
    if child == 0:
        conn.close()
        server.close()
        _run(request, fds)
    for fd in fds:
        os.close(fd)
    conn.sendall(f"{child}\n".encode())
    _, status = os.waitpid(child, 0)
    conn.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())


def serve(path: str) -> None:
    _preload()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # waiters are reaped by the kernel
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        conn, _ = server.accept()
        if os.fork() == 0:
            try:
                _serve_one(conn, server)
            finally:
                os._exit(0)
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
