"""OR-Tools CP-SAT, imported without pandas.

``ortools.sat.python.cp_model`` imports pandas at module level for its optional helpers that index
variables by a ``pd.Index``, which mockexam never uses; pandas costs about a third of a second of every
build. While cp_model is imported, ``pandas`` resolves to a stand-in whose types match nothing, so those
helpers' ``isinstance`` checks are simply false; the real pandas, if installed, stays importable afterwards.
Tested with the OR-Tools range in pyproject.toml (tests/test_assemble.py solves real models).
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _Absent:
    """Stands for every pandas type while cp_model is imported: nothing is an instance of it."""


class _StandIn(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Absent


def _import_cp_model() -> types.ModuleType:
    if "ortools.sat.python.cp_model" in sys.modules or "pandas" in sys.modules:
        from ortools.sat.python import cp_model

        return cp_model
    stand_in = _StandIn("pandas")
    sys.modules["pandas"] = stand_in
    try:
        from ortools.sat.python import cp_model
    finally:
        if sys.modules.get("pandas") is stand_in:
            del sys.modules["pandas"]
    return cp_model


cp_model = _import_cp_model()
