"""`hybridtui serve`: the dashboard in a browser, through textual-serve, and
the checks that say why it cannot listen before textual-serve says it is serving."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from hybridtui.cli import EXIT_OK
from hybridtui.errors import UsageError

if TYPE_CHECKING:
    from hybridtui.cli.provision import GlobalOptions


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], global_options: GlobalOptions
) -> None:
    srv = sub.add_parser(
        "serve",
        help="the dashboard in a browser (textual-serve), on loopback unless told otherwise",
        description="Serve the dashboard over HTTP: every browser that connects gets its own "
        "dashboard, with this machine's config and credentials. Binds 127.0.0.1 unless --host "
        "says otherwise.",
    )
    global_options(srv, suppress=True)
    srv.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    srv.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")


def serve(args: argparse.Namespace) -> int:
    """`hybridtui serve`: textual-serve runs `hybridtui` (with the options given
    here) for each browser that connects. The settings were checked already,
    so a broken config fails here, not in every browser tab."""
    import shlex
    from pathlib import Path

    try:
        from textual_serve.server import Server
    except ModuleNotFoundError:
        raise UsageError(
            "serving the dashboard needs textual-serve, which is not installed",
            hint="pip install 'hybridtui[serve]'",
        ) from None
    argv = [sys.executable, "-m", "hybridtui"]
    for flag in ("demo", "offline", "read_only", "privacy"):
        if getattr(args, flag, False):
            argv.append("--" + flag.replace("_", "-"))
    for option in ("config", "replay"):
        value = getattr(args, option, None)
        if value:
            argv += [f"--{option}", str(Path(value).expanduser().resolve())]
    if args.theme:
        argv += ["--theme", args.theme]
    url = f"http://{args.host}:{args.port}"
    _check_listen(args.host, args.port)  # before textual-serve prints its banner
    if args.host in ("127.0.0.1", "localhost", "::1"):
        print(
            f"hybridtui serve: {url} (this machine only; --host 0.0.0.0 to share)", file=sys.stderr
        )
    else:
        print(
            f"hybridtui serve: {url} — anyone who reaches it drives the dashboard with this "
            "machine's credentials (--read-only and --privacy limit what they can do and see)",
            file=sys.stderr,
        )
    try:
        Server(shlex.join(argv), host=args.host, port=args.port, title="hybridtui").serve()
    except OSError as e:  # taken between the check and the server's own bind
        raise _cannot_listen(args.host, args.port, e) from None
    return EXIT_OK


def _port(text: str) -> int:
    """An argparse type: a TCP port a server can listen on."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1-65535)")
    return port


def _check_listen(host: str, port: int) -> None:
    """Whether `serve` can listen there, asked the way its server binds (an
    address in use, a host that is not this machine's, a name that does not
    resolve), so the reason comes without a traceback."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in infos[:1]:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
    except OSError as e:
        raise _cannot_listen(host, port, e) from None


def _cannot_listen(host: str, port: int, e: OSError) -> UsageError:
    why = e.strerror or str(e)
    return UsageError(
        f"serve: cannot listen on {host}:{port}: {why}",
        hint="Choose another --port, or a --host that is an address of this machine"
        " (127.0.0.1, 0.0.0.0 for all).",
    )
