"""Cheat: never finishes being imported."""
while True:
    pass
