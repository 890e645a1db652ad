"""Provisioning: the eight node-allocation steps on several clouds at once.

`plan` turns a cloud-neutral spec into a plan per cloud (through the
comparator's equivalence, the same code as step 3 of the scorecard); `ledger`
records every resource before and after it is made; `steps` are the eight
steps, each returning a typed result; `runner` runs plans in parallel with
progress, cancel and rollback; `access` is how steps 6–8 reach a node.
"""
