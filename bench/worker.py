"""What the batch's workers are forked from (bench.batch): imported once by multiprocessing's fork server,
it builds kzlaw's caches there (ontology, compiled reasoner and validator, rules) and moves them out of the
collector's sight, so every worker starts warm and shares those pages. No worker inherits the parent's
memory — the parent's store caches and load buffers, which would otherwise be counted in each worker's
private pages as soon as the parent rewrites them after the fork."""

import gc

from .batch import _warm

_warm()
gc.freeze()
