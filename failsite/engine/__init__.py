"""The machinery every stage runs on: worker processes, content digests and the build cache.

Imports no stage. Open `parallel.py` (fork_map) first, then `fingerprint.py` (digest, the code
fingerprint) and `cache.py` (what one build keeps for the next, keyed by content hashes).
"""
