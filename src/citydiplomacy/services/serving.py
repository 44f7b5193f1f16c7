"""The embedded store behind a real SPARQL server: the Oxigraph server (what ``citydip serve`` runs).

Not a server of our own: the ``oxigraph`` program (PyPI ``oxigraph``, the extra ``serve``; the
same storage format as pyoxigraph) opens the store folder as it is and answers the SPARQL 1.1
Protocol (``/query``, ``/update``), the Graph Store Protocol (``/store``) and a YASGUI page
(``/``). Queries see the union of the named graphs as their default graph, as ``citydip query
run`` does, so a question gives the same rows here and on the embedded store.

This module checks the store and holds it the way every citydip command does (read-only: a
shared lock that keeps writers out while the server reads; ``writable``: the server itself holds
RocksDB's lock), picks the port, starts the program with its output kept apart from ours, waits
until it accepts connections and stops it on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.http import printable
from citydiplomacy.core.store import MARKER, StoreBusyError, default_store_path, open_store

DEFAULT_BIND = "127.0.0.1"
DEFAULT_PORT = 7878  # the Oxigraph server's own default
STARTUP_DEADLINE = 60.0  # seconds for the program to accept connections (a busy machine is slow)
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL when stopping it
FREE_PORT_TRIES = 5  # --port 0: another program may take the free port first; try another
EXTRA_HINT = "pip install 'citydiplomacy[serve]'"
_PROGRAM_NAMES = ("oxigraph", "oxigraph.exe")
_IN_USE = "Address already in use"


def oxigraph_program() -> Path | None:
    """The ``oxigraph`` program the PyPI package ``oxigraph`` installed, or None.

    Found through the package's own file list, not $PATH: another oxigraph on the PATH may be
    of another version and storage format.
    """
    try:
        files = metadata.distribution("oxigraph").files or []
    except metadata.PackageNotFoundError:
        return None
    for entry in files:
        if entry.name in _PROGRAM_NAMES:
            program = Path(str(entry.locate()))
            if program.is_file() and os.access(program, os.X_OK):
                return program.resolve()
    return None


def version_mismatch() -> str | None:
    """Why to worry when the server program and pyoxigraph are not one release, else None.

    The program opens the folder pyoxigraph wrote: another release may read another storage format.
    """
    try:
        server, library = metadata.version("oxigraph"), metadata.version("pyoxigraph")
    except metadata.PackageNotFoundError:
        return None
    if server == library:
        return None
    return (
        f"the Oxigraph server is version {server} but the store is written by pyoxigraph {library}; "
        "their storage formats may differ: install both at one version (pip install -c constraints.txt "
        "'citydiplomacy[serve]')"
    )


def parse_bind(text: str) -> str:
    """The address to listen on: an IP address (IPv6 without brackets); ``localhost`` is 127.0.0.1."""
    value = text.strip()
    if value.lower() == "localhost":
        return DEFAULT_BIND
    try:
        return str(ipaddress.ip_address(value.removeprefix("[").removesuffix("]")))
    except ValueError:
        raise CitydipError(
            f"--bind {text!r}: not an IP address; give one such as 127.0.0.1 (this machine only, the default), "
            "0.0.0.0 (every network interface) or ::1, and the port with --port"
        ) from None


def is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address).is_loopback


def _client_host(address: str) -> str:
    """Where to connect to reach a server bound to *address* (every interface: this machine's loopback)."""
    ip = ipaddress.ip_address(address)
    if ip.is_unspecified:
        return "::1" if ip.version == 6 else DEFAULT_BIND
    return address


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class Server:
    """A running Oxigraph server on a store; a context manager that stops it on leaving."""

    store: Path
    bind: str
    port: int
    writable: bool
    process: subprocess.Popen
    log: IO[bytes]
    signals: _StopSignals

    @property
    def base_url(self) -> str:
        return f"http://{_host_port(_client_host(self.bind), self.port)}/"

    @property
    def query_url(self) -> str:
        return self.base_url + "query"

    @property
    def update_url(self) -> str:
        return self.base_url + "update"

    @property
    def graph_store_url(self) -> str:
        return self.base_url + "store"

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait(self) -> str:
        """Block until Ctrl-C or SIGTERM (returns which) or until the server ends by itself (an error)."""
        self.signals.waiting = True
        try:
            if not self.signals.received:  # one that came since the start is not lost
                self.process.wait()
        except _StopRequested:
            pass
        finally:
            self.signals.waiting = False
        if self.signals.received:
            return self.signals.received
        raise CitydipError(
            f"the Oxigraph server serving {self.store} stopped by itself (exit {self.process.returncode}): "
            f"{_error_line(self.log) or 'it said nothing'}"
        )

    def stop(self) -> None:
        """Terminate the program (SIGTERM, then SIGKILL after a grace period) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        self.signals.restore()


class _StopRequested(BaseException):  # noqa: N818 - a signal, like KeyboardInterrupt, not an error
    """Ctrl-C or SIGTERM while :meth:`Server.wait` waits."""


class _StopSignals:
    """SIGINT and SIGTERM from the start until the stop: noted, and raised only while the server is
    waited for, so a stop that comes between the first line and the wait is neither lost nor a
    traceback. A signal the caller ignores (a job started with ``nohup`` or ``&``) stays ignored."""

    def __init__(self) -> None:
        self.received = ""
        self.waiting = False
        self.previous: dict[int, object] = {}
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set handlers; the caller stops the server itself
        for signum in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                self.previous[signum] = signal.signal(signum, self._note)

    def _note(self, signum: int, frame) -> None:
        self.received = self.received or ("Ctrl-C" if signum == signal.SIGINT else "SIGTERM")
        if self.waiting:
            raise _StopRequested

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]  # what getsignal gave back
        self.previous = {}


def start_server(
    store_path: str | Path | None,
    *,
    bind: str = DEFAULT_BIND,
    port: int = DEFAULT_PORT,
    writable: bool = False,
    query_timeout: float | None = None,
) -> Server:
    """Start the Oxigraph server on the store and return once it accepts connections.

    *port* 0 picks a free port. The store must exist (a folder ``citydip import`` made); one held
    by a writer (read-only serving) or by anyone (*writable*) is waited for as every command
    waits, then refused.
    """
    program = oxigraph_program()
    if program is None:
        raise CitydipError(f"citydip serve needs the Oxigraph server (the PyPI package 'oxigraph'): {EXTRA_HINT}")
    address = parse_bind(bind)
    store = _prepare_store(store_path, writable)
    if port:
        _check_port_free(address, port)
    tries = 1 if port else FREE_PORT_TRIES
    for attempt in range(tries):
        chosen = port or _free_port(address)
        server = _launch(program, store, address, chosen, writable, query_timeout)
        try:
            failure = _wait_until_ready(server)
        except BaseException:  # whatever happens while it starts, no server is left behind
            server.stop()
            raise
        if failure is None:
            return server
        if not (_IN_USE in failure and attempt + 1 < tries):
            raise _start_error(server, failure)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _prepare_store(store_path: str | Path | None, writable: bool) -> Path:
    """The store folder, checked, made current and locked as the mode needs (see the module docstring)."""
    store = Path(store_path).expanduser() if store_path else default_store_path()
    if not store.is_dir() or not any(store.iterdir()):
        raise CitydipError(
            f"{store}: no store there; create it with `citydip import` (or `citydip query run`), "
            "or give the store's folder with --store"
        )
    if not (store / "CURRENT").is_file() and (store / MARKER).is_file():
        raise CitydipError(f"{store}: the store is still being created by another citydip process; try again soon")
    try:
        opened = open_store(store, read_only=not writable)
    except StoreBusyError as exc:
        waited = exc.message[exc.message.rfind(" (waited ") :] if " (waited " in exc.message else ""
        raise _busy(store, writable, waited) from None
    # Read-only: the shared lock taken by open_store stays held by this process while the program
    # reads. Writable: the store is closed here so that the program can take RocksDB's lock.
    del opened
    return store.resolve()


def _busy(store: Path, writable: bool, waited: str = "") -> StoreBusyError:
    holders = (
        "another citydip command or `citydip serve`"
        if writable
        else "a citydip import or analyze, or `citydip serve --writable`"
    )
    return StoreBusyError(
        f"{store}: cannot serve the store: another process holds it ({holders}); "
        f"wait for it to finish or stop it, and run again{waited}"
    )


def _free_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


def _check_port_free(address: str, port: int) -> None:
    """Refuse a port that something already listens on (else we would talk to it, not to our server)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as exc:
            raise CitydipError(_port_message(address, port, exc.strerror or str(exc))) from None


def _port_message(address: str, port: int, reason: str) -> str:
    return (
        f"--bind {address} --port {port}: cannot listen there ({reason}); "
        "choose another --port (--port 0 picks a free one) or another --bind address"
    )


def _launch(program: Path, store: Path, address: str, port: int, writable: bool, query_timeout: float | None) -> Server:
    """Start the program; its stdout and stderr go to an anonymous file, never to ours."""
    command = [str(program), "serve" if writable else "serve-read-only", "--location", str(store)]
    command += ["--bind", _host_port(address, port), "--union-default-graph"]
    if query_timeout:
        command += ["--timeout-s", f"{query_timeout:g}"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the Server closes it once the program has ended
    env = dict(os.environ, RUST_BACKTRACE="0", RUST_LIB_BACKTRACE="0")
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        process_group=0 if os.name == "posix" else None,  # Ctrl-C reaches us only; we stop the program in order
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    return Server(store, address, port, writable, process, log, _StopSignals())


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the program gets SIGTERM if citydip itself is killed, so no server outlives us."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_until_ready(server: Server) -> str | None:
    """None once the program accepts connections; else the first line of its error."""
    host = _client_host(server.bind)
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        if server.signals.received:
            server.stop()
            return f"{server.signals.received} came before it was ready"
        if server.process.poll() is not None:
            return _error_line(server.log) or f"it ended with exit code {server.process.returncode}"
        try:
            with socket.create_connection((host, server.port), timeout=1.0):
                pass
        except OSError:
            time.sleep(0.1)
            continue
        if server.process.poll() is None:
            return None
    server.stop()
    return f"it did not accept connections within {STARTUP_DEADLINE:g} s"


def _error_line(log: IO[bytes]) -> str:
    """The program's error line (``Error: ...``), else its last line, from its output so far."""
    with contextlib.suppress(ValueError, OSError):
        log.seek(0)
        lines = [line.strip() for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error:")]
        chosen = errors[0].removeprefix("Error:").strip() if errors else (lines[-1] if lines else "")
        return printable(chosen)[:300]
    return ""


def _start_error(server: Server, failure: str) -> CitydipError:
    server.stop()
    if "lock file" in failure.lower():  # RocksDB: "While lock file: .../LOCK: Resource temporarily unavailable"
        return _busy(server.store, server.writable)
    if _IN_USE in failure or "Cannot assign requested address" in failure:
        return CitydipError(_port_message(server.bind, server.port, failure))
    return CitydipError(f"the Oxigraph server could not serve {server.store}: {failure}")
