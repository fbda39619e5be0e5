"""``mockexam bench preview``: seconds from saving a question file until the preview pushes the change."""

from __future__ import annotations

import http.client
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

from generator.preview.server import PreviewServer
from generator.preview.state import PreviewState


def _next_change(stream: http.client.HTTPResponse) -> int:
    """Read the event stream until the next ``change`` event; returns its version."""
    event = ""
    while True:
        line = stream.readline().decode("utf-8").strip()
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "change":
            return int(line.split(":", 1)[1])


def bench_preview(bank: Path, blueprint: Path | None, saves: int = 10,
                  report: Callable[[str], None] = print) -> float:
    """Edit one question ``saves`` times in a copy of ``bank``; report the save-to-event latencies."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "bank"
        shutil.copytree(bank, copy)
        if blueprint is not None and blueprint.resolve().is_relative_to(bank.resolve()):
            blueprint = copy / blueprint.resolve().relative_to(bank.resolve())
        state = PreviewState(copy, blueprint, out_root=Path(folder) / "output")
        started = time.perf_counter()
        view = state.reload()
        count = len(view.snapshot.bank.questions) if view.snapshot.bank else 0
        report(f"loaded {count} questions{' and planned the exam' if blueprint else ''} "
               f"in {time.perf_counter() - started:.2f} s")
        server = PreviewServer(state, port=0).start()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            connection.request("GET", "/events")
            stream = connection.getresponse()
            _next_change(stream)
            target = next(iter(sorted((copy / "questions").rglob("*.md"))))
            text = target.read_text(encoding="utf-8")
            times = []
            for index in range(saves):
                time.sleep(0.3)
                saved = time.perf_counter()
                target.write_text(text + f"\n<!-- edit {index} -->\n" if index % 2 == 0 else text, encoding="utf-8")
                _next_change(stream)  # the bank's update (the exam follows in a second event)
                times.append(time.perf_counter() - saved)
                if blueprint is not None:
                    _next_change(stream)
            connection.close()
        finally:
            server.stop()
    median = statistics.median(times)
    report(f"save -> change event: median {median * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms over {saves} saves")
    return median
