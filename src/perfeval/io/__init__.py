"""Readers and writers of the official forms (项目支出绩效自评表, 绩效目标申报表).

``read_self_evaluation(path)`` reads every form in an .xlsx workbook (or one .csv) into
:class:`SelfEvaluationForm` objects; ``forms_to_frames(forms)`` gives the tidy (rows, budget)
frames scoring consumes; ``write_self_evaluation(forms, path)`` writes them back in the MOF
layout; ``write_template(system_frame, path)`` gives a blank form for an indicator system.
"""
from .selfeval_model import SelfEvaluationForm, forms_to_frames
from .selfeval_reader import read_self_evaluation
from .selfeval_writer import write_self_evaluation, write_template

__all__ = ["SelfEvaluationForm", "read_self_evaluation", "forms_to_frames", "write_self_evaluation",
           "write_template"]
