"""Dexterity content types of collective.rendezvous, one module per type."""
