"""LaTeX -> Office Math (OMML) for Word: latex2mathml gives MathML, this maps its elements to OMML.

Covers what exam formulas use (fractions, scripts, roots, accents, limits, matrices, text); anything else
raises ``Unsupported`` so the caller can write the formula as readable text instead.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
MML = "{http://www.w3.org/1998/Math/MathML}"
ET.register_namespace("m", M)


class Unsupported(ValueError):
    pass


def _m(tag: str, **attrs: str) -> ET.Element:
    return ET.Element(f"{{{M}}}{tag}", {f"{{{M}}}{k}": v for k, v in attrs.items()})


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    element = _m(tag, **attrs)
    parent.append(element)
    return element


def _run(text: str, plain: bool = False) -> ET.Element:
    run = _m("r")
    if plain:
        _sub(_sub(run, "rPr"), "sty", val="p")
    t = _sub(run, "t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _into(parent: ET.Element, tag: str, node: ET.Element) -> None:
    holder = _sub(parent, tag)
    holder.extend(_convert(node))


def _convert(node: ET.Element) -> list[ET.Element]:
    tag = node.tag.replace(MML, "")
    children = list(node)
    if tag in ("math", "mrow", "mstyle", "mpadded", "semantics", "mtd"):
        return [out for child in children for out in _convert(child)]
    if tag in ("mi", "mn", "mo"):
        return [_run(node.text or "", plain=tag != "mi" or len(node.text or "") > 1)]
    if tag == "mtext":
        return [_run(node.text or "", plain=True)]
    if tag in ("mspace", "none", "annotation"):
        return []
    if tag == "mfrac":
        fraction = _m("f")
        _into(fraction, "num", children[0])
        _into(fraction, "den", children[1])
        return [fraction]
    if tag in ("msup", "msub", "msubsup"):
        name = {"msup": "sSup", "msub": "sSub", "msubsup": "sSubSup"}[tag]
        script = _m(name)
        _into(script, "e", children[0])
        parts = {"msup": ["sup"], "msub": ["sub"], "msubsup": ["sub", "sup"]}[tag]
        for part, child in zip(parts, children[1:]):
            _into(script, part, child)
        return [script]
    if tag == "msqrt":
        radical = _m("rad")
        _sub(_sub(radical, "radPr"), "degHide", val="1")
        _sub(radical, "deg")
        holder = _sub(radical, "e")
        holder.extend(out for child in children for out in _convert(child))
        return [radical]
    if tag == "mroot":
        radical = _m("rad")
        _into(radical, "deg", children[1])
        _into(radical, "e", children[0])
        return [radical]
    if tag == "mover" and node.get("accent") == "true" and children[1].tag == f"{MML}mo":
        accent = _m("acc")
        _sub(_sub(accent, "accPr"), "chr", val=children[1].text or "^")
        _into(accent, "e", children[0])
        return [accent]
    if tag in ("mover", "munder"):
        limit = _m("limUpp" if tag == "mover" else "limLow")
        _into(limit, "e", children[0])
        _into(limit, "lim", children[1])
        return [limit]
    if tag == "munderover":
        upper, lower = _m("limUpp"), _m("limLow")
        _into(lower, "e", children[0])
        _into(lower, "lim", children[1])
        _sub(upper, "e").append(lower)
        _into(upper, "lim", children[2])
        return [upper]
    if tag == "mtable":
        matrix = _m("m")
        for row in children:
            matrix_row = _sub(matrix, "mr")
            for cell in row:
                _into(matrix_row, "e", cell)
        return [matrix]
    raise Unsupported(tag)


def latex_to_omml(latex: str) -> ET.Element:
    """An ``m:oMath`` element for ``latex``; raises ``Unsupported`` for what cannot be mapped."""
    from latex2mathml.converter import convert

    try:
        mathml = ET.fromstring(convert(latex))
    except Exception as error:  # noqa: BLE001 - latex2mathml raises many kinds for LaTeX it does not know
        raise Unsupported(str(error)) from None
    math = _m("oMath")
    math.extend(_convert(mathml))
    return math
