"""Pure rules of PacSpace writes: items, validation, numbers, states and the error catalogue."""
