"""Fixtures of the assignment tests: the digits split the references train on."""
from __future__ import annotations

import pytest

from tinybackprop.data import load_digits, standardize, train_test_split


@pytest.fixture(scope="session")
def digits():
    """Standardized digits in a seeded 80/20 split: (X_train, X_val, y_train, y_val)."""
    X, y = load_digits()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, seed=0)
    X_train, X_val = standardize(X_train, X_val)
    return X_train, X_val, y_train, y_val
