Installable add-on skeleton: ``make start`` serves a demo Plone site with the add-on, ``make test`` runs the suite, pinned Plone 6.2.2 set in ``constraints.txt``, buildout configuration.
