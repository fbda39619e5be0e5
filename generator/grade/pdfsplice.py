"""Composed PDFs written by concatenation: the pieces' objects are serialised once, each file joins its share.

``compose.PageWriter`` opens the pieces PDF and copies every XObject it uses into a new pikepdf document,
which costs tens of milliseconds per file. A class writes hundreds of small files from the same pieces, so
``PieceLibrary`` turns each piece into a form XObject once, serialises it and every object it needs (fonts,
images, graphics states) once, under its number in the pieces PDF, and ``PieceLibrary.pdf`` writes a file as
those bytes, a few new objects (pages, their content streams, one resource dictionary) and a cross-reference
table whose subsections list only the objects present. Same drawing as ``PageWriter``; no template pages.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from typing import Any, Sequence

from generator.render.compose import PT_PER_MM, ComposedPage, PieceSet

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


class PieceLibrary:
    """The pieces of a ``PieceSet`` as serialised PDF objects (build once, e.g. before forking workers)."""

    def __init__(self, laid: PieceSet) -> None:
        import pikepdf

        self.page_h_mm = laid.page_h_mm
        self._objects: dict[int, bytes] = {}
        self._needs: dict[str, tuple[int, ...]] = {}  # piece key -> its XObject and every object it uses
        self._xobject: dict[str, int] = {}
        self._reach: dict[int, list[int]] = {}
        with pikepdf.open(io.BytesIO(laid.pdf_bytes)) as pdf:
            for key, index in laid.page_of.items():
                form = pdf.pages[index].as_form_xobject()
                number = form.objgen[0]
                self._xobject[key] = number
                self._needs[key] = tuple(self._collect(form, number))
            self._size = max(self._objects) + 1
        self._forms = set(self._xobject.values())

    def _collect(self, root: Any, number: int) -> list[int]:
        """Serialise indirect object ``root`` and every indirect object reachable from it; returns their
        numbers (each object's reach is remembered: pieces share their fonts)."""
        import pikepdf

        done = self._reach.get(number)
        if done is not None:
            return done
        self._reach[number] = [number]  # a reference cycle stops here
        self._objects[number] = _serialise(root)
        found = {number}
        stack = [root.stream_dict if isinstance(root, pikepdf.Stream) else root]
        while stack:
            obj = stack.pop()
            values = obj.values() if isinstance(obj, pikepdf.Dictionary) else obj
            for value in values:
                if not isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
                    continue
                child = value.objgen[0]
                if child:
                    if child not in found:
                        found.update(self._collect(value, child))
                else:
                    stack.append(value)
        self._reach[number] = sorted(found)
        return self._reach[number]

    def pdf(self, pages: Sequence[ComposedPage]) -> bytes:
        """One PDF file drawing ``pages`` (placements and raw drawing operators, as ``PageWriter.add``)."""
        k = PT_PER_MM
        keys = {placement.key for page in pages for placement in page.placements}
        used: set[int] = set().union(*(self._needs[key] for key in keys))
        contents = []
        for page in pages:
            if page.template is not None:
                raise ValueError("PieceLibrary pages cannot have a template")
            width_mm, height_mm = page.size_mm
            ops = []
            for placement in page.placements:
                number = self._xobject[placement.key]
                ty = (height_mm - placement.y_mm - self.page_h_mm[placement.key]) * k
                ops.append(f"q 1 0 0 1 {placement.x_mm * k:.3f} {ty:.3f} cm /X{number} Do Q")
            if page.drawing:
                ops.append("q 0 G 0 g")
                ops.extend(page.drawing)
                ops.append("Q")
            contents.append(zlib.compress("\n".join(ops).encode("ascii"), 6))
        numbers = sorted(used)
        body = io.BytesIO()
        body.write(HEADER)
        offsets: dict[int, int] = {}
        for number in numbers:
            offsets[number] = body.tell()
            body.write(self._objects[number])
        nxt = self._size
        resources, tree, catalog = nxt, nxt + 1, nxt + 2
        xobjects = " ".join(f"/X{n} {n} 0 R" for n in numbers if n in self._forms)

        def add(number: int, data: bytes) -> None:
            offsets[number] = body.tell()
            body.write(b"%d 0 obj\n" % number + data + b"\nendobj\n")

        add(resources, f"<< /XObject << {xobjects} >> >>".encode("ascii"))
        kids = []
        for index, (page, data) in enumerate(zip(pages, contents)):
            page_number, content_number = nxt + 3 + 2 * index, nxt + 4 + 2 * index
            kids.append(f"{page_number} 0 R")
            width, height = page.size_mm[0] * k, page.size_mm[1] * k
            add(page_number, (f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {width:.4f} {height:.4f}] "
                              f"/Resources {resources} 0 R /Contents {content_number} 0 R >>").encode("ascii"))
            add(content_number, b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        add(tree, f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode("ascii"))
        add(catalog, f"<< /Type /Catalog /Pages {tree} 0 R >>".encode("ascii"))
        xref_at = body.tell()
        size = nxt + 3 + 2 * len(pages)
        body.write(_xref(offsets))
        digest = hashlib.md5(body.getbuffer()).hexdigest()
        body.write((f"trailer\n<< /Size {size} /Root {catalog} 0 R /ID [<{digest}> <{digest}>] >>\n"
                    f"startxref\n{xref_at}\n%%EOF\n").encode("ascii"))
        return body.getvalue()


def _serialise(obj: Any) -> bytes:
    import pikepdf

    number, generation = obj.objgen
    head = b"%d %d obj\n" % (number, generation)
    if isinstance(obj, pikepdf.Stream):
        raw = obj.read_raw_bytes()
        if "/Filter" not in obj.stream_dict:  # e.g. a form XObject's content made by pikepdf
            raw = zlib.compress(raw, 6)
            obj.stream_dict.Filter = pikepdf.Name.FlateDecode
        obj.stream_dict.Length = len(raw)
        return head + obj.stream_dict.unparse() + b"\nstream\n" + raw + b"\nendstream\nendobj\n"
    return head + obj.unparse(resolved=True) + b"\nendobj\n"


def _xref(offsets: dict[int, int]) -> bytes:
    """A cross-reference table with one subsection per run of consecutive object numbers."""
    out = [b"xref\n0 1\n0000000000 65535 f \n"]
    numbers = sorted(offsets)
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        out.append(b"%d %d\n" % (numbers[start], end - start + 1))
        out.extend(b"%010d 00000 n \n" % offsets[n] for n in numbers[start:end + 1])
        start = end + 1
    return b"".join(out)
