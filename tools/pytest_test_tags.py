"""pytest plugin for the addon's test command: select the slow tests, those tagged ``cr_slow``
(they commit on connections of their own or run at volume) and the browser tests (``HttpCase``),
as ``odoo-bin --test-tags`` would.

``--cr-slow=all`` (the default) runs every test, ``skip`` the fast suite only, ``only`` the slow
tests only. The environment variable ``CR_SLOW`` gives the default. Tests left out are deselected,
not skipped: the no-skip plugin counts a skipped test as a failure.

It is a plugin (``-p pytest_test_tags``) rather than a ``conftest.py`` in ``tests/``: pytest imports
a conftest before pytest-odoo has set up Odoo, outside the ``odoo.addons`` namespace."""

import os

import pytest

SLOW_TAG = "cr_slow"
CHOICES = ("all", "skip", "only")


def pytest_addoption(parser):
    parser.addoption(
        "--cr-slow",
        choices=CHOICES,
        default=os.environ.get("CR_SLOW", "all"),
        help=f"tests tagged {SLOW_TAG}: with the others (all), left out (skip), or alone (only)",
    )


def _is_slow(item):
    """Tagged cr_slow, or a browser test (an HttpCase: a tour waits for a browser and a server;
    the tours alone take two minutes)."""
    cls = getattr(item, "cls", None)
    # @tagged sets ``test_tags`` on the test class (pytest's unittest items keep it in ``cls``).
    if SLOW_TAG in getattr(cls, "test_tags", ()):
        return True
    return any(
        base.__name__ == "HttpCase" and base.__module__.startswith("odoo.tests") for base in getattr(cls, "__mro__", ())
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    choice = config.getoption("--cr-slow")
    if choice == "all":
        return
    keep_slow = choice == "only"
    selected, deselected = [], []
    for item in items:
        (selected if _is_slow(item) == keep_slow else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
