"""`pledge serve` as a user runs it: a real process, reloaded by SIGHUP; bad input refused."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pledge.cli import run
from tests.web.live import DEMO_NAME, copy_demo, edit, store_url, wait_for

NEW_NAME = "Rowan Print Co"


@dataclass
class ServeProcess:
    process: subprocess.Popen[bytes]
    url: str
    stdout: Path
    stderr: Path

    def output(self) -> str:
        out = self.stdout.read_text(encoding="utf-8", errors="replace")
        return out + self.stderr.read_text(encoding="utf-8", errors="replace")


ANNOUNCED = re.compile(r"privacy notice at (http://127\.0\.0\.1:(\d+))/privacy\n")


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[ServeProcess]:
    """`pledge serve --port 0` in its own process, found through the URL it prints."""
    declaration = copy_demo(tmp_path)
    stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    command = [sys.executable, "-c", "from pledge.cli import main; main()", "serve"]
    command += [str(declaration), "--store", store_url(tmp_path), "--port", "0"]
    command += ["--no-watch"]  # only the signal may reload
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=tmp_path)
    served = ServeProcess(process, "", stdout, stderr)

    def still_running() -> None:
        if process.poll() is not None:
            pytest.fail(f"pledge serve exited with {process.returncode}:\n{served.output()}")

    def announced() -> str | None:
        still_running()
        found = ANNOUNCED.search(stdout.read_text(encoding="utf-8"))
        return found.group(1) if found else None

    def ready() -> bool | None:
        still_running()
        try:
            return httpx.get(f"{served.url}/health", timeout=2).status_code == 200 or None
        except httpx.TransportError:
            return None

    try:
        served.url = wait_for(announced, "pledge serve to print its URL", seconds=30)
        wait_for(ready, "pledge serve to answer", seconds=30)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_serve_prints_the_url_it_serves(serve_process: ServeProcess) -> None:
    found = ANNOUNCED.search(serve_process.stdout.read_text(encoding="utf-8"))
    assert found is not None
    assert int(found.group(2)) > 0, "port 0 is announced as the port the OS gave"
    response = httpx.get(f"{found.group(1)}/privacy")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="this OS has no SIGHUP")
def test_sighup_reloads(serve_process: ServeProcess, tmp_path: Path) -> None:
    declaration = tmp_path / "pledge.yaml"
    edit(declaration, f"name: {DEMO_NAME}\n", f"name: {NEW_NAME}\n")
    # Not watching: the edit alone changes nothing, however long one waits (a watcher
    # reacts within about 50 ms).
    time.sleep(1)
    assert httpx.get(f"{serve_process.url}/health").json()["version"] == 1

    os.kill(serve_process.process.pid, signal.SIGHUP)

    def reloaded() -> str | None:
        page = httpx.get(f"{serve_process.url}/privacy.md").text
        return page if NEW_NAME in page else None

    wait_for(reloaded, "the reload after SIGHUP")
    assert httpx.get(f"{serve_process.url}/health").json()["version"] == 2
    assert serve_process.process.poll() is None, "SIGHUP must not stop the server"
    assert "reloaded" in serve_process.output()

    # Ctrl+C: a graceful shutdown, then the shell convention for an interrupt (128 + SIGINT).
    serve_process.process.send_signal(signal.SIGINT)
    assert serve_process.process.wait(timeout=15) == 130
    assert "Application shutdown complete" in serve_process.output()
    assert "Traceback" not in serve_process.output()


def test_serve_refuses_a_broken_declaration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    declaration = copy_demo(tmp_path)
    line = declaration.read_text(encoding="utf-8").splitlines().index("  country: GB") + 1
    edit(declaration, "  country: GB\n", "  country: Great Britain\n")

    assert run(["serve", str(declaration), "--store", store_url(tmp_path)]) == 1

    err = capsys.readouterr().err
    assert f"{declaration}:{line}:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "store.db").exists(), "nothing is started for a broken declaration"


def test_serve_refuses_a_bad_store_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    declaration = copy_demo(tmp_path)
    assert run(["serve", str(declaration), "--store", "nosuchdb://x"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "Traceback" not in err


def test_serve_refuses_a_busy_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    declaration = copy_demo(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = run(["serve", str(declaration), "--store", store_url(tmp_path), "--port", str(port)])
    assert code == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(f"error: cannot listen on http://127.0.0.1:{port}: ")
    assert "--port" in captured.err
    assert "Serving" not in captured.out, "nothing is announced that is not served"
