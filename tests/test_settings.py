"""A city's own settings (city.yaml): its name and issuer reach the reports; bad settings are clear errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfeval import settings
from perfeval.errors import InputError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def test_a_folder_without_settings_has_the_defaults(tmp_path):
    s = settings.load(tmp_path)
    assert s == settings.CitySettings() and s.file is None and s.money_unit == "万元" and s.score_basis == "reviewed"
    assert settings.city_name(tmp_path, ["示例市教育局", "示例市财政局"]) == "示例市"
    assert settings.city_name(tmp_path, ["教育局"]) == "本市"


def test_settings_are_read_and_named(tmp_path):
    (tmp_path / "city.yaml").write_text("city: 青山市\nyear: '2023'\nbureau: 青山市财政局\nscore_basis: self\n",
                                        encoding="utf-8")
    s = settings.load(tmp_path)
    assert (s.city, s.year, s.bureau, s.issued_by, s.score_basis) == ("青山市", 2023, "青山市财政局", "青山市财政局", "self")
    assert settings.city_name(tmp_path, ["示例市教育局"]) == "青山市"
    assert settings.city_name(tmp_path, ["示例市教育局"], given="别的市") == "别的市"
    assert s.describe()["城市名称"] == "青山市"


@pytest.mark.parametrize("text, key, found", [
    ("citty: 青山市\n", "citty", "citty"),
    ("year: 二〇二一\n", "year", "二〇二一"),
    ("year: 21\n", "year", "21"),
    ("money_unit: 元\n", "money_unit", "元"),
    ("score_basis: 随便\n", "score_basis", "随便"),
    ("report_date: '2022-13-40'\n", "report_date", "2022-13-40"),
    ("report_date: 2022-13-40\n", None, "month"),
    ("report_date: 明年三月\n", "report_date", "明年三月"),
    ("- city\n- 青山市\n", None, "list"),
    ("city: [unclosed\n", None, None),
])
def test_bad_settings_name_the_file_and_the_key(tmp_path, text, key, found):
    (tmp_path / "city.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        settings.load(tmp_path)
    message = str(err.value)
    assert "city.yaml" in message
    if key:
        assert key in message
    if found:
        assert found in message


def test_the_report_date_is_read_as_a_date_and_printed_in_chinese(tmp_path):
    (tmp_path / "city.yaml").write_text("report_date: 2022-03-31\n", encoding="utf-8")
    s = settings.load(tmp_path)
    assert s.report_date == "2022-03-31" and s.date_text == "2022年3月31日"
    assert s.describe()["报告日期"] == "2022-03-31"
    assert settings.CitySettings().date_text is None


def test_the_city_name_reaches_the_city_wide_reports(tmp_path):
    """A bureau's folder with city.yaml: the portfolio and the disclosure never say 示例市 in their titles."""
    from perfeval.disclose import disclose
    from perfeval.disclose.tables import DisclosureRules
    from perfeval.outline.city import build_city_report

    data = tmp_path / "city"
    shutil.copytree(SAMPLE, data)
    (data / "city.yaml").write_text("city: 青山市\n", encoding="utf-8")
    assert build_city_report(data).title.startswith("青山市")
    assert disclose(data, rules=DisclosureRules(goals=False)).title.startswith("青山市")
