"""Benchmarks: each module is one command (`python -m bench.<name>`) printing its figures beside a baseline
measured in the same run. Results and the machine they ran on: `bench/RESULTS.md`."""
