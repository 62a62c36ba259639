"""Benchmarks: a generator of large realistic records directories, and the runner that times tracker on them."""
