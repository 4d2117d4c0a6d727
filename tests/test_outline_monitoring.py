"""The monitoring dashboard's content without a kernel (perfeval.outline.monitoring)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from perfeval.outline import build_monitoring_report

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
STORY = json.loads((SAMPLE / "story.json").read_text(encoding="utf-8"))["monitoring"]


@pytest.fixture(scope="module")
def november():
    return build_monitoring_report(SAMPLE, "2021-11")


def test_every_section_has_content_and_money_in_wan(november):
    r = november
    assert r.title == "示例市2021年11月底绩效运行监控情况"
    dept = r.department_table()
    assert dept["项目数"].sum() == 187 and dept["红灯"].sum() == 5
    assert float(dept["预算数（万元）"].str.replace(",", "").astype(float).sum()) == pytest.approx(273_581.00, abs=0.05)
    table, text = r.reminders()
    assert len(table) == len(STORY["june_lagging"]) and "11月底预警" in table.columns
    table, text = r.watch()
    assert len(table) == 4 and "仍为零支出的 0 个" in text
    table, text = r.recovery()
    assert set(r.led.forecast.recovery["project_id"]) <= set(STORY["recovered"]) and "建议收回 4 个项目" in text
    assert all(c.endswith(("（万元）", "率", "名称", "部门")) for c in table.columns)
    table, text = r.dual()
    assert len(table) == 6 and "明显偏离的 6 个" in text
    assert r.backtest_table()["预测方法"].iloc[0] == "剩余进度法（采用）"


def test_the_curve_knows_only_the_months_to_date_and_ends_at_the_forecast(november):
    c = november.curve()
    assert c["rate"].iloc[:11].notna().all() and np.isnan(c["rate"].iloc[11])
    end = november.led.forecast.table["forecast_spent"].sum() / november.led.forecast.table["budget"].sum()
    assert c["forecast"].iloc[-1] == pytest.approx(end)
    assert c["forecast"].iloc[10] == pytest.approx(c["rate"].iloc[10])
    np.testing.assert_allclose(c["schedule"], np.arange(1, 13) / 12)


def test_before_the_checkpoints_the_lists_are_sentences():
    r = build_monitoring_report(SAMPLE, "2021-03")
    for section in (r.reminders, r.watch, r.recovery):
        table, text = section()
        assert table.empty and text.startswith("截至2021年3月底，尚未到")
    table, text = r.dual()
    assert table.empty and "暂不开展双监控" in text


def test_the_forecast_text_states_the_backtest_of_the_proposals(november):
    text = "".join(november.forecast_text())
    # November does not know December's payments: the proposals are not backtested, the forecast is on history
    assert "截至11月底，本年度尚无全年实际支付，收回建议尚无法回测" in text and "未多收回" not in text
    assert "历史年度逐年回测" in text and "本年度全年实际支付" not in text       # which backtest it is
    settings = dict(zip(*november.settings_table().to_dict("list").values()))
    assert "收回建议回测" in settings and "不保证" in settings["收回建议"]
    december = "".join(build_monitoring_report(SAMPLE, "2021-12").forecast_text())
    assert "12月底的收回建议涉及 7 个项目" in december and "未多收回" in december   # against the year's payments
    assert "本年度全年实际支付" in december and "未按历史年度逐年回测" in december


def test_the_watch_wording_follows_the_checkpoint_month():
    from perfeval.monitor import Checkpoint
    from perfeval.monitor.ledger import at
    from perfeval.outline.monitoring import MonitoringReport

    led = at(SAMPLE, "2021-11", checkpoints=(Checkpoint(6, 0.8, "remind"), Checkpoint(9, 0.0, "watch")))
    table, text = MonitoringReport(led=led, city="示例市").watch()
    assert text.startswith("9月底仍未破零的项目") and "10月底" not in text
