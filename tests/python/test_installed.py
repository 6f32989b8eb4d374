"""Checks that apply to an installed wheel (run by tests/python/wheel_venv_test.sh): the
package and its extension come from the virtual environment, and nothing from the source or
build tree is loaded."""

import os
from pathlib import Path

import pytest

import tokwise
from tokwise import _core

EXPECT = os.environ.get("TOKWISE_EXPECT_INSTALLED_IN")
pytestmark = pytest.mark.skipif(not EXPECT, reason="only when testing an installed wheel")


def test_runs_from_the_installed_wheel():
    venv = Path(EXPECT).resolve()
    assert venv in Path(tokwise.__file__).resolve().parents
    assert venv in Path(_core.__file__).resolve().parents
    assert Path(_core.__file__).with_name("_core.pyi").exists()
    assert Path(_core.__file__).with_name("py.typed").exists()
    # Every shared object mapped into this process: none from the trees the wheel came from.
    maps = Path("/proc/self/maps").read_text()
    for forbidden in os.environ["TOKWISE_FORBIDDEN_PATHS"].split(os.pathsep):
        assert forbidden not in maps, forbidden
    assert tokwise.get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
