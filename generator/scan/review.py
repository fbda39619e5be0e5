"""``review.html``: every doubtful mark, unreadable 수험번호 or 문형, and rejected page, with image crops and the
raw measurements; the teacher's decisions become lines of ``overrides.csv`` (the page writes them for you)."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from dataclasses import field as default

from generator.scan.decide import state, student_id
from generator.scan.layout import ExamLayout
from generator.scan.page import PageResult
from generator.scan.run import Override, Sheet, missing_pages

FIELD_LABEL = {"answer": "객관식", "score": "채점란 점수", "student_id": "수험번호", "form": "문형", "page": "쪽"}


@dataclass
class Item:
    kind: str  # mark | identity | page
    scan: str
    where: str
    field: str
    key: str
    read: str
    note: str
    image: bytes = b""
    image_type: str = "png"
    readings: list[tuple[str, float, float, str]] = default(default_factory=list)


def review_items(results: list[PageResult], sheets: list[Sheet], overrides: dict[tuple[str, str, str], Override],
                 layout: ExamLayout) -> list[Item]:
    items: list[Item] = []
    for sheet in sheets:
        first = sheet.first
        if first is None:
            continue
        missing = [str(page.page) for page in missing_pages(sheet, layout)]
        if missing:
            items.append(Item("identity", first.scan, first.ref.label, "page", "", "",
                              f"이 답안지({student_id(first.decisions)[0] or '수험번호 없음'})의 {', '.join(missing)}쪽을 "
                              f"읽지 못함: 그 쪽의 문항은 ?로 남음 (다시 스캔하거나 결정을 입력)",
                              first.crops.get(("student_id", ""), b"")))
        sid, doubtful = student_id(first.decisions)
        if doubtful and (first.scan, "student_id", "") not in overrides:
            items.append(Item("identity", first.scan, first.ref.label, "student_id", "", sid,
                              "수험번호 표기가 없거나 불분명함", first.crops.get(("student_id", ""), b"")))
        marked = next((d for d in first.decisions if d.field == "form"), None)
        if marked and (first.scan, "form", "") not in overrides and marked.value not in ("", sheet.form):
            items.append(Item("identity", first.scan, first.ref.label, "form", "", marked.value,
                              f"문형 표기({marked.value or '?'})가 답안지({sheet.form}형)와 다름",
                              first.crops.get(("form", ""), b"")))
    for result in results:
        if result.status == "rejected":
            items.append(Item("page", result.scan, result.ref.label, "page", "", "", result.reason,
                              result.thumbnail, "jpeg"))
        if not result.read:
            continue
        for decision in result.decisions:
            if decision.doubtful and decision.field in ("answer", "score"):
                readings = [(r.bubble.value, r.ink, r.fill, state(r)) for r in decision.readings]
                items.append(Item("mark", result.scan, result.ref.label, decision.field, decision.key,
                                  decision.value, decision.note, result.crops.get((decision.field, decision.key), b""),
                                  readings=readings))
    return items


_CSS = """
body { font-family: "mx-sans", sans-serif; margin: 24px; color: #222; max-width: 1100px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 2px solid #333; }
.item { display: flex; gap: 16px; border: 1px solid #ccc; border-radius: 6px; padding: 10px; margin: 10px 0; }
.item img { border: 1px solid #999; max-width: 420px; image-rendering: pixelated; align-self: flex-start; }
.item.page img { max-width: 240px; }
.meta { font-size: 14px; line-height: 1.6; } .meta code { background: #f2f2f2; padding: 1px 4px; }
table.m { border-collapse: collapse; font-size: 12px; margin-top: 4px; }
table.m td, table.m th { border: 1px solid #bbb; padding: 2px 6px; text-align: right; }
.marked { background: #ffe08a; } .doubtful { background: #ffb3b3; }
input.v { width: 260px; font-size: 15px; padding: 2px 4px; }
button, input, textarea { font-family: inherit; }
textarea { width: 100%; height: 160px; font-family: "mx-code", monospace; }
code { font-family: "mx-code", monospace; }
.none { color: #276; }
"""

_JS = """
const lines = () => {
  const out = ['scan,field,question,value', ...KEEP];
  document.querySelectorAll('input.v').forEach(i => {
    if (i.value.trim() !== '') out.push([i.dataset.scan, i.dataset.field, i.dataset.key, i.value.trim()].join(','));
  });
  document.getElementById('csv').value = out.join('\\n') + '\\n';
};
document.querySelectorAll('input.v').forEach(i => i.addEventListener('input', lines));
document.getElementById('save').addEventListener('click', () => {
  lines();
  const blob = new Blob(['\\ufeff' + document.getElementById('csv').value], {type: 'text/csv'});
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob); a.download = 'overrides.csv'; a.click();
});
lines();
"""


def _image(item: Item) -> str:
    if not item.image:
        return ""
    data = base64.b64encode(item.image).decode()
    return f'<img alt="" src="data:image/{item.image_type};base64,{data}">'


def _readings(item: Item) -> str:
    if not item.readings:
        return ""
    head = "".join(f"<th>{html.escape(v)}</th>" for v, *_ in item.readings)
    ink = "".join(f'<td class="{s}">{i:.2f}</td>' for _, i, _, s in item.readings)
    fill = "".join(f"<td>{f:+.2f}</td>" for _, _, f, _ in item.readings)
    return (f'<table class="m"><tr><th>칸</th>{head}</tr><tr><th>잉크 비율</th>{ink}</tr>'
            f"<tr><th>농도 차</th>{fill}</tr></table>")


def _entry(item: Item) -> str:
    e = html.escape
    what = FIELD_LABEL[item.field] + (f" {e(item.key)}번" if item.key else "")
    hint = {"answer": "답 번호 (예: 3, 없으면 비움, 둘이면 2|4)", "score": "점수 (예: 4.5)",
            "student_id": "수험번호", "form": "문형 (예: A)", "page": "ignore 로 이 쪽을 무시"}[item.field]
    box = (f'<label>결정: <input class="v" data-scan="{e(item.scan)}" data-field="{e(item.field)}" '
           f'data-key="{e(item.key)}" placeholder="{e(hint)}" title="{e(hint)}"></label>')
    read = f"읽은 값 <code>{e(item.read) or '(없음)'}</code> · " if item.kind != "page" else ""
    return (f'<div class="item {item.kind}">{_image(item)}<div class="meta"><b>{what}</b> — {e(item.note)}<br>'
            f"{read}<code>{e(item.where)}</code> · 쪽 ID <code>{e(item.scan)}</code>"
            f"{_readings(item)}<br>{box}</div></div>")


def review_html(layout: ExamLayout, results: list[PageResult], items: list[Item],
                overrides: dict[tuple[str, str, str], Override]) -> str:
    e = html.escape
    read = sum(r.status == "read" for r in results)
    sections = [("page", "읽지 못한 쪽"), ("identity", "수험번호·문형 확인"), ("mark", "불분명한 표기")]
    body = []
    for kind, title in sections:
        chosen = [item for item in items if item.kind == kind]
        body.append(f"<h2>{title} ({len(chosen)})</h2>")
        body += [_entry(item) for item in chosen] or ['<p class="none">없음</p>']
    keep = [",".join((o.scan, o.field, o.key, o.value)) for o in overrides.values()]
    page = f"""<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>{e(layout.exam_id)} 판독 검토</title>
<style>@@FONTS@@{_CSS}</style></head><body>
<h1>{e(layout.exam_id)} 답안지 판독 검토</h1>
<p>입력 {len(results)}쪽 중 {read}쪽을 읽었습니다. 검토할 항목 {len(items)}개. 적용된 수정 {len(overrides)}건.</p>
<p>각 항목의 <b>결정</b> 칸에 값을 넣고 <button id="save">overrides.csv 저장</button>을 누른 뒤, 저장된 파일을
<code>scans/overrides.csv</code>에 두고 <code>mockexam scan</code>을 다시 실행하십시오. 수정 내용은 언제나 판독 결과보다
우선합니다. 아래 상자의 내용을 직접 복사해도 됩니다.</p>
{''.join(body)}
<h2>overrides.csv</h2>
<textarea id="csv" readonly></textarea>
<script>const KEEP = {json.dumps(keep, ensure_ascii=False)};{_JS}</script>
</body></html>
"""
    from generator.render.common import font_face_css
    from generator.render.fonts import subset_sources

    return page.replace("@@FONTS@@", font_face_css(subset_sources(page)), 1)
