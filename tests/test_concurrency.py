import threading
import time
from datetime import date

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTierConcurrency(TransactionCase):
    """Two workers recomputing the tiers of one company at the same time, each on its own
    database connection. What they share must be committed: a customer with an order in the
    main company, deleted afterwards (and the company's figures recomputed without it)."""

    def _cursor(self):
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        cr.execute("SET lock_timeout = '20s'")
        return cr

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _commit_fixture(self):
        with self._cursor() as cr:
            env = self._env(cr)
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
            env = self._env(cr)
            env["res.partner"].browse(customer_id).unlink()
            env["product.product"].browse(product_id).product_tmpl_id.unlink()
            env["customer.tier"]._recompute_company_tiers(env.ref("base.main_company"), today)
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_workers_classify_once(self):
        today = date.today()
        customer_id, product_id = self._commit_fixture()
        try:
            with self._cursor() as cr_first, self._cursor() as cr_second:
                first, second = self._env(cr_first), self._env(cr_second)
                company = first.ref("base.main_company")
                cr_first.execute("SELECT 1")
                cr_second.execute("SELECT 1")
                first["customer.tier"]._recompute_company_tiers(company, today)
                outcome = {}

                def run_second():
                    try:
                        outcome["result"] = second["customer.tier"]._recompute_company_tiers(
                            second.ref("base.main_company"), today
                        )
                    except Exception as error:  # the outcome is asserted below
                        outcome["error"] = error

                worker = threading.Thread(target=run_second)
                worker.start()
                second_pid = cr_second._cnx.get_backend_pid()
                for _attempt in range(200):
                    cr_first.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid])
                    if cr_first.fetchone()[0] == "Lock":
                        break
                    time.sleep(0.05)
                else:
                    self.fail("the second worker did not wait for the first one")
                cr_first.commit()
                worker.join(60)
                self.assertFalse(worker.is_alive())
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
