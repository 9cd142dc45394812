from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestCustomerLossAndReferral(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.referrer, cls.referred, cls.quiet = cls._create_customers("Ref Source", "Ref New", "Ref Quiet")
        cls._create_orders(
            [
                (cls.referrer, 1000, date(2026, 5, 1)),
                (cls.referred, 400, date(2026, 6, 1)),
                (cls.quiet, 300, date(2024, 3, 1)),
                (cls.quiet, 200, date(2024, 9, 1)),
                (cls.quiet, 900, date(2023, 1, 1)),
            ]
        )
        cls.referred.write({"referred_by_id": cls.referrer.id, "referral_date": date(2026, 6, 1)})
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 6, 30))
        cls.price = cls.env.ref("customer_relationship.customer_loss_reason_price")

    def test_referrals_are_counted_with_their_value(self):
        referrer = self.referrer.with_company(self.company)
        self.assertEqual(referrer.referral_count, 1)
        self.assertEqual(referrer.referral_value, 400)
        self.assertEqual(self.referred.referral_count, 0)
        referred = self.env["res.partner"].search([("referred_by_id", "=", self.referrer.id)])
        self.assertEqual(referred, self.referred)

    def test_referral_date_defaults_to_today_and_loops_are_refused(self):
        with freeze_time("2026-07-15"):
            newcomer = self.env["res.partner"].create(
                {"name": "Ref Newcomer", "is_company": True, "referred_by_id": self.referred.id}
            )
        self.assertEqual(newcomer.referral_date, date(2026, 7, 15))
        with self.assertRaises(ValidationError):
            self.referrer.referred_by_id = newcomer

    def test_new_referral_rule_thanks_the_referrer(self):
        rule = self.env["customer.care.rule"].create(
            {
                "name": "Thank the referrer",
                "company_id": self.company.id,
                "trigger": "new_referral",
                "days_offset": 1,
                "lead_days": 0,
                "action": "activity",
            }
        )
        actions = rule._generate_actions(date(2026, 6, 1))
        self.assertEqual(actions.partner_id, self.referrer)
        self.assertEqual(actions.due_date, date(2026, 6, 2))
        self.assertEqual(actions.user_id, self.salesman)
        self.assertFalse(rule._generate_actions(date(2026, 6, 2)), "a referral is thanked once")

    def test_manager_marks_lost_customers_with_a_reason_and_the_value_lost(self):
        wizard = Form(
            self.env["customer.loss.mark"]
            .with_user(self.manager)
            .with_company(self.company)
            .with_context(active_model="res.partner", active_ids=self.quiet.child_ids.ids)
        )
        self.assertEqual(wizard.partner_ids[:], self.quiet, "a contact stands for its company")
        wizard.reason_id = self.price
        wizard.note = "Cheaper offer from a competitor"
        with freeze_time("2026-07-01"):
            wizard.save().action_apply()
        quiet = self.quiet.with_company(self.company)
        self.assertEqual(quiet.loss_reason_id, self.price)
        self.assertEqual(quiet.loss_date, date(2026, 7, 1))
        # The 12 months up to its last order (2024-09-01): 300 + 200; the 2023 order is older.
        self.assertEqual(quiet.lost_value, 500)
        self.assertIn("Cheaper offer from a competitor", quiet.message_ids[0].body)
        lost = self.env["res.partner"].with_company(self.company).search([("loss_reason_id", "!=", False)])
        self.assertIn(self.quiet, lost)
        self.assertFalse(self.quiet.with_company(self.company_eu).loss_reason_id, "the loss is per company")

    def test_a_customer_marked_lost_is_lost_until_it_orders_again(self):
        """The lifecycle says what the manager said: lost from the day it is marked, through the
        nightly recomputation, until the customer orders again."""
        referrer = self.referrer.with_company(self.company)
        self.assertEqual(referrer.customer_lifecycle, "new")
        wizard = self.env["customer.loss.mark"].with_user(self.manager).with_company(self.company)
        with freeze_time("2026-07-01"):
            wizard.create({"partner_ids": [(6, 0, self.referrer.ids)], "reason_id": self.price.id}).action_apply()
        self.assertEqual(referrer.customer_lifecycle, "lost")
        self.env["customer.tier"]._recompute_company_tiers(self.company, date(2026, 7, 2))
        self.assertEqual(referrer.customer_lifecycle, "lost")
        self._create_orders([(self.referrer, 50, date(2026, 7, 10))])
        self.env["customer.tier"]._recompute_company_tiers(self.company, date(2026, 7, 11))
        self.assertNotEqual(referrer.customer_lifecycle, "lost")

    def test_only_managers_mark_customers_lost(self):
        with self.assertRaises(AccessError):
            self.env["customer.loss.mark"].with_user(self.salesman).create(
                {"partner_ids": self.quiet.ids, "reason_id": self.price.id}
            )

    def test_default_loss_reasons(self):
        reasons = self.env["customer.loss.reason"].search([]).mapped("name")
        for name in ("Price", "Quality", "Service", "Went to a competitor", "Moved away", "Closed down", "Other"):
            self.assertIn(name, reasons)

    def test_contact_role(self):
        buyer = self.referrer.child_ids
        buyer.contact_role = "decision_maker"
        self.assertEqual(
            dict(buyer._fields["contact_role"]._description_selection(self.env))[buyer.contact_role], "Decision Maker"
        )

    def test_people_met_show_their_role(self):
        buyer = self.referrer.child_ids
        buyer.contact_role = "decision_maker"
        self.assertEqual(
            buyer.with_context(show_contact_role=True).display_name, f"{buyer.display_name} (Decision Maker)"
        )
