"""Output: the one door to the output folder.

Takes finished files; gives a staging folder beside the output, the atomic swap that publishes
it whole (or leaves the old output as it was), and the stamp that lets a build with nothing to
do answer at once. Open `staging.py` first, then `stamp.py`.
"""
