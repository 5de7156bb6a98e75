"""Cheat: ends the process with status 0 while being imported (as if every test had passed)."""
raise SystemExit(0)
