"""The interop comparator: pure code over snapshots (no I/O, no Textual, no SDK).

`site` turns a configured cloud and its snapshot into the facts the rules read;
`facts` reads the public-address strategy from a site's topology; `rules` (the
eight steps) and `behaviours` (the rows under them) infer each check's verdict
with its evidence; `equivalence` finds a
cloud-neutral spec's flavor, image and network on each cloud (provisioning's
step 3 uses it too); `scorecard` assembles cells, scores and pair scores;
`drift` compares a scorecard with the previous one.
"""
