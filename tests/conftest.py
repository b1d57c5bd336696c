import httpx
import pytest


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/scenarios/**/*.golden.json from the current engine (on purpose only)")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real API server process on a loopback port, one per test module. Modules that need other
    settings (limits, tokens) override this fixture; ``client`` then talks to theirs."""
    from conftest_service import api_server

    p = api_server(tmp_path_factory.mktemp("api"))
    yield p
    p.stop()


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c
