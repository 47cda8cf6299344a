"""What the app keeps on this computer: the history and outbox, settings, and the keyring."""
