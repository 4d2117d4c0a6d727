"""Readers and writers of the official forms (项目支出绩效自评表, 绩效目标申报表).

``read_self_evaluation(path)`` reads every form in a workbook (.xlsx, .xls, WPS .et, .ods), a Word
.docx or HTML page holding the form as a table, or a csv (UTF-8/GBK) into
:class:`SelfEvaluationForm` objects; ``forms_to_frames(forms)`` gives the tidy (rows, budget)
frames scoring consumes; ``write_self_evaluation(forms, path)`` writes them back in the MOF
layout; ``write_template(system_frame, path)`` gives a blank form for an indicator system.
``read_dept_forms(path)`` reads department-overall forms (部门整体支出绩效自评表, every layout of
dept-overall.md §4) and ``dept_forms_to_frames`` gives their (rows, money, header) frames;
``read_self_evaluation`` reads them too (as forms of the department or unit); ``read_basic_data``
reads the 基础数据表 printed with them into a long frame.
"""
import importlib

from .selfeval_model import SelfEvaluationForm, forms_to_frames
from .selfeval_reader import read_self_evaluation
from .dept_reader import DeptForm, dept_forms_to_frames, read_dept_forms
from .dept_basic_reader import read_basic_data


def __getattr__(name: str):  # the writer (openpyxl's Excel writer) only when a form is written
    if name in ("write_self_evaluation", "write_template"):
        return getattr(importlib.import_module(".selfeval_writer", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DeptForm", "dept_forms_to_frames", "read_dept_forms", "read_basic_data", "SelfEvaluationForm", "read_self_evaluation", "forms_to_frames", "write_self_evaluation",
           "write_template"]
