from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestRelationshipLevel(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 500/300/150/50: Platinum (target partnership), Gold (proactive), Iron (accountable), Lead (reactive)
        cls.customers = cls._create_customers("Level A", "Level B", "Level C", "Level D")
        cls._create_orders([(c, v, date(2026, 3, 1)) for c, v in zip(cls.customers, [500, 300, 150, 50], strict=True)])
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 6, 30))
        cls.customers = cls.customers.with_company(cls.company)

    def test_target_comes_from_the_tier_and_gap_follows(self):
        platinum, gold, iron, lead = self.customers
        platinum.relationship_level = "proactive"
        gold.relationship_level = "proactive"
        iron.relationship_level = "partnership"
        self.assertEqual(
            self.customers.mapped("target_relationship_level"), ["partnership", "proactive", "accountable", "reactive"]
        )
        self.assertEqual(self.customers.mapped("relationship_gap"), ["below", "at", "above", "below"])
        self.assertEqual(lead.relationship_level, "basic", "a new customer starts basic")

    def test_gap_is_searchable(self):
        platinum, gold, iron, _lead = self.customers
        gold.relationship_level = "proactive"
        iron.relationship_level = "partnership"
        partners = self.env["res.partner"].with_company(self.company)
        mine = [("id", "in", self.customers.ids)]
        self.assertEqual(partners.search([*mine, ("relationship_gap", "=", "at")]), gold)
        self.assertEqual(partners.search([*mine, ("relationship_gap", "=", "above")]), iron)
        self.assertEqual(partners.search([*mine, ("relationship_gap", "=", "below")]), platinum | self.customers[3])
        self.assertEqual(partners.search([*mine, ("relationship_gap", "!=", "below")]), gold | iron)

    def test_contacts_show_their_company_level(self):
        platinum = self.customers[0]
        platinum.sudo().relationship_level = "partnership"  # as the level-change dialog writes it
        self.assertEqual(platinum.child_ids.relationship_level, "partnership")
        self.assertEqual(platinum.child_ids.relationship_gap, "at")

    def test_margin_moves_the_target_as_in_kotlers_matrix(self):
        platinum, gold, iron, lead = self.customers
        # Iron's order costs 95% of its price, Gold's 20%; Platinum's and Lead's carry no cost:
        # their margin is unknown (not 100%), shown as nothing and moving no target.
        lines = self.env["sale.order.line"].search([("order_id.partner_id", "in", (iron | gold).ids)])
        lines.filtered(lambda line: line.order_id.partner_id == iron).purchase_price = 142.5
        lines.filtered(lambda line: line.order_id.partner_id == gold).purchase_price = 60
        self._recompute()
        self.assertEqual(iron.customer_margin_rate, 5.0)
        self.assertEqual(gold.customer_margin_rate, 80.0)
        self.assertEqual(self.customers.mapped("customer_margin_known"), [False, True, True, False])
        targets = ["partnership", "proactive", "accountable", "reactive"]
        self.assertEqual(self.customers.mapped("target_relationship_level"), targets, "no adjustment by default")

        self.company.write(
            {"relationship_margin_adjust": True, "relationship_margin_high": 30, "relationship_margin_low": 10}
        )
        self.customers.invalidate_recordset()
        # High margins move the target one level up (partnership stays the top), a low one down,
        # an unknown one not at all.
        self.assertEqual(
            self.customers.mapped("target_relationship_level"),
            ["partnership", "partnership", "reactive", "reactive"],
        )
        partners = self.env["res.partner"].with_company(self.company)
        mine = [("id", "in", self.customers.ids)]
        self.assertEqual(partners.search([*mine, ("target_relationship_level", "=", "partnership")]), platinum | gold)
        self.assertEqual(partners.search([*mine, ("target_relationship_level", "=", "reactive")]), iron | lead)
        gold.relationship_level = "proactive"
        self.assertEqual(gold.relationship_gap, "below")
        self.assertIn(gold, partners.search([*mine, ("relationship_gap", "=", "below")]))
        self.assertNotIn(lead, partners.search([*mine, ("relationship_gap", "=", "at")]))

    def test_raising_a_level_records_the_reason(self):
        platinum = self.customers[0]
        wizard = (
            self.env["customer.relationship.level.change"]
            .with_user(self.salesman)
            .with_context(default_partner_id=platinum.child_ids.id)
            .create({"new_level": "proactive", "reason": "Monthly call with product news"})
        )
        self.assertEqual(wizard.partner_id, platinum, "a contact's level is its company's")
        wizard.action_apply()
        self.assertEqual(platinum.relationship_level, "proactive")
        note = platinum.message_ids[0]
        self.assertIn("Monthly call with product news", note.body)
        self.assertIn("Proactive", note.body)
        self.assertEqual(note.author_id, self.salesman.partner_id)

    def test_only_the_salesperson_or_a_manager_changes_a_level(self):
        platinum = self.customers[0]
        wizard = (
            self.env["customer.relationship.level.change"]
            .with_user(self.salesman_other)
            .create({"partner_id": platinum.id, "new_level": "partnership", "reason": "Not mine"})
        )
        with self.assertRaises(AccessError):
            wizard.action_apply()
        self.assertEqual(platinum.relationship_level, "basic")
        self.assertFalse(platinum.message_ids.filtered(lambda m: "Not mine" in (m.body or "")))

    def test_changing_to_the_same_level_is_refused(self):
        platinum = self.customers[0]
        wizard = (
            self.env["customer.relationship.level.change"]
            .with_user(self.manager)
            .create({"partner_id": platinum.id, "new_level": "basic", "reason": "Nothing new"})
        )
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertFalse(platinum.message_ids.filtered(lambda m: "Nothing new" in (m.body or "")))
