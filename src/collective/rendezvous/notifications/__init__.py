"""Notifications (R6-R8, R10): booking events -> messages -> channels (mail, SMS)."""
