"""Pure parts of rendering: two-column pagination, Korean word joining, choice layout."""

from __future__ import annotations

import random

from generator.render.common import add_points, choice_columns
from generator.render.paginate import Block, pages, paginate
from generator.render.text import WJ, keep_words


def cap(first: float = 100, rest: float = 200):
    return lambda column: first if column < 2 else rest


def keys(columns):
    return [[placed.key for placed in column] for column in columns]


def test_blocks_fill_columns_in_order_without_splitting():
    blocks = [Block(((f"q{i}", 40.0),), gap=5) for i in range(8)]
    columns = paginate(blocks, cap())
    assert keys(columns) == [["q0", "q1"], ["q2", "q3"], ["q4", "q5", "q6", "q7"]]
    assert columns[0][0].gap == 0 and columns[0][1].gap == 5  # no gap at the top of a column


def test_question_moves_whole_to_the_next_column():
    blocks = [Block((("a", 70.0),)), Block((("b1", 20.0), ("b2", 20.0)))]
    assert keys(paginate(blocks, cap())) == [["a"], ["b1", "b2"]]


def test_heading_stays_with_the_next_question():
    blocks = [Block((("a", 80.0),)), Block((("head", 15.0),), keep_with_next=True), Block((("b", 30.0),))]
    assert keys(paginate(blocks, cap())) == [["a"], ["head", "b"]]


def test_question_taller_than_a_column_is_split_between_pieces():
    tall = Block(tuple((f"p{i}", 30.0) for i in range(5)))
    columns = paginate([Block((("a", 20.0),)), tall], cap(first=100, rest=100))
    assert keys(columns) == [["a", "p0", "p1"], ["p2", "p3", "p4"]]


def test_a_piece_taller_than_any_column_still_gets_placed():
    columns = paginate([Block((("huge", 500.0),)), Block((("b", 10.0),))], cap())
    assert keys(columns) == [["huge"], ["b"]]


def test_every_piece_is_placed_once_and_columns_never_overflow():
    rng = random.Random(1)
    for _ in range(200):
        blocks = [Block(tuple((f"{b}-{p}", rng.uniform(5, 60)) for p in range(rng.randint(1, 4))),
                        gap=rng.choice([0, 8]), keep_with_next=rng.random() < 0.1) for b in range(rng.randint(1, 40))]
        heights = {k: h for block in blocks for k, h in block.pieces}
        columns = paginate(blocks, cap(150, 250))
        placed = [p.key for column in columns for p in column]
        assert placed == [k for block in blocks for k, _ in block.pieces]
        for index, column in enumerate(columns):
            used = sum(p.gap + heights[p.key] for p in column)
            assert used <= cap(150, 250)(index) + 1e-9 or len(column) == 1


def test_order_does_not_change_the_amount_of_work():
    """Linear: pagination cost depends on piece count, not on the question order (no balancing passes)."""
    rng = random.Random(2)
    blocks = [Block(((f"q{i}", rng.uniform(20, 120)),), gap=8) for i in range(40)]
    for _ in range(20):
        rng.shuffle(blocks)
        columns = paginate(blocks, cap(180, 260))
        assert sum(len(c) for c in columns) == 40


def test_pages_group_two_columns():
    assert pages([[1], [2], [3]]) == [[[1], [2]], [[3], []]]


def test_keep_words_joins_hangul_only_in_text():
    html = '<p class="x">Transformer의 구조는? <code>가나 다</code> [3점]</p><svg><text>가나</text></svg>'
    out = keep_words(html)
    assert f"Transformer{WJ}의 구{WJ}조{WJ}는{WJ}?" in out
    assert "<code>가나 다</code>" in out and "<svg><text>가나</text></svg>" in out
    assert f"[3{WJ}점{WJ}]" in out
    assert 'class="x"' in out and out.replace(WJ, "") == html


def test_keep_words_skips_pre_blocks_and_entities():
    html = "<pre>한글 코드</pre>&lt;보 기&gt;"
    out = keep_words(html)
    assert out.startswith("<pre>한글 코드</pre>") and "&lt;" in out and "&gt;" in out


def test_choice_columns():
    assert choice_columns(("ㄱ", "ㄴ", "ㄱ, ㄷ", "ㄴ, ㄷ", "ㄱ, ㄴ, ㄷ")) == 5
    assert choice_columns(("과대적합", "과소적합", "정상 학습", "기울기 소실", "데이터 누수")) == 2
    assert choice_columns(("각 헤드는 입력 시퀀스의 일부 토큰만 참조한다.", "b", "c", "d", "e")) == 1


def test_points_go_after_the_question_sentence():
    blocks = ["<p>옳은 것은?</p>\n", '<div class="bogi">…</div>']
    assert add_points(blocks, 3)[0] == '<p>옳은 것은? <span class="pts">[3점]</span></p>'
    assert add_points(['<pre class="hl">x</pre>'], 2)[-1].startswith('<p class="pts-only">')
