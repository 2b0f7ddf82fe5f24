"""The error hierarchy: one root, one base per module, input errors are ValueErrors."""

from __future__ import annotations

import inspect
import re
from importlib import metadata

import awscore
from awscore import errors

MODULE_BASES = {
    "SigV4Error",
    "KinesisError",
    "QuorumError",
    "AutoScalingError",
    "CfnInitError",
    "CodeArtifactError",
    "K8sDnsError",
    "VpnError",
}


def _error_classes() -> list[type[BaseException]]:
    return [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
    ]


def test_every_error_derives_from_awscore_error() -> None:
    classes = _error_classes()
    assert len(classes) > len(MODULE_BASES)
    for cls in classes:
        assert issubclass(cls, errors.AwsCoreError), cls


def test_every_public_error_is_exported() -> None:
    names = {cls.__name__ for cls in _error_classes()}
    assert names == set(errors.__all__)


def test_each_module_has_its_base_directly_under_the_root() -> None:
    for name in MODULE_BASES:
        cls = getattr(errors, name)
        assert cls.__bases__ == (errors.AwsCoreError,), name


def test_input_errors_are_value_errors() -> None:
    assert issubclass(errors.InvalidHeaderError, ValueError)
    assert issubclass(errors.InvalidHeaderError, errors.SigV4Error)


def test_root_is_reexported() -> None:
    assert awscore.AwsCoreError is errors.AwsCoreError


def test_version_matches_the_installed_metadata() -> None:
    """``awscore.__version__`` and the distribution's version are one number."""
    assert awscore.__version__ == metadata.version("awscore")
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+|\.dev\d+)?", awscore.__version__)


def test_input_errors_that_list_problems_share_one_base() -> None:
    """Every module's multi-problem input error is an InvalidInputError whose
    message joins its problems; VpnInputError takes them as arguments."""
    for cls in (
        errors.QuorumInputError,
        errors.AutoScalingInputError,
        errors.CfnInitInputError,
        errors.CodeArtifactInputError,
        errors.K8sDnsInputError,
    ):
        error = cls(["first", "second"])
        assert isinstance(error, errors.InvalidInputError)
        assert isinstance(error, ValueError)
        assert error.problems == ("first", "second")
        assert str(error) == "first; second"
    vpn = errors.VpnInputError("first", "second")
    assert isinstance(vpn, errors.InvalidInputError)
    assert vpn.problems == ("first", "second")
    assert str(vpn) == "first; second"
