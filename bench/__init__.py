"""kzlaw's benchmarks (issue 8): ``python -m bench`` (full) and ``python -m bench --quick`` (CI).

Not part of the tests. The run first checks that kzlaw's findings equal the naive pipeline's on the same
generated scenarios, then measures; it fails (exit 1) only if the findings differ, never on time."""
