"""Care rules run by workers that commit: two workers at once, the scheduled action's batches."""

import time
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.errors import SerializationFailure

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TODAY, ConcurrentWorkersMixin, CustomerCareCase


@tagged("post_install", "-at_install")
class TestCareConcurrency(ConcurrentWorkersMixin, CustomerCareCase):
    """Two workers generating the same rule at the same time, each on its own database
    connection. The data they share must be committed, so this test commits it in the main
    company and deletes it afterwards."""

    def _commit_fixture(self):
        company = self.env.ref("base.main_company")
        tier = self.env.ref("customer_relationship.customer_tier_lead")
        with self._cursor() as cr:
            env = self._worker_env(cr)
            customer = env["res.partner"].create(
                {"name": "CR Concurrent Co", "is_company": True, "relationship_level": "partnership"}
            )
            contact = env["res.partner"].create(
                {"name": "CR Concurrent Buyer", "parent_id": customer.id, "birthday": date(1980, 7, 2)}
            )
            env.flush_all()
            # classified in the main company without recomputing the demo customers
            cr.execute(
                """INSERT INTO customer_account (partner_id, company_id, tier_id) VALUES (%s, %s, %s)
                   ON CONFLICT (partner_id, company_id) DO UPDATE SET tier_id = EXCLUDED.tier_id""",
                [customer.id, company.id, tier.id],
            )
            rule = env["customer.care.rule"].create(
                {
                    "name": "CR concurrent birthdays",
                    "company_id": company.id,
                    "trigger": "birthday",
                    "lead_days": 7,
                    "min_relationship_level": "partnership",
                    "action": "activity",
                    "activity_type_id": self.call.id,
                    "responsible": "user",
                    "user_id": self.env.ref("base.user_admin").id,
                }
            )
            # A separate connection, not the test's: its data must be committed to be seen by both workers.
            cr.commit()  # pylint: disable=invalid-commit
            return rule.id, customer.id, contact.id

    def _delete_fixture(self, rule_id, customer_id, contact_id):
        with self._cursor() as cr:
            cr.execute("DELETE FROM customer_care_action WHERE rule_id = %s", [rule_id])
            cr.execute("DELETE FROM customer_care_rule WHERE id = %s", [rule_id])
            env = self._worker_env(cr)
            env["res.partner"].browse([contact_id, customer_id]).exists().unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_workers_insert_one_action(self):
        rule_id, customer_id, contact_id = self._commit_fixture()
        try:
            with self._cursor() as cr_first, self._cursor() as cr_second:
                first = self._worker_env(cr_first)["customer.care.rule"].browse(rule_id)
                second = self._worker_env(cr_second)["customer.care.rule"].browse(rule_id)
                # both workers start their transaction before either has inserted anything
                cr_first.execute("SELECT 1")
                cr_second.execute("SELECT 1")
                inserted = first._generate_actions(TODAY).filtered(lambda a: a.partner_id.id == customer_id)
                self.assertEqual(len(inserted), 1)

                # the second worker waits on the first one's uncommitted action
                outcome = self._run_behind(cr_first, cr_second, lambda: second._generate_actions(TODAY))
                # Odoo's transactions are REPEATABLE READ: the second worker cannot see the
                # committed action, and PostgreSQL refuses its insert rather than duplicate it.
                self.assertIsInstance(outcome.get("error"), SerializationFailure)
                cr_second.rollback()
                # Its retry (Odoo retries serialization failures) sees the action: nothing to insert.
                second.env.invalidate_all()
                self.assertFalse(second._generate_actions(TODAY).filtered(lambda a: a.partner_id.id == customer_id))
                cr_second.commit()
                cr_first.execute(
                    "SELECT contact_id FROM customer_care_action WHERE rule_id = %s AND partner_id = %s",
                    [rule_id, customer_id],
                )
                self.assertEqual(cr_first.fetchall(), [(contact_id,)])
        finally:
            self._delete_fixture(rule_id, customer_id, contact_id)


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
