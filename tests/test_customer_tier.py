from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, warmup
from odoo.tools import mute_logger

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestCustomerTier(CustomerRelationshipCase):
    def _tier_codes(self, customers):
        return [c.customer_tier_id.code for c in customers.with_company(self.company)]

    def test_tiers_follow_cumulative_share(self):
        """500/250/120/80/50 of 1,000: cumulative 50, 75, 87, 95, 100 percent."""
        customers = self._create_customers("A", "B", "C", "D", "E")
        self._create_orders([(c, v, date(2026, 3, 1)) for c, v in zip(customers, [500, 250, 120, 80, 50], strict=True)])
        self._recompute()
        customers = customers.with_company(self.company)
        self.assertEqual(self._tier_codes(customers), ["A", "B", "C", "C", "D"])
        self.assertEqual(customers.mapped("customer_value_share"), [50, 75, 87, 95, 100])
        self.assertEqual(customers.mapped("customer_value"), [500, 250, 120, 80, 50])
        self.assertEqual(customers.mapped("customer_value_rank"), [1, 2, 3, 4, 5])

    def test_equal_values_share_a_tier(self):
        """Two customers with the same value are never split across tiers."""
        customers = self._create_customers("Tie 1", "Tie 2", "Tie 3", "Tie 4")
        self._create_orders([(c, v, date(2026, 3, 1)) for c, v in zip(customers, [300, 300, 200, 200], strict=True)])
        self._recompute()
        customers = customers.with_company(self.company)
        self.assertEqual(self._tier_codes(customers), ["B", "B", "D", "D"])
        self.assertEqual(customers.mapped("customer_value_rank"), [1, 1, 3, 3])

    def test_min_value_floor_drops_a_customer_to_the_next_tier(self):
        self.tiers["platinum"].min_value = 10000
        big, middle, small = self._create_customers("Big", "Middle", "Small")
        self._create_orders(
            [(big, 500, date(2026, 3, 1)), (middle, 300, date(2026, 3, 1)), (small, 200, date(2026, 3, 1))]
        )
        self._recompute()
        self.assertEqual(big.with_company(self.company).customer_tier_id, self.tiers["gold"])

    def test_foreign_currency_is_converted_at_the_order_rate(self):
        euro, dollar = self._create_customers("Euro Buyer", "Dollar Buyer")
        self._create_orders([(euro, 1000, date(2026, 3, 1), self.eur), (dollar, 1500, date(2026, 3, 1))])
        self._recompute()
        self.assertEqual(euro.with_company(self.company).customer_value, 2000)
        self.assertEqual(euro.with_company(self.company).customer_value_rank, 1)

    def test_cancelled_draft_and_out_of_window_orders_do_not_count(self):
        customer = self._create_customers("Careful Co")
        self._create_orders([(customer, 100, date(2026, 3, 1)), (customer, 5000, date(2025, 1, 1))])
        self._create_orders([(customer, 700, date(2026, 3, 1))], confirm=False)
        self._create_orders([(customer, 900, date(2026, 3, 1))])._action_cancel()
        self._recompute()
        customer = customer.with_company(self.company)
        self.assertEqual(customer.customer_value, 100)
        self.assertEqual(customer.customer_order_count, 1)
        self.assertEqual(customer.first_order_date, date(2025, 1, 1))

    def test_invoice_basis_counts_posted_invoices_net_of_credit_notes(self):
        self.env["account.chart.template"].try_loading("generic_coa", company=self.company, install_demo=False)
        self.company.customer_value_basis = "invoice"
        buyer, refunded = self._create_customers("Invoiced Co", "Refunded Co")
        moves = (
            self.env["account.move"]
            .with_company(self.company)
            .create(
                [
                    {
                        "move_type": move_type,
                        "partner_id": partner.id,
                        "invoice_date": date(2026, 3, 1),
                        "invoice_line_ids": [
                            Command.create({"product_id": self.product.id, "price_unit": amount, "tax_ids": []})
                        ],
                    }
                    for move_type, partner, amount in [
                        ("out_invoice", buyer, 700),
                        ("out_invoice", refunded, 600),
                        ("out_refund", refunded, 200),
                        ("out_invoice", buyer, 5000),
                    ]
                ]
            )
        )
        moves[:3].action_post()  # the last one stays a draft and does not count
        self._create_orders([(buyer, 9999, date(2026, 3, 1))])  # orders do not count on this basis
        self._recompute()
        self.assertEqual(buyer.with_company(self.company).customer_value, 700)
        self.assertEqual(refunded.with_company(self.company).customer_value, 400)
        # the value lost when a customer is marked lost is taken on the same basis
        self.env["customer.loss.mark"].with_company(self.company).create(
            {
                "partner_ids": [Command.set((buyer | refunded).ids)],
                "reason_id": self.env.ref("customer_relationship.customer_loss_reason_price").id,
            }
        ).action_apply()
        self.assertEqual(buyer.with_company(self.company).lost_value, 700)
        self.assertEqual(refunded.with_company(self.company).lost_value, 400)

    def test_contact_orders_roll_up_to_the_customer(self):
        customer, other, third = self._create_customers("Parent Co", "Other Co", "Third Co")
        contact = customer.child_ids
        self._create_orders(
            [(contact, 500, date(2026, 3, 1)), (other, 300, date(2026, 3, 1)), (third, 200, date(2026, 3, 1))]
        )
        self._recompute()
        self.assertEqual(customer.with_company(self.company).customer_value, 500)
        self.assertEqual(customer.with_company(self.company).customer_tier_id, self.tiers["platinum"])
        self.assertEqual(contact.with_company(self.company).customer_tier_id, self.tiers["platinum"])
        self.assertEqual(contact.with_company(self.company).customer_value_rank, 1)

    def test_archived_customers_are_left_out_of_ranking(self):
        kept, archived = self._create_customers("Kept", "Archived")
        self._create_orders([(kept, 100, date(2026, 3, 1)), (archived, 900, date(2026, 3, 1))])
        archived.action_archive()
        self._recompute()
        self.assertEqual(kept.with_company(self.company).customer_value_rank, 1)
        self.assertEqual(kept.with_company(self.company).customer_value_share, 100)

    def test_locked_tier_is_left_alone(self):
        big, small = self._create_customers("Price Hunter", "Small")
        self._create_orders([(big, 900, date(2026, 3, 1)), (small, 100, date(2026, 3, 1))])
        self._set_tier(big, self.tiers["lead"], "Price-driven")
        self.assertIn("Price-driven", big.message_ids[0].body, "the chatter says why")
        self._recompute()
        big = big.with_company(self.company)
        self.assertEqual(big.customer_tier_id, self.tiers["lead"])
        self.assertEqual(big.customer_value_rank, 1, "the figures are still computed")
        history = big.customer_tier_history_ids
        self.assertEqual(len(history), 1)
        self.assertTrue(history.manual)
        self.assertEqual(history.reason, "Price-driven")

    def test_lock_needs_a_reason_and_a_manager(self):
        customer = self._create_customers("Locked Co").with_company(self.company)
        # The dialog does not save without a reason; a blank one is refused when applied.
        with self.assertRaisesRegex(AssertionError, "reason"), self._tier_dialog(customer) as dialog:
            dialog.tier_id = self.tiers["lead"]
        with self._tier_dialog(customer) as dialog:
            dialog.tier_id = self.tiers["lead"]
            dialog.reason = "   "
        with self.assertRaisesRegex(UserError, "Give the reason why the tier of Locked Co is set by hand"):
            dialog.record.action_apply()
        with self.assertRaises(AccessError):  # a salesperson has no Set Tier dialog
            self._set_tier(customer, self.tiers["lead"], "Selfish", user=self.salesman)
        # Nor can the tier be written on the customer, even by a manager.
        with self.assertRaisesRegex(AccessError, "change only through"):
            customer.with_user(self.manager).write({"customer_tier_locked": True, "customer_tier_lock_reason": "x"})
        self.assertFalse(customer.customer_tier_locked)
        self.assertFalse(customer.customer_tier_id)
        self.assertFalse(customer.customer_tier_history_ids)

    def test_unlock_gives_the_tier_back_to_the_recomputation(self):
        big, small = self._create_customers("Unlocked Big", "Unlocked Small")
        self._create_orders([(big, 900, date(2026, 3, 1)), (small, 100, date(2026, 3, 1))])
        self._recompute()
        big = big.with_company(self.company)
        computed = big.customer_tier_id
        self.assertNotEqual(computed, self.tiers["lead"])
        self._set_tier(big.child_ids, self.tiers["lead"], "Price-driven")  # from a contact: its company's tier
        self.assertEqual((big.customer_tier_id, big.customer_tier_locked), (self.tiers["lead"], True))
        self.assertRecordValues(
            big.customer_tier_history_ids.filtered("manual"),
            [{"old_tier_id": computed.id, "new_tier_id": self.tiers["lead"].id, "direction": "down"}],
        )
        with self._tier_dialog(big) as dialog:
            self.assertTrue(dialog.tier_locked)
            dialog.reason = "Loyal again"
        dialog.record.action_unlock()
        self.assertFalse(big.customer_tier_locked)
        self.assertIn("Loyal again", big.message_ids[0].body)
        self._recompute()
        self.assertEqual(big.customer_tier_id, computed)
        self.assertEqual(big.customer_tier_history_ids.sorted("id")[-1].direction, "up")

    def test_keeping_the_same_tier_locks_it_without_a_move(self):
        (steady,) = self._create_customers("Steady Buyer")
        self._create_orders([(steady, 900, date(2026, 3, 1))])
        self._recompute()
        steady = steady.with_company(self.company)
        tier, history = steady.customer_tier_id, steady.customer_tier_history_ids
        self._set_tier(steady, tier, "Strategic, whatever it buys")
        self.assertEqual((steady.customer_tier_id, steady.customer_tier_locked), (tier, True))
        self.assertEqual(steady.customer_tier_history_ids, history, "no tier moved")
        self.assertIn(f"kept at {tier.name} by hand", steady.message_ids[0].body)

    def test_each_company_has_its_own_figures(self):
        shared, local, filler = self._create_customers("Shared Buyer", "Local Buyer", "Filler")
        self._create_orders(
            [(shared, 500, date(2026, 3, 1)), (local, 100, date(2026, 3, 1)), (filler, 400, date(2026, 3, 1))]
        )
        self._create_orders(
            [(shared, 100, date(2026, 3, 1)), (local, 500, date(2026, 3, 1)), (filler, 400, date(2026, 3, 1))],
            company=self.company_eu,
        )
        self._recompute()
        self._recompute(self.company_eu)
        self.assertEqual(shared.with_company(self.company).customer_tier_id, self.tiers["platinum"])
        self.assertEqual(shared.with_company(self.company_eu).customer_tier_id, self.tiers["lead"])
        self.assertEqual(shared.with_company(self.company_eu).customer_value, 100)
        self.assertEqual(local.with_company(self.company_eu).customer_value_rank, 1)
        visible = (
            self.env["res.partner"]
            .with_company(self.company_eu)
            .search([("customer_tier_id", "=", self.tiers["platinum"].id), ("id", "in", (shared | local).ids)])
        )
        self.assertEqual(visible, local)

    def test_lifecycle_follows_the_calendar(self):
        """Orders on 1 June, 1 July, 1 August 2025: an average interval of 30.5 days."""
        customer, prospect = self._create_customers("Cycle Co", "Prospect Co", customer_rank=1)
        self._create_orders([(customer, 100, date(2025, m, 1)) for m in (6, 7, 8)])
        expectations = [
            (date(2025, 8, 20), "new"),
            (date(2025, 9, 15), "active"),
            (date(2025, 9, 20), "at_risk"),
            (date(2026, 1, 28), "dormant"),
            (date(2026, 8, 1), "lost"),
        ]
        for today, lifecycle in expectations:
            with freeze_time(today):
                self.env["customer.tier"]._recompute_company_tiers(self.company)
            self.assertEqual(customer.with_company(self.company).customer_lifecycle, lifecycle, today)
        prospect = prospect.with_company(self.company)
        self.assertEqual(prospect.customer_lifecycle, "prospect")
        self.assertEqual(prospect.customer_tier_id, self.tiers["lead"])
        customer = customer.with_company(self.company)
        self.assertEqual(customer.average_order_interval, 30.5)
        self.assertEqual(customer.expected_next_order_date, date(2025, 9, 1))

    def test_rfm_scores_and_segment(self):
        customers = self._create_customers(*[f"RFM {i}" for i in range(5)])
        specs = []
        for i, customer in enumerate(customers):
            specs += [(customer, 100 * (i + 1), date(2026, 1 + i, 10))] * (i + 1)
        self._create_orders(specs)
        self._recompute()
        customers = customers.with_company(self.company)
        self.assertEqual(customers.mapped("rfm_recency_score"), [1, 2, 3, 4, 5])
        self.assertEqual(customers.mapped("rfm_frequency_score"), [1, 2, 3, 4, 5])
        self.assertEqual(customers.mapped("rfm_monetary_score"), [1, 2, 3, 4, 5])
        self.assertEqual(customers[-1].rfm_segment, "champions")
        self.assertEqual(customers[0].rfm_segment, "lost")

    def _rows_written(self):
        """Rows this transaction inserted, updated or deleted so far, temporary tables aside."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables
                WHERE schemaname NOT LIKE 'pg_temp%'"""
        )
        return self.env.cr.fetchone()[0]

    def test_history_and_chatter_only_on_change(self):
        first, second, third = self._create_customers("Climber", "Leader", "Follower")
        self._create_orders(
            [(first, 100, date(2026, 3, 1)), (second, 500, date(2026, 3, 1)), (third, 400, date(2026, 3, 1))]
        )
        self._recompute()
        self.assertEqual(second.with_company(self.company).customer_tier_id, self.tiers["platinum"])
        messages_before = len(first.message_ids)
        self.assertEqual(first.customer_tier_history_ids.direction, "new")

        written = self._rows_written()
        self.assertEqual(self._recompute()["changed"], 0, "a re-run with no new data writes nothing")
        self.assertEqual(self._rows_written(), written, "no row of any table is inserted, updated or deleted")
        self.assertEqual((first | second | third).customer_tier_history_ids.mapped("direction"), ["new"] * 3)
        self.assertEqual(len(first.customer_tier_history_ids), 1)
        self.assertEqual(len(first.message_ids), messages_before)

        self._create_orders([(first, 1000, date(2026, 4, 1))])
        result = self._recompute()
        # 1,100 / 500 / 400 of 2,000: cumulative 55%, 80%, 100%.
        self.assertEqual((result["up"], result["down"]), (1, 2))
        move = first.customer_tier_history_ids.filtered(lambda h: h.direction == "up")
        self.assertEqual((move.old_tier_id, move.new_tier_id), (self.tiers["lead"], self.tiers["gold"]))
        self.assertEqual(len(first.message_ids), messages_before + 1)
        self.assertIn("Lead → Gold", first.message_ids[0].body)
        self.assertEqual(second.customer_tier_history_ids[0].direction, "down")

    @warmup
    def test_recompute_runs_a_fixed_number_of_queries(self):
        """Set-based: the same queries for 2 customers as for 20 (the recomputation runs as the
        scheduled action does, as the superuser)."""
        for n in (2, 20):
            company = self.env["res.company"].create({"name": f"Query count {n}"})
            customers = self._create_customers(*[f"Q{n}-{i}" for i in range(n)])
            self._create_orders([(c, 100 + i, date(2026, 3, 1)) for i, c in enumerate(customers)], company=company)
            self._recompute(company)
            self._create_orders([(customers[0], 10**6, date(2026, 3, 2))], company=company)
            self.env.invalidate_all()
            with self.subTest(customers=n), self.assertQueryCount(17):
                self._recompute(company)

    def test_preview_wizard_writes_nothing_until_applied(self):
        customers = self._create_customers("P1", "P2", "P3")
        self._create_orders([(c, v, date(2026, 3, 1)) for c, v in zip(customers, [500, 300, 200], strict=True)])
        wizard = self.env["customer.tier.recompute"].with_user(self.manager).with_company(self.company).create({})
        platinum_line = wizard.line_ids.filtered(lambda line: line.tier_id == self.tiers["platinum"])
        self.assertEqual(platinum_line.new_count, 1)
        self.assertFalse(customers[0].with_company(self.company).customer_tier_id)
        history = self.env["customer.tier.history"].search([("company_id", "=", self.company.id)])
        wizard.action_apply()
        # What the preview announced is what was applied: a first tier for each new customer.
        new = self.env["customer.tier.history"].search([("company_id", "=", self.company.id)]) - history
        self.assertEqual(new.mapped("direction"), ["new"] * wizard.new_count)
        self.assertEqual(new.filtered(lambda move: move.partner_id in customers).partner_id, customers)
        self.assertEqual(customers[0].with_company(self.company).customer_tier_id, self.tiers["platinum"])
        wizard = self.env["customer.tier.recompute"].with_user(self.manager).with_company(self.company).create({})
        self.assertEqual((wizard.new_count, wizard.moved_up_count, wizard.moved_down_count), (0, 0, 0))

    def test_salespeople_read_but_do_not_write_tiers(self):
        tier = self.tiers["gold"].with_user(self.salesman)
        self.assertEqual(tier.name, "Gold")
        with self.assertRaises(AccessError):
            tier.write({"visit_interval_days": 7})
        with self.assertRaises(AccessError):
            self.env["customer.tier"].with_user(self.salesman).create(
                {"name": "Diamond", "code": "S", "share_limit": 10, "sequence": 1}
            )
        self.tiers["gold"].with_user(self.manager).write({"visit_interval_days": 21})
        self.assertEqual(self.tiers["gold"].visit_interval_days, 21)

    def test_share_limits_must_increase_and_end_at_100(self):
        tiers = self.env["customer.tier"].with_user(self.manager)
        top, rest = tiers.create(
            [
                {"name": "Top", "code": "T", "sequence": 1, "share_limit": 70, "company_id": self.company.id},
                {"name": "Rest", "code": "R", "sequence": 2, "share_limit": 100, "company_id": self.company.id},
            ]
        )
        self.assertEqual(
            tiers._tiers_for_company(self.company), top | rest, "a company's own tiers replace the shared ones"
        )
        self.assertEqual(tiers._tiers_for_company(self.company_eu).mapped("code"), ["A", "B", "C", "D"])
        with self.assertRaisesRegex(ValidationError, "must reach 100%"):
            rest.share_limit = 99
        with self.assertRaisesRegex(ValidationError, "strictly increase"):
            self.tiers["gold"].with_user(self.manager).share_limit = 40

    def test_deleting_the_last_tier_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "must reach 100%"):
            self.tiers["lead"].with_user(self.manager).unlink()
        self.assertTrue(self.tiers["lead"].exists())

    @mute_logger("odoo.sql_db")
    def test_database_constraints(self):
        for vals in ({"share_limit": 120}, {"share_limit": -1}, {"visit_interval_days": 0}, {"min_value": -5}):
            with self.subTest(vals=vals), self.assertRaises(IntegrityError), self.cr.savepoint():
                self.env["customer.tier"].create(
                    {
                        "name": "Bad",
                        "code": "X",
                        "sequence": 99,
                        "share_limit": 100,
                        "company_id": self.company.id,
                        **vals,
                    }
                )
                self.env.flush_all()

    def test_settings_form_changes_the_window(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.customer_value_window_months = 24
        settings.save().execute()
        self.assertEqual(self.company.customer_value_window_months, 24)
        customer = self._create_customers("Old Friend")
        self._create_orders([(customer, 300, date(2025, 1, 1))])
        self._recompute()
        self.assertEqual(customer.with_company(self.company).customer_value, 300)
