"""The worker's parts; `python worker.py` is its entry point."""
