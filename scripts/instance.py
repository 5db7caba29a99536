"""Render the Zope instance of ``make start`` from the templates in etc/.

Usage: python scripts/instance.py INSTANCE_DIR [--host HOST] [--port PORT]

The rendered files are overwritten every time (they hold no data); the
database in INSTANCE_DIR/var is never touched.
"""

from pathlib import Path

import argparse


HERE = Path(__file__).resolve().parent.parent / "etc"


def render(instance: Path, host: str, port: int) -> None:
    """Write instance/etc/{zope.conf,zope.ini,site.zcml} and the var folders."""
    etc = instance / "etc"
    for folder in (etc, instance / "var" / "log", instance / "var" / "cache"):
        folder.mkdir(parents=True, exist_ok=True)
    (instance / "var" / "filestorage").mkdir(exist_ok=True)
    values = {"@INSTANCE@": str(instance), "@HOST@": host, "@PORT@": str(port)}
    for name in ("zope.conf", "zope.ini"):
        text = (HERE / f"{name}.in").read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        (etc / name).write_text(text, encoding="utf-8")
    (etc / "site.zcml").write_text(
        (HERE / "site.zcml").read_text(encoding="utf-8"), encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    render(args.instance.resolve(), args.host, args.port)


if __name__ == "__main__":
    main()
