"""`mockexam import`: read every input, validate every resulting question file, then write all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.bank.loader import load_taxonomy, read_yaml_file
from generator.interop import bankwrite
from generator.interop.drafts import Draft, Losses
from generator.problems import Problem, UserError, did_you_mean, display_path

READERS = {".xlsx": "spreadsheet", ".xlsm": "spreadsheet", ".csv": "spreadsheet", ".tsv": "spreadsheet",
           ".txt": "gift", ".gift": "gift", ".xml": "moodle", ".zip": "qti"}


@dataclass
class Mapping:
    """The --map file: source categories/topic names -> leaves, and spreadsheet header renames."""

    topics: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)


def read_mapping(path: Path | None, leaves: dict[str, str]) -> Mapping:
    if path is None:
        return Mapping()
    _, data = read_yaml_file(path)
    shown = display_path(path)
    unknown = set(data) - {"topics", "columns"}
    if unknown:
        raise UserError(f"{shown}: unknown section(s) {', '.join(sorted(unknown))}: the mapping file has "
                        "'topics:' (category -> leaf) and 'columns:' (your header -> ours)")
    topics = {str(k): str(v) for k, v in (data.get("topics") or {}).items()}
    bad = [(k, v) for k, v in topics.items() if v not in leaves]
    if bad:
        key, value = bad[0]
        raise UserError(f"{shown}: topics: '{key}' maps to '{value}', which is not a leaf of topics.yaml"
                        f"{did_you_mean(value, leaves)}")
    return Mapping(topics, {str(k): str(v) for k, v in (data.get("columns") or {}).items()})


def reader_for(path: Path) -> str:
    kind = READERS.get(path.suffix.lower())
    if kind == "gift" and path.suffix.lower() == ".txt" and path.name.lower().endswith((".csv.txt", ".tsv.txt")):
        kind = "spreadsheet"
    if kind is None:
        raise UserError(f"{display_path(path)}: cannot import '{path.suffix}' files: use .xlsx, .csv, "
                        ".gift/.txt (GIFT), .xml (Moodle XML or QTI) or .zip (QTI)")
    return kind


def read_drafts(path: Path, mapping: Mapping, losses: Losses) -> tuple[list[Draft], list[Problem]]:
    if not path.is_file():
        raise UserError(f"file not found: {display_path(path)}")
    kind = reader_for(path)
    if kind == "spreadsheet":
        from generator.interop.spreadsheet import read_spreadsheet

        return read_spreadsheet(path, mapping.columns, losses)
    if kind == "gift":
        from generator.interop.gift_import import read_gift

        return read_gift(path, losses)
    if kind == "qti" or _is_qti(path):
        from generator.interop.qti_import import read_qti

        return read_qti(path, losses)
    from generator.interop.moodle_import import read_moodle

    return read_moodle(path, losses)


def _is_qti(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"questestinterop" in handle.read(4096)


@dataclass
class ImportResult:
    written: list[Path]
    planned: list[bankwrite.Planned]
    losses: dict[str, Losses]  # per input file


def import_files(paths: list[Path], bank_root: Path, topic: str | None = None, mapping_path: Path | None = None,
                 dry_run: bool = False) -> ImportResult:
    """Import every file into the bank; raises UserError listing every problem, writing nothing then."""
    root = bank_root.resolve()
    taxonomy = load_taxonomy(root)
    if topic is not None and topic not in taxonomy.leaves:
        raise UserError(f"--topic: unknown topic '{topic}'{did_you_mean(topic, taxonomy.leaves)}; use a leaf of "
                        "topics.yaml such as model.training")
    mapping = read_mapping(mapping_path, taxonomy.leaves)
    drafts: list[Draft] = []
    problems: list[Problem] = []
    losses: dict[str, Losses] = {}
    for path in paths:
        file_losses = losses.setdefault(display_path(path), Losses())
        found, file_problems = read_drafts(path, mapping, file_losses)
        drafts += found
        problems += file_problems
        if not found and not file_problems:
            problems.append(Problem(display_path(path), 1, "file", "no questions found in this file"))
    everything = Losses()
    planned, plan_problems = bankwrite.plan(drafts, root, taxonomy, topic, mapping.topics, everything)
    problems += plan_problems
    problems += bankwrite.validate_planned(planned, root)
    for what, count in everything.counts.items():
        losses.setdefault("all files", Losses()).add(what, count)
    if problems:
        raise UserError(sorted(problems, key=lambda p: (p.path, p.line, str(p))))
    written = [] if dry_run else bankwrite.write_planned(planned)
    return ImportResult(written, planned, losses)
