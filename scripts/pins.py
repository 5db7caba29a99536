"""Keep the pins: freeze .venv into constraints.txt, derive versions.cfg from it.

python scripts/pins.py freeze [--python .venv/bin/python]
python scripts/pins.py versions-cfg
"""

from pathlib import Path

import argparse
import re
import subprocess


ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
VERSIONS_CFG = ROOT / "versions.cfg"
OWN = "collective.rendezvous"

HEADER = """\
# The tested Plone 6.2.2 set: every package installed by `make install`.
# Regenerate with `make constraints` from a working .venv (then run the suite).
# Pip's resolver alone picks broken pre-releases (plone.app.layout 7.0.0a6
# breaks Plone 6.2.2; 6.0.2 works), so installs always go through this file.
"""


def read_pins(path: Path = CONSTRAINTS) -> dict[str, str]:
    """Package name -> pinned version, from a pip constraints file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        if not match:
            raise SystemExit(f"{path.name}: not a pin: {line!r}")
        pins[match.group(1)] = match.group(2)
    return pins


def freeze(python: str) -> None:
    output = subprocess.run(
        [python, "-m", "pip", "freeze", "--all", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = sorted(
        (
            line
            for line in output.splitlines()
            if "==" in line and not line.lower().startswith(OWN)
        ),
        key=str.lower,
    )
    CONSTRAINTS.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"Wrote {len(lines)} pins to {CONSTRAINTS.name}")


def versions_cfg() -> None:
    pins = read_pins()
    body = "\n".join(f"{name} = {version}" for name, version in pins.items())
    VERSIONS_CFG.write_text(
        "# Generated from constraints.txt by `make versions.cfg`: do not edit.\n"
        "[versions]\n" + body + "\n",
        encoding="utf-8",
    )
    print(f"Wrote {len(pins)} pins to {VERSIONS_CFG.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    freeze_parser = sub.add_parser("freeze")
    freeze_parser.add_argument("--python", default=str(ROOT / ".venv/bin/python"))
    sub.add_parser("versions-cfg")
    args = parser.parse_args()
    if args.command == "freeze":
        freeze(args.python)
    else:
        versions_cfg()


if __name__ == "__main__":
    main()
