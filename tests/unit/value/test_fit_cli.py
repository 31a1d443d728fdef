"""`make clv-fit`: one JSON object with the published CDNOW figures; a bad file is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.value.fit_cli import main

from .conftest import CDNOW


def test_given_the_cdnow_summary_when_fitted_then_one_json_object_with_the_papers_figures(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main([str(CDNOW / "cdnow_summary.csv")])

    printed = json.loads(capsys.readouterr().out)
    assert code == 0
    bg, gg = printed["bgnbd"], printed["gamma_gamma"]
    assert set(bg) == {"r", "alpha", "a", "b", "log_likelihood"}
    assert [f"{bg[k]:.3g}" for k in ("r", "alpha", "a", "b")] == ["0.243", "4.41", "0.793", "2.43"]
    assert f"{bg['log_likelihood']:.1f}" == "-9582.4"
    assert [f"{gg[k]:.3g}" for k in ("p", "q", "gamma")] == ["6.25", "3.74", "15.4"]


def test_given_a_file_without_lifetimes_columns_when_fitted_then_it_exits_1_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "summary.csv"
    bad.write_text("ID,x,t_x,T,zbar\n1,2,30.43,38.86,22.35\n")

    assert main([str(bad)]) == 1
    assert "customer_id, frequency, recency, T, monetary_value" in capsys.readouterr().err
