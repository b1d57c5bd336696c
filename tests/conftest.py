import pytest


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/scenarios/**/*.golden.json from the current engine (on purpose only)")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")
