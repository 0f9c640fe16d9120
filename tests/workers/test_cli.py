import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from workers.runtime import processes

GUICHET = str(Path(sys.executable).parent / "guichet")


@pytest.mark.parametrize("command", ["dev", "worker", "consume"])
def test_every_command_has_help(command: str) -> None:
    result = subprocess.run(
        [GUICHET, command, "--help"], capture_output=True, text=True, check=True
    )
    assert f"usage: guichet {command}" in result.stdout


def test_an_unreachable_temporal_gives_one_line_naming_it_and_where(tmp_path: Path) -> None:
    address = f"127.0.0.1:{processes.free_port()}"
    result = subprocess.run(
        [GUICHET, "worker"],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "GUICHET_TEMPORAL_ADDRESS": address},
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"guichet: Temporal injoignable à {address}")
    assert "GUICHET_TEMPORAL_ADDRESS" in last


@pytest.mark.integration
def test_an_unreachable_kafka_gives_one_line_naming_it_and_where(
    tmp_path: Path, temporal_dev_server: str
) -> None:
    address = f"127.0.0.1:{processes.free_port()}"
    result = subprocess.run(
        [GUICHET, "consume"],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            **os.environ,
            "GUICHET_TEMPORAL_ADDRESS": temporal_dev_server,
            "GUICHET_KAFKA_BOOTSTRAP_SERVERS": address,
        },
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"guichet: Kafka injoignable à {address}")


@pytest.mark.integration
@pytest.mark.parametrize("command", ["worker", "consume"])
def test_worker_and_consumer_stop_cleanly_on_sigterm(
    tmp_path: Path, temporal_dev_server: str, kafka_broker: str, command: str
) -> None:
    proc = subprocess.Popen(
        [GUICHET, command],
        cwd=tmp_path,
        env={
            **os.environ,
            "GUICHET_TEMPORAL_ADDRESS": temporal_dev_server,
            "GUICHET_KAFKA_BOOTSTRAP_SERVERS": kafka_broker,
            "GUICHET_KAFKA_GROUP_ID": f"sigterm-{command}",
            "GUICHET_LOG_FORMAT": "json",
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    started = "worker_demarre" if command == "worker" else "consommateur_demarre"
    for line in proc.stderr:
        if started in line:
            break
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
