"""The translation catalogues: complete in French and in step with the code.

``make i18n`` rebuilds ``locales/collective.rendezvous.pot`` with i18ndude from
the code and ``locales/manual.pot`` (the messages i18ndude cannot see) and
syncs the fr and en ``.po`` files. These tests read the catalogues with a
small parser (no Plone, no polib) and the Python code with ``ast``.
"""

from collective.rendezvous import scheduling
from pathlib import Path

import ast
import collective.rendezvous
import dataclasses
import os
import pytest
import re
import shutil
import subprocess
import sys


PACKAGE = Path(collective.rendezvous.__file__).parent
LOCALES = PACKAGE / "locales"
POT = LOCALES / "collective.rendezvous.pot"
MANUAL = LOCALES / "manual.pot"
FR = LOCALES / "fr" / "LC_MESSAGES" / "collective.rendezvous.po"
EN = LOCALES / "en" / "LC_MESSAGES" / "collective.rendezvous.po"
CATALOGUES = {"pot": POT, "manual": MANUAL, "fr": FR, "en": EN}

# zope.i18n's ${name} placeholders and the notification texts' merge fields
# ({0} ... {7}, {code}, {link}).
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
MERGE_FIELD = re.compile(r"(?<![${])\{(\w+)\}")


# -- a small .po reader ---------------------------------------------------------


@dataclasses.dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    default: str | None = None
    fuzzy: bool = False


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unquote(text: str) -> str:
    """The value of a PO string literal such as ``"a \\"b\\"\\n"``."""
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po or .pot file, header and obsolete ones left out."""
    entries = []
    entry, field = Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith("#. Default:"):
            entry.default = unquote(line.removeprefix("#. Default:"))
        elif line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
        elif line.startswith(("msgid ", "msgstr ")):
            field, _sep, value = line.partition(" ")
            setattr(entry, field, unquote(value))
        elif line.startswith('"'):
            setattr(entry, field, getattr(entry, field) + unquote(line))
        elif not line and field:
            if entry.msgid:
                entries.append(entry)
            entry, field = Entry(), None
    return entries


def catalogue(path: Path) -> dict[str, Entry]:
    return {entry.msgid: entry for entry in read_po(path)}


# -- the messages of the Python code ----------------------------------------------


class Unknown(Exception):
    """An expression that is not a constant text (a message built at run time)."""


def fold(node: ast.expr, names: dict[str, ast.expr]) -> str:
    """The text of a string expression made of literals, + and module constants."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return fold(node.left, names) + fold(node.right, names)
    if isinstance(node, ast.Name) and node.id in names:
        return fold(names[node.id], names)
    raise Unknown(ast.unparse(node))


def calls(path: Path, function: str):
    """(msgid, default) of each call of ``function`` in a module.

    msgid and default are None when they are not constant texts.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    }

    def text(node):
        try:
            return fold(node, names)
        except Unknown:
            return None

    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None)):
            continue
        if node.func.id != function or not node.args:
            continue
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if function == "SchedulingError":
            default = node.args[1]
        else:
            default = keywords.get("default")
        msgid = text(node.args[0])
        yield msgid, (text(default) if default is not None else None)


def scheduling_errors() -> dict[str, str]:
    """msgid -> English default of every SchedulingError of the slot engine."""
    errors = {}
    for path in sorted((PACKAGE / "scheduling").glob("*.py")):
        for msgid, default in calls(path, "SchedulingError"):
            assert msgid and default, f"{path.name}: a SchedulingError is not literal"
            assert errors.setdefault(msgid, default) == default, msgid
    return errors


def python_messages() -> dict[str, str | None]:
    """msgid -> default of every _("...") of the package whose text is constant."""
    messages = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for msgid, default in calls(path, "_"):
            if msgid is not None:
                messages[msgid] = default or messages.get(msgid)
    return messages


# -- the tests ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pot() -> dict[str, Entry]:
    return catalogue(POT)


@pytest.fixture(scope="module")
def fr() -> dict[str, Entry]:
    return catalogue(FR)


@pytest.mark.parametrize("path", CATALOGUES.values(), ids=CATALOGUES.keys())
def test_no_duplicate_msgid(path):
    msgids = [entry.msgid for entry in read_po(path)]
    duplicates = sorted({msgid for msgid in msgids if msgids.count(msgid) > 1})
    assert not duplicates, "msgids listed twice"


def test_the_po_files_have_the_msgids_of_the_pot(pot):
    for path in (FR, EN):
        msgids = set(catalogue(path))
        assert not sorted(set(pot) - msgids), f"{path}: run `make i18n`"
        assert not sorted(msgids - set(pot)), f"{path}: run `make i18n`"


def test_english_uses_the_defaults():
    assert not [entry.msgid for entry in read_po(EN) if entry.msgstr]


def test_french_is_complete(pot, fr):
    missing = [msgid for msgid in pot if not fr.get(msgid, Entry()).msgstr.strip()]
    assert not missing, "msgids without a French translation"
    fuzzy = [msgid for msgid in pot if fr.get(msgid, Entry()).fuzzy]
    assert not fuzzy, "fuzzy French translations: check them, then drop the flag"


@pytest.mark.parametrize(
    "pattern", [PLACEHOLDER, MERGE_FIELD], ids=["placeholders", "merge-fields"]
)
def test_french_keeps_the_placeholders(pot, fr, pattern):
    wrong = {}
    for msgid, entry in pot.items():
        english = set(pattern.findall(entry.default or msgid))
        translation = fr.get(msgid, Entry()).msgstr
        french = set(pattern.findall(translation))
        if translation and english != french:
            wrong[msgid] = (sorted(english), sorted(french))
    assert not wrong, "msgid: (English names, French names)"


def test_the_slot_engine_errors_are_in_the_pot(pot):
    errors = scheduling_errors()
    assert "range_malformed" in errors
    missing = sorted(set(errors) - set(pot))
    assert not missing, "add them to locales/manual.pot, then run `make i18n`"
    wrong_default = [msgid for msgid in errors if pot[msgid].default != errors[msgid]]
    assert not wrong_default, "update their Default in locales/manual.pot"


def test_the_holiday_regions_and_holidays_are_in_the_pot(pot):
    labels = [*scheduling.REGIONS.values(), *scheduling.HOLIDAY_LABELS.values()]
    missing = [label for label in labels if label not in pot]
    assert not missing, "add them to locales/manual.pot, then run `make i18n`"


def test_the_python_messages_are_in_the_pot(pot):
    """Every _("...") of the code, with its whole default (even one built with +)."""
    messages = python_messages()
    assert "notification_created_mail_body" in messages
    missing = [msgid for msgid in messages if msgid not in pot]
    assert not missing, "run `make i18n` (notifications/texts.py: locales/manual.pot)"
    wrong_default = [
        msgid
        for msgid, default in messages.items()
        if default is not None and pot[msgid].default != default
    ]
    assert not wrong_default, "update their Default in locales/manual.pot"


def missing(reason: str):
    """Skip, saying why; with ``CI=true`` fail: CI must run every check."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: CI must run this check)")
    pytest.skip(reason)


@pytest.mark.parametrize("path", CATALOGUES.values(), ids=CATALOGUES.keys())
def test_msgfmt_accepts_the_catalogues(path, tmp_path):
    if not shutil.which("msgfmt"):
        missing("gettext's msgfmt is missing (Debian: apt-get install gettext)")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_pot_has_every_extracted_message(pot, tmp_path):
    """i18ndude (``make i18n`` installs it) finds nothing missing from the pot.

    It reads the page templates, ZCML and GenericSetup XML too.
    """
    i18ndude = Path(sys.executable).parent / "i18ndude"
    if not i18ndude.exists():
        missing("i18ndude is not installed: `make install` (the test extra pins it)")
    extracted = tmp_path / "extracted.pot"
    subprocess.run(
        [
            i18ndude,
            "rebuild-pot",
            "--pot",
            extracted,
            "--create",
            "collective.rendezvous",
            "--exclude",
            "texts.py",
            PACKAGE,
        ],
        check=True,
        capture_output=True,
    )
    extracted = set(catalogue(extracted))
    assert not sorted(extracted - set(pot)), "run `make i18n`"
    stale = sorted(set(pot) - extracted - set(catalogue(MANUAL)))
    assert not stale, "run `make i18n`"
