from datetime import date

from psycopg2.errors import SerializationFailure

from odoo import Command
from odoo.tests import TransactionCase, tagged

from .common import ConcurrentWorkersMixin


@tagged("post_install", "-at_install", "cr_slow")
class TestTierConcurrency(ConcurrentWorkersMixin, TransactionCase):
    """Two workers recomputing the tiers of one company at the same time, each on its own
    database connection. What they share must be committed: a customer with an order in the
    main company, deleted afterwards (and the company's figures recomputed without it)."""

    def _commit_fixture(self):
        with self._cursor() as cr:
            env = self._worker_env(cr)
            customer = env["res.partner"].create({"name": "CR Concurrent Tier Co", "is_company": True})
            product = env["product.product"].create({"name": "CR Concurrent Service", "type": "service"})
            order = env["sale.order"].create(
                {
                    "partner_id": customer.id,
                    "order_line": [Command.create({"product_id": product.id, "price_unit": 10_000_000})],
                }
            )
            order.action_confirm()
            # A separate connection, not the test's: both workers must see the customer.
            cr.commit()  # pylint: disable=invalid-commit
            return customer.id, product.id

    def _delete_fixture(self, customer_id, product_id, today):
        with self._cursor() as cr:
            cr.execute("DELETE FROM customer_tier_history WHERE partner_id = %s", [customer_id])
            cr.execute("DELETE FROM sale_order WHERE partner_id = %s", [customer_id])  # its lines go with it (cascade)
            env = self._worker_env(cr)
            env["res.partner"].browse(customer_id).unlink()
            env["product.product"].browse(product_id).product_tmpl_id.unlink()
            env["customer.tier"]._recompute_company_tiers(env.ref("base.main_company"), today)
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_workers_classify_once(self):
        today = date.today()
        customer_id, product_id = self._commit_fixture()
        try:
            with self._cursor() as cr_first, self._cursor() as cr_second:
                first, second = self._worker_env(cr_first), self._worker_env(cr_second)
                company = first.ref("base.main_company")
                cr_first.execute("SELECT 1")
                cr_second.execute("SELECT 1")
                first["customer.tier"]._recompute_company_tiers(company, today)
                outcome = self._run_behind(
                    cr_first,
                    cr_second,
                    lambda: second["customer.tier"]._recompute_company_tiers(second.ref("base.main_company"), today),
                )
                # Repeatable read: the second worker may not overwrite what the first committed.
                self.assertIsInstance(outcome.get("error"), SerializationFailure)
                cr_second.rollback()
                # Its retry finds nothing left to change and logs no second move.
                second.invalidate_all()
                self.assertEqual(second["customer.tier"]._recompute_company_tiers(company, today)["changed"], 0)
                cr_second.commit()
                # One classification logged, not two.
                cr_first.execute("SELECT direction FROM customer_tier_history WHERE partner_id = %s", [customer_id])
                self.assertEqual(cr_first.fetchall(), [("new",)])
        finally:
            self._delete_fixture(customer_id, product_id, today)
