"""The care rules' scheduled action: its batches, its progress, running out of time and resuming.

It runs on the test's own cursor in registry test mode: its commits are savepoints."""

import time
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TODAY, CustomerCareCase


@tagged("post_install", "-at_install")
class TestCareCron(CustomerCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only this test's rules run; the level keeps the demo customers out of them.
        cls.env["customer.care.rule"].search([]).action_archive()
        cls.customers = cls._create_customers(
            "Batch A", "Batch B", "Batch C", customer_rank=1, relationship_level="partnership"
        )
        cls.customers.child_ids.birthday = date(1980, 7, 2)
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, TODAY)
        cls.cron = cls.env.ref("customer_relationship.ir_cron_customer_care")

    def _rules(self):
        return self._rule(min_relationship_level="partnership") | self._rule(
            action="visit", min_relationship_level="partnership"
        )

    def _run_cron(self, cron, batch_size, out_of_time_after=None, **context):
        """One run of the scheduled action with its own progress. With ``out_of_time_after``,
        its time is up once that many steps (rules or batches of actions) are committed."""
        cron, progress = cron.with_context(**context)._add_progress()
        steps = []
        commit_progress = type(cron)._commit_progress

        def counting_commit_progress(cron, processed=0, **kwargs):
            remaining_time = commit_progress(cron, processed, **kwargs)
            if processed:
                steps.append(processed)
            return 0 if out_of_time_after and len(steps) >= out_of_time_after else remaining_time

        with patch.object(type(cron), "_commit_progress", counting_commit_progress):
            cron.env["customer.care.rule"]._cron_run_care_rules(batch_size=batch_size)
        return progress, steps

    @freeze_time("2026-06-30 08:00:00")
    def test_cron_stops_when_out_of_time_and_resumes(self):
        calls, visits = self._rules()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            cron = self.cron.with_env(self.cron.env(cr=cr, context={"cron_id": self.cron.id}))
            actions = cron.env["customer.care.action"]

            # Out of time from the start: the first rule is generated and committed, then it stops.
            progress, _steps = self._run_cron(cron, 2, cron_end_time=time.monotonic() - 1)
            self.assertEqual((progress.done, progress.remaining), (1, 1))
            self.assertEqual(len(self._actions(calls, self.customers).with_env(cron.env)), 3)
            self.assertFalse(actions.search([("rule_id", "=", visits.id)]))
            self.assertFalse(actions.search([("rule_id", "in", (calls | visits).ids), ("executed_date", "!=", False)]))

            # The next run generates the second rule and carries out the six actions, two by two.
            progress, steps = self._run_cron(cron, 2)
            self.assertEqual(steps, [1, 1, 2, 2, 2])
            self.assertEqual((progress.done, progress.remaining), (8, 0))
            done = actions.search([("rule_id", "in", (calls | visits).ids)])
            self.assertEqual(len(done), 6)
            self.assertTrue(all(done.mapped("executed_date")))
            self.assertEqual(len(done.activity_id), 3)
            self.assertEqual(len(done.visit_id), 3)
            self.assertEqual(done.visit_id.partner_id, self.customers.with_env(cron.env))

            # A third run finds nothing to do and doubles nothing.
            progress, steps = self._run_cron(cron, 2)
            self.assertEqual(steps, [1, 1])
            self.assertEqual(actions.search([("rule_id", "in", (calls | visits).ids)]), done)
            visits_of_customers = cron.env["customer.visit"].search([("partner_id", "in", self.customers.ids)])
            self.assertEqual(len(visits_of_customers), 3)
            self.assertEqual(cron.env["mail.activity"].search_count([("res_id", "in", self.customers.ids)]), 3)

    @freeze_time("2026-06-30 08:00:00")
    def test_cron_resumes_the_actions_where_it_stopped(self):
        calls, visits = self._rules()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            cron = self.cron.with_env(self.cron.env(cr=cr, context={"cron_id": self.cron.id}))
            actions = cron.env["customer.care.action"]
            # two rules, then the first batch of four actions: out of time
            progress, steps = self._run_cron(cron, 4, out_of_time_after=3)
            self.assertEqual(steps, [1, 1, 4])
            self.assertEqual((progress.done, progress.remaining), (6, 2))
            rule_actions = actions.search([("rule_id", "in", (calls | visits).ids)])
            self.assertEqual(len(rule_actions.filtered("executed_date")), 4)

            progress, steps = self._run_cron(cron, 4)
            self.assertEqual(steps, [1, 1, 2])
            self.assertEqual(actions.search([("rule_id", "in", (calls | visits).ids)]), rule_actions)
            self.assertTrue(all(rule_actions.mapped("executed_date")))
            self.assertEqual((len(rule_actions.activity_id), len(rule_actions.visit_id)), (3, 3))
            self.assertEqual(cron.env["customer.visit"].search_count([("partner_id", "in", self.customers.ids)]), 3)

    @freeze_time("2026-06-30 08:00:00")
    def test_a_broken_rule_does_not_stop_the_others(self):
        calls, visits = self._rules()
        broken = self._rule(trigger="anniversary", min_relationship_level="partnership", sequence=1)
        events_query = type(broken)._events_query

        def failing_events_query(rule, params):
            if rule == broken:
                raise ValueError("a broken rule")
            return events_query(rule, params)

        with (
            patch.object(type(broken), "_events_query", failing_events_query),
            mute_logger("odoo.addons.customer_relationship.models.customer_care_rule"),
            self.enter_registry_test_mode(),
            self.registry.cursor() as cr,
        ):
            cron = self.cron.with_env(self.cron.env(cr=cr, context={"cron_id": self.cron.id}))
            progress, steps = self._run_cron(cron, 10)
            # the broken rule's step still counts: the run goes on with the next rule
            self.assertEqual(steps, [1, 1, 1, 6])
            self.assertEqual((progress.done, progress.remaining), (9, 0))
            actions = cron.env["customer.care.action"].search([("rule_id", "in", (broken | calls | visits).ids)])
            self.assertEqual(actions.rule_id, (calls | visits).with_env(cron.env))
            self.assertTrue(all(actions.mapped("executed_date")))
            self.assertFalse(broken.with_env(cron.env).last_run_date)
