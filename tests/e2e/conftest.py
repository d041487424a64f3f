# The e2e tests reuse the web tests' dev server and loop fixtures.
from tests.webapp.conftest import loop_thread, temporal_address  # noqa: F401
