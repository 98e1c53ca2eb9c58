"""The operator's recording flow: its steps (data, photo, fingerprints, signature, review) and
the receipt."""
