"""Property tests for the report machinery's pure parts: safe file names, parameter injection."""
from __future__ import annotations

import ast
import os

from hypothesis import given, settings
from hypothesis import strategies as st

from perfeval.report.execute import register_readable_translator, validate_parameters
from perfeval.report.storage import MAX_STEM_BYTES, safe_stem

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.text(alphabet="绩效评价项目", min_size=40, max_size=120))
def test_safe_stem_is_a_plain_file_name_inside_the_folder(raw):
    stem = safe_stem(raw)
    assert stem and len(stem.encode("utf-8", "surrogatepass")) <= MAX_STEM_BYTES + 9
    assert os.path.basename(stem) == stem and stem not in (".", "..")
    assert not stem.startswith(".") and ".." not in stem
    assert not any(ch in stem for ch in '/\\\x00\n\r\t:*?"<>|')
    assert safe_stem(raw) == stem


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_different_ids_never_share_a_file_name(a, b):
    if a != b and safe_stem(a) == safe_stem(b):
        # Only possible when unicode normalisation makes the two ids the same text.
        import unicodedata

        assert unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_injected_values_are_python_literals_that_round_trip(value):
    from papermill.translators import papermill_translators

    register_readable_translator()
    translator = papermill_translators.find_translator("python", "python")
    clean = validate_parameters({"value": value})["value"]
    assert ast.literal_eval(translator.translate(clean)) == clean


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="测试项目编号示例市教育局（）《》“”、，。abc", min_size=1, max_size=30))
def test_chinese_text_is_injected_as_itself_not_as_escapes(text):
    from papermill.translators import papermill_translators

    register_readable_translator()
    source = papermill_translators.find_translator("python", "python").translate(text)
    assert text in source and "\\u" not in source
