"""Benchmarks of chainrule against PyTorch eager and hand-written NumPy (never run in tests)."""
