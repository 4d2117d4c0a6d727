"""The answer to a training exercise: a small immutable Feedback that shows itself in Jupyter.

A feedback says, in Chinese, what in the participant's answer is right, what is wrong and why,
and what is still missing — never the answer itself unless the trainer asks for it (``reveal``).
``status`` is one of ``ok`` (all right), ``partial`` (some right), ``wrong`` (nothing right yet)
and ``empty`` (no answer given: the placeholder is still there).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

STATUS_LABELS = {"ok": "✔ 正确", "partial": "◐ 部分正确", "wrong": "✘ 还不对", "empty": "… 尚未作答"}
STATUS_COLOURS = {"ok": "#1a7f37", "partial": "#9a6700", "wrong": "#cf222e", "empty": "#57606a"}
_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|"


@dataclass(frozen=True)
class Feedback:
    """Feedback on one answer: ``ok`` is True only when everything is right."""

    exercise_id: str
    title: str
    status: str
    message: str
    right: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    solution: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def __bool__(self) -> bool:
        return self.ok

    def lines(self) -> list[str]:
        """The feedback as plain Chinese lines (headline, then right / wrong / hints / solution)."""
        out = [f"{STATUS_LABELS[self.status]}｜{self.title}（{self.exercise_id}）：{self.message}"]
        out += [f"  ✔ {t}" for t in self.right]
        out += [f"  ✘ {t}" for t in self.wrong]
        out += [f"  提示：{t}" for t in self.hints]
        if self.solution is not None:
            out.append(f"  参考答案：{self.solution}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = STATUS_COLOURS[self.status]
        parts = [f'<div class="perfeval-feedback" data-status="{self.status}" style="border-left:4px solid {colour};'
                 f'padding:4px 10px;margin:4px 0">',
                 f'<b style="color:{colour}">{escape(STATUS_LABELS[self.status])}</b>｜{escape(self.title)}'
                 f'（{escape(self.exercise_id)}）：{escape(self.message)}']
        for mark, items in (("✔", self.right), ("✘", self.wrong), ("提示：", self.hints)):
            if items:
                parts.append("<ul>" + "".join(f"<li>{escape(mark)} {escape(t)}</li>" for t in items) + "</ul>")
        if self.solution is not None:
            parts.append(f"<p><b>参考答案：</b>{escape(self.solution)}</p>")
        return "".join(parts) + "</div>"

    def _repr_markdown_(self) -> str:
        def md(text: str) -> str:
            return "".join("\\" + c if c in _MD_SPECIAL else c for c in escape(text, quote=False))
        out = [f"**{md(STATUS_LABELS[self.status])}**｜{md(self.title)}（{md(self.exercise_id)}）：{md(self.message)}", ""]
        out += [f"- ✔ {md(t)}" for t in self.right] + [f"- ✘ {md(t)}" for t in self.wrong]
        out += [f"- 提示：{md(t)}" for t in self.hints]
        if self.solution is not None:
            out.append(f"\n**参考答案：**{md(self.solution)}")
        return "\n".join(out)


def verdict(exercise_id: str, title: str, right, wrong, hints=(), solution=None, *, done: str = "全部正确。",
            ) -> Feedback:
    """A Feedback from the lists of right and wrong points: ok when nothing is wrong."""
    right, wrong = tuple(right), tuple(wrong)
    if not wrong:
        status, message = "ok", done
    elif right:
        status, message = "partial", f"{len(right)} 处正确，{len(wrong)} 处还需要修改。"
    else:
        status, message = "wrong", f"{len(wrong)} 处还需要修改，请看下面的说明。"
    return Feedback(exercise_id, title, status, message, right, wrong, tuple(hints), solution)


def empty(exercise_id: str, title: str, what: str, solution=None) -> Feedback:
    return Feedback(exercise_id, title, "empty", f"还没有填写答案：{what}", solution=solution)


__all__ = ["Feedback", "STATUS_LABELS", "empty", "verdict"]
