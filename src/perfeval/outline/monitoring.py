"""The monitoring dashboard (绩效运行监控情况): lights, schedule, ledgers, forecast, 双监控.

一、总体情况 (the city's execution against the schedule, lights per department, a chart) ·
二、累计执行与序时进度 (a chart of the months so far and the forecast path) · 三、提醒名单 ·
四、重点关注台账 · 五、直达资金重点监控 · 六、年底执行预测与收回建议 (the forecast, its backtest on
this year's actual year end — or, mid-year, on the history years — the recovery proposals and their
own backtest: how much would have been recovered and then spent) · 七、双监控 · 附录 (监控设置, 输入文件:
the part of each file the as-of view used, hashed). Everything comes from the data as known at the
as-of month (:mod:`perfeval.monitor.view`).
``build_monitoring_report(data_dir, as_of)`` computes it with :func:`perfeval.monitor.at`; every
table is money in 万元 and rates as percentages, an empty list is a sentence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import display as fmt

TITLE = "绩效运行监控情况"
METHOD_NAMES = {"remaining": "剩余进度法", "ratio": "比例外推法", "straight-line": "序时外推法"}


@dataclass
class MonitoringReport:
    led: object          # monitor.Ledgers
    city: str
    absent: dict = field(default_factory=dict)  # input key → the sentence said instead of a conclusion from nothing

    @property
    def title(self) -> str:
        return f"{self.city}{self.led.label}{TITLE}"

    # 一、总体情况 ------------------------------------------------------------------------
    def overview(self) -> list[str]:
        st = self.led.status
        lines = [st.summary()] + [x for x in [getattr(self.led, "coverage_note", None)] if x]
        red = st.departments[st.departments["n_red"] > 0]
        if len(red):
            lines.append(f"有红灯项目的部门 {len(red)} 个，红灯项目共 {int(red['n_red'].sum())} 个，"
                         "按规定须分析原因、限期整改")
        return [fmt.sentence(x) for x in lines]

    def department_table(self) -> pd.DataFrame:
        d = self.led.status.departments.sort_values(["n_red", "n_yellow", "budget"], ascending=False, kind="stable")
        return pd.DataFrame({"主管部门": d["department"], "项目数": d["n_projects"].astype(int),
                             "预算数（万元）": d["budget"].map(fmt.wan), "累计支付（万元）": d["spent"].map(fmt.wan),
                             "执行率": d["rate"].map(fmt.pct), "进度比": d["progress"].map(fmt.pct),
                             "部门预警": d["light"], "红灯": d["n_red"].astype(int), "黄灯": d["n_yellow"].astype(int),
                             "绿灯": d["n_green"].astype(int), "直达资金项目": d["n_direct"].astype(int)})

    def light_counts(self) -> pd.DataFrame:
        return self.led.status.light_counts("department")

    # 二、累计执行与序时进度 ----------------------------------------------------------------
    def curve(self) -> pd.DataFrame:
        """month, rate (city-wide cumulative execution), schedule, forecast (linear path to the forecast)."""
        st, fc = self.led.status, self.led.forecast
        total = float(st.projects["budget"].sum())
        m = np.arange(1, 13)
        rate = np.cumsum(np.asarray(self.led.monthly, dtype=float)) / total
        end = float(fc.table["forecast_spent"].sum() / total)
        now = rate[st.month - 1]
        forecast = np.where(m >= st.month, now + (end - now) * (m - st.month) / max(12 - st.month, 1), np.nan)
        rate = np.where(m <= st.month, rate, np.nan)
        return pd.DataFrame({"month": m, "rate": rate, "schedule": st.settings.time_shares(), "forecast": forecast})

    def curve_text(self) -> str:
        c = self.curve()
        c.loc[c["month"] > self.led.month, "rate"] = np.nan  # the months after the date are not known yet
        st = self.led.status
        ahead = "快于" if c["rate"].iloc[st.month - 1] >= c["schedule"].iloc[st.month - 1] else "慢于"
        return fmt.sentence(f"截至{st.label}，全市累计执行率 {fmt.pct(st.city['rate'])}，{ahead}序时进度 "
                            f"{fmt.pct(st.time_share)}，进度比 {fmt.pct(st.city['progress'])}（{st.city['light']}）；"
                            f"按{METHOD_NAMES[self.led.forecast.settings.method]}预计年底执行率 "
                            f"{fmt.pct(c['forecast'].iloc[-1])}")

    # 三、四、五 ledgers -------------------------------------------------------------------
    def reminders(self) -> tuple[pd.DataFrame, str]:
        led = self.led
        pending = led.pending("remind")
        r = led.reminders
        if pending or r.empty:
            return pd.DataFrame(), pending or "提醒节点没有进度比低于下限的项目"
        text = (f"{int(r['month'].iloc[0])}月底进度比低于 {fmt.pct(r['min_progress'].iloc[0], 0)} 的项目 {len(r)} 个，"
                f"预算 {fmt.wan_text(r['budget'].sum())}，已提醒单位加快资金支付进度")
        node = int(r["month"].iloc[0])
        table = pd.DataFrame({"项目名称": r["project_name"], "主管部门": r["department"],
                              "直达资金": np.where(r["direct_funds"], "是", ""), "预算数（万元）": r["budget"].map(fmt.wan),
                              f"{node}月底累计支付（万元）": r["cumulative"].map(fmt.wan),
                              f"{node}月底进度比": r["progress"].map(fmt.pct)})
        if led.month > node:
            table[f"{led.month}月底执行率"] = r["rate_now"].map(fmt.pct).to_numpy()
            table[f"{led.month}月底预警"] = r["light_now"].to_numpy()
        return table, text

    def watch(self) -> tuple[pd.DataFrame, str]:
        led = self.led
        pending = led.pending("watch")
        w = led.watch
        if pending or w.empty:
            return pd.DataFrame(), pending or f"{led.node('watch')}月底没有仍未破零的项目"
        still = int((w["cumulative_now"] <= 0).sum())
        text = f"{int(w['month'].iloc[0])}月底仍未破零的项目 {len(w)} 个，预算 {fmt.wan_text(w['budget'].sum())}，已列入重点关注台账"
        if led.month > int(w["month"].iloc[0]):
            text += f"；截至{led.label}仍为零支出的 {still} 个"
        return pd.DataFrame({"项目名称": w["project_name"], "主管部门": w["department"],
                             "直达资金": np.where(w["direct_funds"], "是", ""), "预算数（万元）": w["budget"].map(fmt.wan),
                             f"截至{led.month}月底累计支付（万元）": w["cumulative_now"].map(fmt.wan),
                             "预计年底执行率": w["forecast_rate"].map(fmt.pct)}), text

    def direct(self) -> tuple[pd.DataFrame, str]:
        st = self.led.status
        p = st.projects
        n = int(p["direct_funds"].sum())
        u = st.unbudgeted
        extra = (f"；另有无预算有支出的项目 {len(u)} 个、支出 {fmt.wan_text(u['spent'].sum())}，列为重点监控，"
                 "其支出未计入执行率" if len(u) else "")
        w = st.closer_watch
        table = pd.DataFrame({"项目名称": w["project_name"], "主管部门": w["department"],
                              "预算数（万元）": w["budget"].map(fmt.wan), "累计支付（万元）": w["spent"].map(fmt.wan),
                              "执行率": w["rate"].map(fmt.pct), "进度比": w["progress"].map(fmt.pct), "预警": w["light"],
                              "重点监控原因": w["watch_reason"]})
        if n == 0 and "direct_funds" in self.absent:  # no flags given: not "no direct funds"
            return table, self.absent["direct_funds"] + extra
        if n == 0:
            return table, "本期没有直达资金项目" + extra
        d = p[p["direct_funds"] & (p["budget"] > 0)]
        n_watch = int(p["direct_watch"].sum())
        text = (f"直达资金项目 {n} 个，预算 {fmt.wan_text(d['budget'].sum())}，执行率 "
                f"{fmt.pct(d['spent'].sum() / d['budget'].sum()) if d['budget'].sum() > 0 else '—'}；"
                + (f"未亮绿灯、列为重点监控的 {n_watch} 个" if n_watch else "均亮绿灯") + extra)
        return table, text

    # 六、预测与收回 -------------------------------------------------------------------------
    def forecast_text(self) -> list[str]:
        fc, bt = self.led.forecast, self.led.backtest
        name = METHOD_NAMES[fc.settings.method]
        lines = [fc.summary(),
                 f"预测方法为{name}：{fmt.chinese(fc.conventions()['预测方法']).split('：', 1)[1]}；月度支付进度取自"
                 f"{fc.profile.source}"]
        if bt is None:
            lines.append(self.led.backtest_note)
        else:
            lines.append(f"{self.led.backtest_note}，{name}的平均绝对误差为"
                         + "、".join(f"{m}月底 {fmt.pct(bt.mae(m))}" for m in sorted(set(bt.table["month"]))))
        if self.led.recovery_note:
            lines.append("收回建议" + self.led.recovery_note if self.led.recovery_check is not None
                         else self.led.recovery_note)
        return [fmt.sentence(x) for x in lines]

    def backtest_table(self) -> pd.DataFrame:
        if self.led.backtest is None:
            return pd.DataFrame()
        t = self.led.backtest.table
        wide = t.pivot(index="method", columns="month", values="mae").reindex(list(METHOD_NAMES)).dropna(how="all")
        out = pd.DataFrame({"预测方法": [METHOD_NAMES[m] + ("（采用）" if m == self.led.forecast.settings.method else "")
                                     for m in wide.index]})
        for m in wide.columns:
            out[f"{m}月底平均绝对误差"] = wide[m].map(fmt.pct).to_numpy()
        out["项目数"] = int(t["n"].iloc[0])
        return out

    def recovery(self) -> tuple[pd.DataFrame, str]:
        fc = self.led.forecast
        if not fc.proposes_recovery:
            return pd.DataFrame(), f"截至{self.led.label}，尚未到提出收回建议的时点（{fc.settings.recovery_from}月底起）"
        r = fc.recovery
        if r.empty:
            return pd.DataFrame(), "没有预计年底执行率明显低于下限的项目，不提出收回建议"
        text = f"建议收回 {len(r)} 个项目的预算共 {fmt.wan_text(r['proposed_recovery'].sum())}，统筹用于亟需支持的领域"
        return pd.DataFrame({"项目名称": r["project_name"], "主管部门": r["department"],
                             "年初预算数（万元）": r["budget"].map(fmt.wan), "累计支付（万元）": r["spent"].map(fmt.wan),
                             "预计年底执行率": r["forecast_rate"].map(fmt.pct),
                             "建议收回（万元）": r["proposed_recovery"].map(fmt.wan)}), text

    # 七、双监控 ------------------------------------------------------------------------------
    def dual(self) -> tuple[pd.DataFrame, str]:
        d = self.led.dual
        f = d.flagged
        return pd.DataFrame({"项目名称": f["project_name"], "主管部门": f["department"],
                             "目标完成度": f["completion"].map(fmt.pct), "资金执行率": f["rate"].map(fmt.pct),
                             "偏离说明": f["reason"]}), self.absent.get("midyear") or d.summary()

    # 附录 -----------------------------------------------------------------------------------
    def inputs_table(self) -> pd.DataFrame:
        """附录: the input files and the SHA-256 of the part of each this view used (not the whole file)."""
        return self.led.inputs_table()

    def settings_table(self) -> pd.DataFrame:
        conv = self.led.conventions()
        return pd.DataFrame({"设置": list(conv), "取值": [fmt.clause(fmt.chinese(v)) for v in conv.values()]})


def build_monitoring_report(data_dir, as_of="2021-06", city: str | None = None) -> MonitoringReport:
    """The dashboard of the data folder at ``as_of`` (see the module docstring)."""
    from ..monitor import at
    from ..settings import city_name

    from ..city.year import Year

    led = at(data_dir, as_of)
    known = Year.load(data_dir)
    absent = {k: known.absence_text(k).replace("，本节从略。", "，本节不作判断") for k in ("direct_funds", "midyear")
              if not known.has(k)}
    return MonitoringReport(led=led, city=city_name(data_dir, led.status.projects["department"], city), absent=absent)


__all__ = ["MonitoringReport", "TITLE", "build_monitoring_report"]
