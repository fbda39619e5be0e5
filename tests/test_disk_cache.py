"""The render cache only ever saves time: values round-trip, and a missing or broken cache is harmless."""

from __future__ import annotations

from generator import disk_cache
from generator.render.markdown import _math_svg


def test_values_round_trip_by_key(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKEXAM_CACHE_DIR", str(tmp_path))
    assert disk_cache.read("math", "x^2", True) is None
    disk_cache.write("<svg/>", "math", "x^2", True)
    assert disk_cache.read("math", "x^2", True) == "<svg/>"
    assert disk_cache.read("math", "x^2", False) is None


def test_empty_setting_switches_the_cache_off(monkeypatch):
    monkeypatch.setenv("MOCKEXAM_CACHE_DIR", "")
    disk_cache.write("<svg/>", "math", "y")
    assert disk_cache.read("math", "y") is None


def test_an_unwritable_cache_does_not_fail_rendering(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("MOCKEXAM_CACHE_DIR", str(blocker / "cache"))
    _math_svg.cache_clear()
    assert "<svg" in _math_svg(r"\frac{1}{2}", False)


def test_cached_formulas_are_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("MOCKEXAM_CACHE_DIR", str(tmp_path))
    _math_svg.cache_clear()
    first = _math_svg(r"\sqrt{d_k}", False)
    assert list((tmp_path / "math").rglob("*.txt"))
    _math_svg.cache_clear()
    assert _math_svg(r"\sqrt{d_k}", False) == first
