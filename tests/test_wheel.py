"""A non-editable install (a built wheel) carries the templates and fonts and builds an exam outside the repo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import PROJECT

SOURCES = ("pyproject.toml", "setup.py", "README.md", "generator", "templates")


@pytest.mark.wheel
def test_an_installed_wheel_inits_and_builds_an_exam_outside_the_repo(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:  # a copy, so the build leaves nothing in the work tree
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(PROJECT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("mockexam-*.whl")

    venv = tmp_path / "venv"  # a fresh environment that sees this one's dependencies, not its mockexam
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    mockexam = str(venv / "bin" / "mockexam")

    def run(*args: str) -> str:
        result = subprocess.run([mockexam, *args], cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    where = subprocess.run([str(python), "-c", "import generator.paths as p; print(p.TEMPLATES_DIR)"], cwd=work,
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert Path(where).is_relative_to(venv) and (Path(where) / "fonts" / "NanumMyeongjo.ttf").is_file()
    run("init", "mybank")
    run("validate", "--bank", "mybank")
    run("build", "mybank/blueprints/sample.yaml")
    exam = work / "output" / "sample-1"
    assert {"booklet-A.pdf", "answer-sheet-A.pdf", "key.pdf", "exam.html", "manifest.json"} <= {
        p.name for p in exam.iterdir()}
    assert (exam / "booklet-A.pdf").read_bytes().startswith(b"%PDF")
