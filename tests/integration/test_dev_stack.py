"""`guichet dev` as an operator runs it: it starts, serves, stops cleanly on SIGTERM or Ctrl-C
with no orphan process, and the dossiers are still there after a restart."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Queue

import httpx
import pytest

from events import topics
from events.publisher import KafkaPublisher
from models.contrat_pro import EtatContratPro
from tests.factories import contrat_enregistre
from tests.integration.kafka import read_until
from workers.runtime import processes
from workers.runtime.dev import READY_LINE
from workers.runtime.settings import Settings
from workers.runtime.temporal import client_for

pytestmark = pytest.mark.integration


class DevStack:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.temporal = f"127.0.0.1:{processes.free_port()}"
        self.kafka = f"127.0.0.1:{processes.free_port()}"
        self.env = {
            **os.environ,
            "GUICHET_DATA_DIR": str(data_dir),
            "GUICHET_TEMPORAL_ADDRESS": self.temporal,
            "GUICHET_TEMPORAL_UI_PORT": str(processes.free_port()),
            "GUICHET_API_PORT": str(processes.free_port()),
            "GUICHET_KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "GUICHET_LOG_FORMAT": "json",
        }
        self.proc: subprocess.Popen[str] | None = None
        self.children: list[int] = []

    def start(self) -> str:
        """Start `guichet dev`; return what it printed once ready."""
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "guichet"), "dev"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        lines: Queue[str] = Queue()
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        threading.Thread(target=lambda: list(map(lines.put, stdout)), daemon=True).start()
        printed: list[str] = []
        while True:
            try:
                line = lines.get(timeout=120)
            except Empty:
                pytest.fail(f"guichet dev not ready after 120 s; printed: {printed}")
            printed.append(line)
            if READY_LINE in line:
                break
        self.children = [
            int(pid)
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir()
            for pid in (task / "children").read_text().split()
        ]
        return "".join(printed)

    def stop(self, sig: signal.Signals) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=60)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def demo_token(banner: str) -> str:
    """The demo user's token as the banner prints it."""
    found = re.search(r"utilisateur 'demo', jeton (\S+)", banner)
    assert found, banner
    return found.group(1)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[DevStack]:
    stack = DevStack(tmp_path / "data")
    yield stack
    stack.kill()


async def test_dev_stack_serves_stops_cleanly_and_keeps_dossiers_across_a_restart(
    stack: DevStack,
) -> None:
    banner = stack.start()
    assert stack.temporal in banner
    assert stack.kafka in banner
    assert len(stack.children) == 2, "the Temporal dev server and the Tansu broker"

    numero = f"DEV-{uuid.uuid4().hex[:8]}"
    publisher = KafkaPublisher(stack.kafka)
    await publisher.start()
    await publisher.publish(
        topics.OPCO, numero, contrat_enregistre(numero).model_dump_json().encode()
    )
    await publisher.stop()
    await read_until(
        stack.kafka, topics.DOSSIERS, lambda r: json.loads(r.value)["subject"] == numero
    )

    assert stack.stop(signal.SIGTERM) == 0
    assert [pid for pid in stack.children if processes.is_running(pid)] == []

    second_banner = stack.start()
    api = f"http://127.0.0.1:{stack.env['GUICHET_API_PORT']}"
    assert api in second_banner
    token = demo_token(banner)
    assert token == demo_token(second_banner), "the demo token is kept across restarts"
    async with httpx.AsyncClient(base_url=api) as http:
        assert (await http.get("/ready")).status_code == 200
        listed = await http.get("/dossiers", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200
        assert [d["reference"] for d in listed.json()["dossiers"]] == [numero]
        assert (await http.get("/dossiers")).status_code == 401
    # The dev stack encrypts payloads with the key it generated in its data directory.
    client = await client_for(
        Settings(_env_file=None, data_dir=stack.data_dir, temporal_address=stack.temporal)
    )
    state = await client.get_workflow_handle(f"contrat-pro:{numero}").query(
        "etat", result_type=EtatContratPro
    )
    assert state.cle == numero
    assert len(state.registre.evenements_appliques) == 1

    assert stack.stop(signal.SIGINT) == 0
    assert [pid for pid in stack.children if processes.is_running(pid)] == []
