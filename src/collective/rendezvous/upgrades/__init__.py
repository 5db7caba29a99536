"""Upgrade steps of the default profile, one per metadata.xml version bump."""
