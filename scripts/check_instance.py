"""Checks that the buildout's bin/instance starts Zope with the add-on loadable.

Run by ``make check-buildout`` as ``bin/instance run scripts/check_instance.py``
(``app`` is the Zope root given by the instance script).
"""

from importlib.metadata import version

import collective.rendezvous.interfaces  # noqa: F401 - importable in the instance


assert app.getId() == "", "not the Zope root"  # noqa: F821
print(
    "bin/instance OK: Zope root reached, Products.CMFPlone",
    version("Products.CMFPlone"),
    "and collective.rendezvous importable.",
)
