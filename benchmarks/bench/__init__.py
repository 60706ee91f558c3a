"""The benchmark suite (``python -m benchmarks.bench``): ``steps`` are measured in child
processes, ``runner`` runs them in phases, ``report`` writes the tables."""
