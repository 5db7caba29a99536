"""The pins: constraints.txt holds the tested set, versions.cfg mirrors it."""

from importlib.metadata import version
from pathlib import Path

import re


ROOT = Path(__file__).resolve().parents[2]


def read(path: Path, pattern: str) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(pattern, line.strip())
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def constraints() -> dict[str, str]:
    return read(ROOT / "constraints.txt", r"([A-Za-z0-9._-]+)==(\S+)")


def test_plone_set_is_pinned():
    pins = constraints()
    for name, expected in {
        "Products.CMFPlone": "6.2.2",
        # 7.0.0a6, which an unpinned install picks, breaks Plone 6.2.2.
        "plone.app.layout": "6.0.2",
    }.items():
        assert pins[name] == expected
    for name in (
        "plone.restapi",
        "plone.api",
        "z3c.form",
        "collective.z3cform.datagridfield",
        "plone.app.testing",
        "plone.classicui",
        "pytest-plone",
        "setuptools",
    ):
        assert name in pins, name


def test_versions_cfg_mirrors_constraints():
    """`make versions.cfg` was run after the last change of constraints.txt."""
    cfg = read(ROOT / "versions.cfg", r"([A-Za-z0-9._-]+) = (\S+)")
    assert cfg == constraints()


def test_installed_set_matches_pins():
    """The environment running the tests is the pinned one."""
    pins = constraints()
    for name in ("Products.CMFPlone", "plone.app.layout", "plone.restapi"):
        assert version(name) == pins[name]
