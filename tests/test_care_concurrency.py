"""Two workers generating the same care rule at once, on connections of their own that commit."""

from datetime import date

from psycopg2.errors import SerializationFailure

from odoo.tests import tagged

from .common import TODAY, ConcurrentWorkersMixin, CustomerCareCase


@tagged("post_install", "-at_install", "cr_slow")
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
