The French translation is complete (450 messages, including the slot engine's errors and the holidays); a test keeps it complete.
