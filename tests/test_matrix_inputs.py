"""Shared inputs of the weighting and multi-criteria methods: labels are never matched by position."""
import pandas as pd
import pytest

from perfeval._matrix import as_weights, parse_types
from perfeval.errors import InputError
from perfeval.methods import topsis


def test_weights_with_other_labels_are_an_error_not_a_positional_match():
    X = pd.DataFrame({"A": [1, 2, 3], "B": [10, 30, 20]}, index=["p1", "p2", "p3"])
    with pytest.raises(InputError, match="a"):
        topsis(X, weights={"B": 0.9, "a": 0.1})
    ok = topsis(X, weights={"B": 0.9, "A": 0.1}).closeness
    assert ok.idxmax() == "p2"
    assert as_weights(pd.Series([1.0, 3.0]), ["A", "B"]).values.tolist() == [0.25, 0.75]


def test_types_naming_an_unknown_criterion_are_an_error():
    with pytest.raises(InputError, match="unknown criteria"):
        parse_types({"b": "min"}, ["A", "B"])
    assert parse_types({"B": "min"}, ["A", "B"]).tolist() == [1, -1]
