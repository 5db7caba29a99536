"""Precomputed slots of each counter: storage, generation and queries (R2, X1).

The pure rules live in ``collective.rendezvous.scheduling``; this package
adapts the content and the settings to its inputs and keeps its output on
each counter (``store``), regenerates it when the configuration changes or
the nightly tick runs (``generation``), and answers availability (``query``).
"""
