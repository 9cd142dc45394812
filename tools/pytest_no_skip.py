"""pytest plugin for the addon's test command: a skipped test, or a run with no test at all,
fails the run. Odoo skips browser tests silently when websocket-client or Chromium is missing,
and a skipped test is not a pass."""

import pytest


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if (exitstatus == pytest.ExitCode.OK and skipped) or exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if terminalreporter.stats.get("skipped"):
        terminalreporter.write_line("FAILED: skipped tests count as failures here (see above).", red=True)
    if not terminalreporter._numcollected:
        terminalreporter.write_line("FAILED: no test ran.", red=True)
