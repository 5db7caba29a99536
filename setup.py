"""Installer for the collective.rendezvous package."""

from pathlib import Path
from setuptools import find_namespace_packages
from setuptools import setup


long_description = "\n\n".join(
    Path(name).read_text(encoding="utf-8") for name in ("README.rst", "CHANGES.rst")
)

setup(
    name="collective.rendezvous",
    version="1.0.0a1.dev0",
    description="Appointment booking for town halls: counters, slots, "
    "citizen self-service, mail and SMS notifications (Plone 6.2 add-on).",
    long_description=long_description,
    long_description_content_type="text/x-rst",
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Environment :: Web Environment",
        "Framework :: Plone",
        "Framework :: Plone :: 6.2",
        "Framework :: Plone :: Addon",
        "Framework :: Zope",
        "Framework :: Zope :: 5",
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
        "Operating System :: OS Independent",
        "Programming Language :: Python",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Natural Language :: French",
        "Natural Language :: English",
    ],
    keywords="Python Plone CMS appointment booking rendez-vous town hall",
    author="collective.rendezvous developers",
    url="https://github.com/collective/collective.rendezvous",
    license="GPL version 2",
    # PEP 420: ``collective`` is a native namespace package (no __init__.py).
    packages=find_namespace_packages("src", include=["collective.*"]),
    package_dir={"": "src"},
    include_package_data=True,
    zip_safe=False,
    python_requires=">=3.11",
    install_requires=[
        "Products.CMFPlone>=6.2",
        "collective.z3cform.datagridfield",
        "holidays",
        "icalendar",
        "idna",
        "phonenumbers",
        "plone.api",
        "plone.app.dexterity",
        "plone.app.registry",
        "plone.restapi",
        "python-dateutil",
    ],
    extras_require={
        "test": [
            "aiosmtpd",
            "hypothesis",
            # tests/unit/test_i18n.py re-extracts the messages with it.
            "i18ndude",
            "plone.app.testing",
            "plone.classicui",
            "playwright",
            "pytest",
            "pytest-plone",
            "requests",
            "ZEO",
            # tests/cluster/test_relstorage.py
            "RelStorage",
            "psycopg2",
        ],
        # RelStorage on PostgreSQL instead of ZEO (docs/relstorage.rst).
        # psycopg2 builds against libpq (Debian: libpq-dev).
        "relstorage": [
            "RelStorage",
            "psycopg2",
        ],
        "dev": [
            "ruff",
            "towncrier",
            "zpretty",
        ],
    },
    entry_points="""
    [z3c.autoinclude.plugin]
    target = plone
    """,
)
