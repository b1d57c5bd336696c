"""Documentation that is generated must be current."""

from kzlaw.docgen import docs_path, rules_markdown


def test_rules_catalogue_is_current():
    assert docs_path().read_text(encoding="utf-8") == rules_markdown(), \
        "docs/rules.md is stale: run `.venv/bin/python -m kzlaw.docgen`"


def test_every_setting_is_in_the_service_docs_configuration_table():
    """A KZLAW_* variable the service reads and docs/service.md does not list is a setting nobody finds."""
    import re

    from kzlaw.docgen import docs_path as rules_doc
    from kzlaw.settings import Settings

    text = (rules_doc().parent / "service.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`KZLAW_([A-Z_]+)`", text))
    wanted = {name.upper() for name in Settings.model_fields}
    assert wanted - listed == set(), wanted - listed
