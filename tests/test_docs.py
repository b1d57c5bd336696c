"""Documentation that is generated must be current."""

from kzlaw.docgen import docs_path, rules_markdown


def test_rules_catalogue_is_current():
    assert docs_path().read_text(encoding="utf-8") == rules_markdown(), \
        "docs/rules.md is stale: run `.venv/bin/python -m kzlaw.docgen`"
