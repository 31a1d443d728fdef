"""Search terms of Chinese and English texts: tables of texts and the terms they give."""

from __future__ import annotations

import pytest

from chalicelib.knowledge.tokens import english_term, has_chinese, terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Exporting customers", ["export", "custom"]),
        ("How do I export my customers?", ["export", "custom"]),
        ("The invoices", ["invoic"]),
        ("Error 503 on login", ["error", "503", "login"]),
        ("Call 13800138000", ["call"]),  # long numbers (phones) are not terms
        ("ＶＰＮ　Ｅｒｒｏｒ", ["vpn", "error"]),  # full-width letters become ASCII
        ("a b c", []),
        ("", []),
        ("wi-fi_setup.v2", ["wi-fi_setup.v2"]),
    ],
)
def test_given_an_english_text_then_its_terms_are_stemmed_without_stop_words(
    text: str, expected: list[str]
) -> None:
    assert terms(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("打印机无法打印", ["打印", "印机", "打印机", "无法", "打印"]),
        ("请问怎么导出客户数据", ["导出", "客户", "数据"]),
        ("设备离线了吗？", ["设备", "离线"]),
        ("固件升级失败 error 503", ["固件", "升级", "失败", "error", "503"]),
        ("VPN连不上", ["vpn", "连不上"]),
    ],
)
def test_given_a_chinese_text_then_jieba_cuts_it_for_search_and_drops_filler(
    text: str, expected: list[str]
) -> None:
    assert terms(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("the", None), ("x", None), ("404", "404"), ("1234567", None), ("batteries", "batteri")],
)
def test_given_an_english_word_then_its_term(word: str, expected: str | None) -> None:
    assert english_term(word) == expected


def test_given_mixed_scripts_then_chinese_is_detected_by_its_characters() -> None:
    assert has_chinese("VPN连不上")
    assert not has_chinese("VPN is down")
