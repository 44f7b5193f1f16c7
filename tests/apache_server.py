"""A real Apache (Debian's apache2) serving a folder on loopback, for the .htaccess tests.

It runs as a child of the test in the foreground (``-X``: one process, no daemon), with a config
file generated in a temporary folder: a free port on 127.0.0.1, DocumentRoot = the folder,
``AllowOverride All`` so the site's own .htaccess applies, and only the modules w3id.org-style
rules need (rewrite, headers, mime, dir). No system service, no state outside the tmp folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

MODULES = Path("/usr/lib/apache2/modules")
NEEDED = ("mpm_prefork", "authz_core", "dir", "mime", "rewrite", "headers")

CONFIG = """ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn
{modules}
TypesConfig /etc/mime.types
DocumentRoot "{docroot}"
<Directory "{docroot}">
  AllowOverride All
  Require all granted
</Directory>
"""


def apache_binary() -> str:
    """apache2's path; absent: a skip with the reason on a workstation, a failure in CI."""
    found = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").is_file() else None)
    missing = [m for m in NEEDED if not (MODULES / f"mod_{m}.so").is_file()]
    if found and not missing:
        return found
    reason = "Debian's apache2 is not installed (bash scripts/install-system-deps.sh installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + "; in CI it must be there")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def apache(docroot: Path, workdir: Path):
    """Yield the base URL of an Apache serving *docroot*; stop it (and only it) at the end."""
    binary = apache_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    modules = "\n".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in NEEDED)
    config = workdir / "httpd.conf"
    config.write_text(CONFIG.format(root=workdir, port=port, modules=modules, docroot=docroot.resolve()))
    process = subprocess.Popen(
        [binary, "-f", str(config), "-X"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=workdir
    )
    try:
        _wait_until_listening(process, port, workdir)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(process: subprocess.Popen, port: int, workdir: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (workdir / "error.log").read_text() if (workdir / "error.log").exists() else ""
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"apache2 stopped at once: {stderr} {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("apache2 did not listen within 20 s")
