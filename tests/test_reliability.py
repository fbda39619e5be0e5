"""Never lose a user's file, never leave junk, never show a traceback (issue 9).

Interrupt tests send real signals to a real `mockexam build` process and look for leftovers on disk and
in the process table.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

RENDER_BANK = PROJECT / "tests" / "fixtures" / "render_bank"
QUIZ = ("title: 연습 시험\nduration_minutes: 30\nforms: [A, B]\nseed: 3\nsections:\n"
        "  - {type: mcq, count: 4, points: 3}\n  - {type: short, count: 1, points: 4}\n")
OUTPUTS = ["answer-sheet-A.pdf", "answer-sheet-B.pdf", "booklet-A.pdf", "booklet-B.pdf", "exam.html", "key.pdf",
           "layout.json", "manifest.json"]


@pytest.fixture
def quiz(tmp_path: Path) -> Path:
    path = tmp_path / "quiz.yaml"
    path.write_text(QUIZ, encoding="utf-8")
    return path


def _build(run, quiz: Path, out: Path, *extra: str):
    return run("build", quiz, "--bank", RENDER_BANK, "--out", out, *extra)


def _junk(out: Path) -> list[str]:
    """Staging folders, lock files of staging and temporary files left in ``out``."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".mockexam.lock"
                  or p.name.endswith(".tmp")) if out.exists() else []


# ---------------------------------------------------------------- the exam folder keeps the user's files


def test_render_and_rebuild_keep_the_users_files_in_the_exam_folder(run, quiz, tmp_path):
    out = tmp_path / "out"
    assert _build(run, quiz, out, "--no-render").exit_code == 0
    folder = out / "quiz-3"
    (folder / "grades.csv").write_text("student,score\nkim,90\n", encoding="utf-8")
    (folder / "scans").mkdir()
    (folder / "scans" / "page-1.png").write_bytes(b"\x89PNG")
    (folder / "results").mkdir()

    result = run("render", folder / "manifest.json", "--bank", RENDER_BANK)
    assert result.exit_code == 0, result.output
    assert (folder / "grades.csv").read_text(encoding="utf-8") == "student,score\nkim,90\n"
    assert (folder / "scans" / "page-1.png").read_bytes() == b"\x89PNG" and (folder / "results").is_dir()
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
        OUTPUTS + ["grades.csv", "results", "scans"])

    result = _build(run, quiz, out, "--forms", "A", "--no-render")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert names == ["grades.csv", "manifest.json", "results", "scans"], "old outputs go, the user's files stay"
    assert "grades.csv" not in result.output, "the build lists only what it wrote"
    assert _junk(out) == []


def test_build_refuses_to_replace_a_folder_or_file_it_did_not_make(run, quiz, tmp_path):
    out = tmp_path / "out"
    folder = out / "quiz-3"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("내 메모", encoding="utf-8")
    result = _build(run, quiz, out, "--no-render")
    assert result.exit_code == 1
    assert "quiz-3 holds files mockexam did not write" in result.output and "Traceback" not in result.output
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert not (out / "history.json").exists()

    shutil.rmtree(folder)
    folder.write_text("a file where the exam folder would go", encoding="utf-8")
    result = _build(run, quiz, out, "--no-render")
    assert result.exit_code == 1 and "exists and is not an exam folder" in result.output
    assert folder.read_text(encoding="utf-8") == "a file where the exam folder would go"
    assert _junk(out) == []


def test_render_refuses_a_manifest_outside_an_exam_folder(run, quiz, tmp_path):
    """`render some/dir/manifest.json` used to replace the whole of some/dir."""
    out = tmp_path / "out"
    assert _build(run, quiz, out, "--no-render").exit_code == 0
    elsewhere = tmp_path / "documents"
    elsewhere.mkdir()
    (elsewhere / "thesis.docx").write_bytes(b"precious")
    shutil.copy(out / "quiz-3" / "manifest.json", elsewhere / "manifest.json")
    result = run("render", elsewhere / "manifest.json", "--bank", RENDER_BANK)
    assert result.exit_code == 1 and "mockexam did not write" in result.output
    assert sorted(p.name for p in elsewhere.iterdir()) == ["manifest.json", "thesis.docx"]


def test_a_users_file_named_like_an_output_is_never_replaced(run, quiz, tmp_path):
    out = tmp_path / "out"
    assert _build(run, quiz, out, "--forms", "A", "--no-render").exit_code == 0
    mine = out / "quiz-3" / "booklet-B.pdf"
    mine.write_bytes(b"my own booklet")
    result = _build(run, quiz, out, "--forms", "A,B")
    assert result.exit_code == 1 and "booklet-B.pdf would be replaced, but mockexam did not write it" in result.output
    assert mine.read_bytes() == b"my own booklet"
    assert sorted(p.name for p in (out / "quiz-3").iterdir() if not p.name.startswith(".")) == [
        "booklet-B.pdf", "manifest.json"]
    assert _junk(out) == []


def test_an_exam_folder_of_an_older_version_is_adopted(run, quiz, tmp_path):
    out = tmp_path / "out"
    assert _build(run, quiz, out, "--no-render").exit_code == 0
    (out / "quiz-3" / ".mockexam-exam.json").unlink()  # as built before the marker existed
    result = _build(run, quiz, out, "--no-render")
    assert result.exit_code == 0, result.output
    assert (out / "quiz-3" / ".mockexam-exam.json").is_file()


# ---------------------------------------------------------------- the history


def test_damaged_history_stops_the_build_before_anything_is_written(run, quiz, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for damaged in ("garbage {", '{"schema": "mockexam.history/1", "exams": {"a": 1}}', "[]",
                    '{"schema": "mockexam.history/1", "exams": [{"exam_id": 3}]}', "\udcff"):
        (out / "history.json").write_text(damaged, encoding="utf-8", errors="surrogateescape")
        before = (out / "history.json").read_bytes()
        result = _build(run, quiz, out, "--no-render")
        assert result.exit_code == 1, damaged
        assert "history.json: the exam history is damaged" in result.output and "move it away" in result.output
        assert (out / "history.json").read_bytes() == before, "never silently replaced"
        assert sorted(p.name for p in out.iterdir() if p.name != ".mockexam.lock") == ["history.json"]


def test_a_fifo_named_like_the_history_or_the_manifest_does_not_hang(run, quiz, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "history.json")
    result = _build(run, quiz, out, "--no-render")
    assert result.exit_code == 1 and "history.json: the exam history is damaged (it is not a regular file)" in result.output
    os.mkfifo(tmp_path / "manifest.json")
    result = run("render", tmp_path / "manifest.json", "--bank", RENDER_BANK)
    assert result.exit_code == 1 and "manifest.json: not a regular file" in result.output


def test_history_damaged_during_rendering_means_the_exam_is_not_published(run, quiz, tmp_path, monkeypatch):
    import generator.build as build

    out = tmp_path / "out"
    real = build.render_into

    def damage_meanwhile(exam, folder, progress, *more):
        (out / "history.json").write_text("not json", encoding="utf-8")
        return real(exam, folder, progress, *more)

    monkeypatch.setattr(build, "render_into", damage_meanwhile)
    monkeypatch.setenv("MOCKEXAM_RENDER_JOBS", "1")
    result = _build(run, quiz, out)
    assert result.exit_code == 1 and "the exam history is damaged" in result.output
    assert not (out / "quiz-3").exists() and _junk(out) == []
    assert (out / "history.json").read_text(encoding="utf-8") == "not json"


def _subprocess_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "MOCKEXAM_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(PROJECT)}


def _mockexam(*args: object) -> list[str]:
    return [sys.executable, "-m", "generator", *map(str, args)]


def test_concurrent_builds_into_one_out_keep_every_history_record(quiz, tmp_path):
    from filelock import FileLock

    out = tmp_path / "out"
    out.mkdir()
    env = _subprocess_env(tmp_path)
    blueprints = []
    for name in ("week1", "week2", "week3"):
        blueprints.append(tmp_path / f"{name}.yaml")
        blueprints[-1].write_text(QUIZ, encoding="utf-8")
    lock = FileLock(str(out / ".mockexam.lock"))
    with lock:  # the builds must wait for the --out lock before they publish and record
        builds = [subprocess.Popen(_mockexam("build", b, "--bank", RENDER_BANK, "--out", out, "--no-render"),
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for b in blueprints]
        deadline = time.monotonic() + 60
        while not list(out.glob(".mockexam-staging-*/manifest.json")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        assert all(b.poll() is None for b in builds), "a build finished without taking the lock"
        assert not any((out / f"{b.stem}-3").exists() for b in blueprints)
    for process in builds:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    history = json.loads((out / "history.json").read_text(encoding="utf-8"))
    assert sorted(e["exam_id"] for e in history["exams"]) == ["week1-3", "week2-3", "week3-3"]
    assert _junk(out) == []


# ---------------------------------------------------------------- interruptions


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(x) for x in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


class _Build:
    """A real `mockexam build` subprocess whose stderr lines are collected by a thread."""

    def __init__(self, quiz: Path, out: Path, tmp_path: Path) -> None:
        self.process = subprocess.Popen(_mockexam("build", quiz, "--bank", RENDER_BANK, "--out", out),
                                        env=_subprocess_env(tmp_path), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for(self, text: str, seconds: float = 90) -> None:
        seen: list[str] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                seen.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                assert self.process.poll() is None, seen
                continue
            if text in seen[-1]:
                return
        self.process.kill()
        pytest.fail(f"no {text!r} on stderr: {seen}")

    def stderr_after_exit(self) -> str:
        self.reader.join(timeout=10)
        return "".join(self.lines.get() for _ in range(self.lines.qsize()))


def _start_build_and_wait_for_rendering(quiz: Path, out: Path, tmp_path: Path) -> _Build:
    build = _Build(quiz, out, tmp_path)
    build.wait_for("rendering booklet")
    time.sleep(0.3)  # both render workers are busy now
    return build


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                   (signal.SIGTERM, 143, "SIGTERM")])
def test_interrupted_build_leaves_no_staging_folder_and_no_worker(quiz, tmp_path, signum, status, word):
    out = tmp_path / "out"
    build = _start_build_and_wait_for_rendering(quiz, out, tmp_path)
    workers = _children(build.process.pid)
    assert workers, "rendering runs in worker processes"
    build.process.send_signal(signum)
    try:
        assert build.process.wait(timeout=30) == status
        message = build.stderr_after_exit()
        assert word in message and "no partial output was left behind" in message and "Traceback" not in message
    finally:
        _assert_gone(workers)
    assert _junk(out) == [] and not (out / "quiz-3").exists() and not (out / "history.json").exists()


def _assert_gone(workers: list[int]) -> None:
    deadline = time.monotonic() + 5
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in workers if _alive(pid)]
    for pid in survivors:  # do not leave them running when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "render workers outlived the build"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_build_takes_its_workers_along_and_the_next_build_sweeps_its_staging(quiz, tmp_path):
    out = tmp_path / "out"
    build = _start_build_and_wait_for_rendering(quiz, out, tmp_path)
    workers = _children(build.process.pid)
    build.process.kill()
    build.process.wait(timeout=30)
    _assert_gone(workers)
    stale = _junk(out)
    assert any(name.startswith(".mockexam-staging-quiz-3-") for name in stale), "SIGKILL cannot clean up"
    # a live build's staging folder is not swept, however old
    live = out / f".mockexam-staging-other-{os.getpid()}-0123abcd"
    live.mkdir()
    result = subprocess.run(_mockexam("build", quiz, "--bank", RENDER_BANK, "--out", out, "--no-render"),
                            env=_subprocess_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert _junk(out) == [live.name]


def test_ctrl_c_and_sigterm_messages(run, quiz, tmp_path, monkeypatch):
    import generator.build as build
    from generator.interrupt import Terminated

    for error, status, text in ((KeyboardInterrupt(), 130, "interrupted (Ctrl-C)"),
                                (Terminated(signal.SIGTERM), 143, "stopped by SIGTERM")):
        def stop(*_args, error=error, **_kwargs):
            raise error

        monkeypatch.setattr(build, "render_into", stop)
        result = _build(run, quiz, tmp_path / "out")
        assert result.exit_code == status and text in result.output and "Traceback" not in result.output
        assert _junk(tmp_path / "out") == []


SOLVE_THEN_CTRL_C = """
import signal, sys, time
from pathlib import Path
from generator.assemble.blueprint import load_blueprint
from generator.bank.loader import load_bank
from generator.build import plan_exam
from generator.interrupt import handle_signals

bank = load_bank(Path(sys.argv[1]))
with handle_signals():
    plan_exam(bank, load_blueprint(Path(sys.argv[2]), bank.taxonomy), "quiz-3", Path(sys.argv[3]))
    try:
        signal.raise_signal(signal.SIGINT)
        time.sleep(1)
    except KeyboardInterrupt:
        print("KeyboardInterrupt after selection")
"""


def test_ctrl_c_after_selection_still_reaches_python(quiz, tmp_path):
    """CP-SAT resets the SIGINT handler unless told not to: Ctrl-C then killed the build without cleanup."""
    result = subprocess.run([sys.executable, "-c", SOLVE_THEN_CTRL_C, str(RENDER_BANK), str(quiz), str(tmp_path)],
                            env=_subprocess_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "KeyboardInterrupt after selection"


# ---------------------------------------------------------------- no traceback, one clear message


@pytest.mark.parametrize("forms, message", [
    ("A,A", "A named twice"),
    ("a,b", "'a' (did you mean 'A'?): a form name is 1 to 4 capital letters"),
    ("A,,B", "'': a form name"),
    ("ABCDE", "'ABCDE': a form name"),
    (",".join(f"F{i}" for i in range(27)), "27 forms; at most 26"),
])
def test_bad_forms_get_one_message(run, quiz, tmp_path, forms, message):
    result = _build(run, quiz, tmp_path / "out", "--forms", forms, "--dry-run")
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_seed_is_bounded(run, quiz, tmp_path):
    result = _build(run, quiz, tmp_path / "out", "--seed", str(10**30), "--dry-run")
    assert result.exit_code == 2 and "0<=x<=2147483647" in result.output


@pytest.mark.parametrize("line, message", [
    ("  - {type: mcq, count: 4, points: 100000000000000000000000000}", "quiz.yaml:6: sections.0.points: Input should be less than or equal to 1000"),
    ("  - {type: mcq, count: 100000000000000000000000000}", "quiz.yaml:6: sections.0.count: Input should be less than or equal to 500"),
    ("total_points: 100000000000000000000000000", "quiz.yaml:8: total_points: Input should be less than or equal to 100000"),
    ("seed: 100000000000000000000000000", "quiz.yaml:4: seed: Input should be less than or equal to 2147483647"),
    ("duration_minutes: 100000000000", "quiz.yaml:2: duration_minutes: Input should be less than or equal to 1440"),
    ("exclude_recent: 100000000000000", "quiz.yaml:8: exclude_recent: Input should be less than or equal to 10000"),
    ("topics: " + "[" * 900 + "]" * 900, "quiz.yaml:8: topics: Input should be a valid dictionary"),
    ("topics: " + "{a: " * 2000 + "1" + "}" * 2000, "quiz.yaml:8: front matter: invalid YAML"),
    ("forms: [a, b]", "quiz.yaml:3: forms.0: 'a': a form name is 1 to 4 capital letters"),
])
def test_huge_numbers_and_deep_nesting_in_a_blueprint_get_file_and_line(run, tmp_path, line, message):
    text = QUIZ
    key = line.split(":")[0]
    if key.startswith("  -"):
        text = text.replace("  - {type: mcq, count: 4, points: 3}", line)
    elif key in ("seed", "duration_minutes", "forms"):
        text = "\n".join(line if row.startswith(key + ":") else row for row in text.split("\n"))
    else:
        text += line + "\n"
    path = tmp_path / "quiz.yaml"
    path.write_text(text, encoding="utf-8")
    result = _build(run, path, tmp_path / "out", "--dry-run")
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output and "Tuple should have at least 1 item" not in result.output


def test_include_ids_must_name_a_question_of_a_section(run, tmp_path):
    path = tmp_path / "quiz.yaml"
    path.write_text(QUIZ + "include_ids:\n  - rt-essay-attention\n  - rt-short-cv\n  - rt-short-cv\n"
                    "  - rt-softmax-mth\n", encoding="utf-8")
    result = _build(run, path, tmp_path / "out", "--dry-run")
    assert result.exit_code == 1
    assert ("quiz.yaml:9: include_ids.0: 'rt-essay-attention' is an essay question, but the blueprint has no essay "
            "section") in result.output
    assert "quiz.yaml:11: include_ids.2: 'rt-short-cv' is listed twice" in result.output
    assert "quiz.yaml:12: include_ids.3: 'rt-softmax-mth' is not in the bank (did you mean 'rt-softmax-math'?)" in result.output


def test_select_refuses_an_include_without_a_section():
    from generator.assemble.blueprint import Blueprint
    from generator.assemble.select import select_questions
    from generator.bank.loader import load_bank
    from generator.problems import UserError

    bank = load_bank(RENDER_BANK)
    blueprint = Blueprint.model_validate({"title": "t", "duration_minutes": 10, "include_ids": ["rt-essay-attention"],
                                          "sections": [{"type": "mcq", "count": 2}]})
    with pytest.raises(UserError, match="no section of their type"):
        select_questions(bank.questions, blueprint, bank.taxonomy, 0)


def _manifest(run, quiz: Path, out: Path) -> tuple[Path, dict]:
    assert _build(run, quiz, out, "--no-render").exit_code == 0
    path = out / "quiz-3" / "manifest.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def _edit(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def test_render_reports_a_broken_manifest_with_file_and_line(run, quiz, tmp_path):
    path, data = _manifest(run, quiz, tmp_path / "out")
    original = json.loads(json.dumps(data))
    cases = []

    del data["forms"][0]["sections"][0]["items"][1]["points"]
    cases.append((json.loads(json.dumps(data)), "forms.0.sections.0.items.1.points: missing required key 'points'"))
    data = json.loads(json.dumps(original))
    data["forms"][1]["sections"][0]["items"][0]["points"] = "three"
    cases.append((data, "forms.1.sections.0.items.0.points: Input should be a valid number"))
    data = json.loads(json.dumps(original))
    data["forms"][0]["sections"].append(data["forms"][0]["sections"][0])
    cases.append((data, "forms.0.sections: form A has sections ['mcq', 'short', 'mcq'], the blueprint ['mcq', 'short']"))
    data = json.loads(json.dumps(original))
    data["forms"][0]["colour"] = "red"
    cases.append((data, "forms.0.colour: unknown key 'colour'"))
    data = json.loads(json.dumps(original))
    del data["bank"]
    cases.append((data, "manifest.json:1: bank: missing required key 'bank'"))
    data = json.loads(json.dumps(original))
    data["blueprint"]["sections"][0]["count"] = 10**30
    cases.append((data, "blueprint.sections.0.count: Input should be less than or equal to 500"))
    data = json.loads(json.dumps(original))
    data["forms"][0]["sections"][0]["items"][0]["choice_order"] = [0, 0, 1, 2, 3]
    cases.append((data, "is not an order of the choices"))
    data = json.loads(json.dumps(original))
    data["forms"][0]["name"] = "C"
    cases.append((data, "forms.0.name: forms ['C', 'B'] do not match the blueprint's ['A', 'B']"))
    for broken, message in cases:
        _edit(path, broken)
        if "forms.0.name" in message:
            line = path.read_text(encoding="utf-8").split("\n").index('      "name": "C",') + 1
            message = f"manifest.json:{line}: {message}"
        result = run("render", path, "--bank", RENDER_BANK)
        assert result.exit_code == 1 and message in result.output, (message, result.output)
        assert "Traceback" not in result.output
    data = json.loads(json.dumps(original))
    moved = data["forms"][0]["sections"][0]["items"][0]["id"]
    for form in data["forms"]:
        for item in form["sections"][0]["items"]:
            if item["id"] == moved:
                item["id"] = "rt-essay-attention"
    _edit(path, data)
    result = run("render", path, "--bank", RENDER_BANK)
    assert result.exit_code == 1
    assert "'rt-essay-attention' is now of type essay, but the exam has it in its mcq section" in result.output
    path.write_text('{"schema": "mockexam.manifest/1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    result = run("render", path, "--bank", RENDER_BANK)
    assert result.exit_code == 1 and "nested too deeply" in result.output
    sections = [p.name for p in path.parent.iterdir() if not p.name.startswith(".")]
    assert sections == ["manifest.json"], "nothing was rendered from a broken manifest"


def test_a_bug_prints_one_line_and_saves_the_traceback(run, quiz, tmp_path, monkeypatch):
    import generator.build as build

    def bug(*_args, **_kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(build, "plan_exam", bug)
    monkeypatch.setenv("MOCKEXAM_CACHE_DIR", str(tmp_path / "cache"))
    result = _build(run, quiz, tmp_path / "out")
    assert result.exit_code == 70
    lines = result.output.strip().split("\n")
    assert len(lines) == 1 and "internal error (ZeroDivisionError); this is a bug" in lines[0]
    saved = Path(lines[0].rsplit("the traceback is in ", 1)[1])
    assert saved.parent == tmp_path / "cache" and saved.name.startswith("crash-")
    text = saved.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: division by zero" in text and "build" in text
