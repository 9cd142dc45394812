from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestCustomerAccount(CustomerRelationshipCase):
    """A customer is what it is in each company: tier, level, lock and salesperson per company,
    on an account of its own; the nightly recomputation writes the accounts only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.salesman, cls.salesman_other, cls.salesman_all, cls.manager):
            user.company_ids = [Command.link(cls.company_eu.id)]
        cls.shared, cls.filler = cls._create_customers("Two Company Co", "Filler Co")
        cls._create_orders([(cls.shared, 900, date(2026, 3, 1)), (cls.filler, 100, date(2026, 3, 1))])
        cls._create_orders(
            [(cls.shared, 100, date(2026, 3, 1)), (cls.filler, 900, date(2026, 3, 1))], company=cls.company_eu
        )
        cls._recompute()
        cls._recompute(cls.company_eu)

    @classmethod
    def _recompute(cls, company=None, today=date(2026, 6, 30)):
        return cls.env["customer.tier"]._recompute_company_tiers(company or cls.company, today)

    def _in(self, company, user=None):
        partner = self.shared.with_company(company)
        return partner.with_user(user) if user else partner

    def test_tier_level_lock_and_salesperson_per_company(self):
        self._in(self.company).relationship_level = "partnership"
        self._set_tier(self.shared, self.tiers["gold"], "Strategic in Europe", company=self.company_eu)
        self.env["customer.account"]._for_partners(self.shared, self.company_eu)[
            self.shared.id
        ].user_id = self.salesman_other
        self._recompute()
        self._recompute(self.company_eu)
        here, there = self._in(self.company), self._in(self.company_eu)
        self.assertEqual(
            (here.customer_tier_id, here.relationship_level, here.customer_tier_locked, here.customer_account_user_id),
            (self.tiers["iron"], "partnership", False, self.salesman),
        )
        self.assertEqual(
            (there.customer_tier_id, there.relationship_level, there.customer_tier_locked),
            (self.tiers["gold"], "basic", True),
        )
        self.assertEqual(there.customer_account_user_id, self.salesman_other)
        # The contact person shows its company's account, in each company.
        self.assertEqual(self.shared.child_ids.with_company(self.company_eu).customer_tier_id, self.tiers["gold"])
        # The partner fields search the account of the current company.
        partners = self.env["res.partner"].with_company(self.company_eu)
        mine = [("id", "=", self.shared.id)]
        self.assertEqual(
            partners.search([*mine, ("customer_account_user_id", "=", self.salesman_other.id)]), self.shared
        )
        self.assertFalse(
            partners.with_company(self.company).search(
                [*mine, ("customer_account_user_id", "=", self.salesman_other.id)]
            )
        )
        self.assertEqual(partners.search([*mine, ("relationship_level", "=", "basic")]), self.shared)
        # Grouped by the salesperson of each company (the first company's account follows the partner's).
        for company, user in ((self.company_eu, self.salesman_other), (self.company, self.salesman)):
            groups = partners.with_company(company)._read_group(mine, ["customer_account_user_id"], ["__count"])
            self.assertEqual(groups, [(user, 1)])
        self.assertEqual(
            partners.with_company(self.company).search([*mine, ("relationship_level", "=", "partnership")]), self.shared
        )

    def test_recomputation_writes_only_the_accounts(self):
        self.env.flush_all()
        written = SQL("SELECT write_date FROM res_partner WHERE id = %s", self.shared.id)
        [(partner_write,)] = self.env.execute_query(written)
        # A new order moves the figures: the accounts change, the partner rows do not.
        self._create_orders([(self.filler, 5000, date(2026, 6, 1))])
        result = self._recompute()
        self.assertTrue(result["changed"])
        self.env.flush_all()
        [(partner_write_after,)] = self.env.execute_query(written)
        self.assertEqual(partner_write_after, partner_write)
        self.assertEqual(self._recompute()["changed"], 0, "a re-run with no new data writes nothing")

    def test_kanban_groups_by_tier_through_one_join(self):
        partners = self.env["res.partner"].with_company(self.company)
        query = partners._search([("customer_tier_id", "!=", False), ("id", "in", (self.shared | self.filler).ids)])
        groups = partners._read_group(
            [("id", "in", (self.shared | self.filler).ids)], ["customer_tier_id"], ["__count", "customer_value:sum"]
        )
        self.assertEqual(
            sorted((tier.name, count, value) for tier, count, value in groups),
            [("Iron", 1, 900.0), ("Lead", 1, 100.0)],
        )
        sql = query.select().code
        self.assertIn('LEFT JOIN "customer_account"', sql)
        self.assertNotIn("jsonb", sql)

    def test_record_rules_follow_company_and_salesperson(self):
        Account = self.env["customer.account"]
        self.env["customer.account"]._for_partners(self.filler, self.company)[
            self.filler.id
        ].user_id = self.salesman_other
        own = Account.with_user(self.salesman).with_company(self.company).search([])
        self.assertIn(self.shared, own.partner_id)
        self.assertNotIn(self.filler, own.partner_id, "another salesperson's account")
        every = Account.with_user(self.salesman_all).with_company(self.company).search([])
        self.assertTrue((self.shared | self.filler) <= every.partner_id)
        self.assertEqual(every.company_id, self.company, "the other company's accounts stay out of reach")
        with self.assertRaises(AccessError):
            own[:1].with_user(self.salesman).user_id = self.salesman_all

    def test_handover_moves_one_company_account(self):
        wizard = Form(self.env["customer.handover"].with_user(self.manager).with_company(self.company_eu))
        wizard.company_id = self.company_eu
        wizard.from_user_id = self.salesman
        wizard.to_user_id = self.salesman_other
        wizard.partner_ids.add(self.shared)
        wizard.save().action_apply()
        self.assertEqual(self._in(self.company_eu).customer_account_user_id, self.salesman_other)
        self.assertEqual(
            self._in(self.company).customer_account_user_id, self.salesman, "the other company keeps its salesperson"
        )

    def test_accounts_follow_the_customer_salesperson_they_had(self):
        """Changing Odoo's salesperson of a customer moves its accounts held by the former one;
        an account another salesperson holds, or nobody, stays as it is."""
        self.shared.user_id = self.salesman
        Account = self.env["customer.account"]
        here = Account._for_partners(self.shared, self.company)[self.shared.id]
        there = Account._for_partners(self.shared, self.company_eu)[self.shared.id]
        self.assertEqual((here.user_id, there.user_id), (self.salesman, self.salesman))
        there.user_id = self.salesman_other
        self.shared.user_id = self.salesman_all
        self.assertEqual((here.user_id, there.user_id), (self.salesman_all, self.salesman_other))
        # A new account takes the customer's salesperson; an emptied one stays empty.
        here.user_id = False
        self.shared.user_id = self.manager
        self.assertFalse(here.user_id)
        self.assertEqual(self._in(self.company).customer_account_user_id.id, False)
        self.assertEqual(
            self._in(self.company).search([("id", "=", self.shared.id), ("customer_account_user_id", "=", False)]),
            self.shared,
        )

    def test_form_buttons_count_what_their_lists_show(self):
        """The customer form's buttons (care actions, tier changes, salesperson changes) count
        the rows their lists show the user, in the companies selected."""
        for company in (self.company, self.company_eu):
            rule = self.env["customer.care.rule"].create(
                {"name": "Count call", "trigger": "birthday", "action": "activity", "company_id": company.id}
            )
            self.env["customer.care.action"].create(
                {
                    "rule_id": rule.id,
                    "company_id": company.id,
                    "action": "activity",
                    "partner_id": self.shared.id,
                    "contact_id": self.shared.id,
                    "occurrence_date": "2026-05-04",
                    "due_date": "2026-05-01",
                    "user_id": self.salesman.id,
                }
            )
        # Another salesperson in Europe: a salesperson change there only.
        self.env["customer.account"]._for_partners(self.shared, self.company_eu)[
            self.shared.id
        ].user_id = self.salesman_other
        here = {"allowed_company_ids": [self.company.id]}
        partner = self.shared.with_user(self.salesman).with_context(**here)
        counts = {}
        for button, count in (
            ("action_view_care_actions", "care_action_count"),
            ("action_view_tier_history", "customer_tier_history_count"),
            ("action_view_owner_history", "customer_owner_history_count"),
        ):
            action = getattr(partner, button)()
            self.assertEqual(action["views"][0][1], "list", "the list opens first")
            listed = (
                self.env[action["res_model"]]
                .with_user(self.salesman)
                .with_context(**here, **action["context"])
                .search_count(action["domain"])
            )
            counts[count] = partner[count]
            self.assertEqual(partner[count], listed, button)
        # The care action and the first classification of this company, not Europe's.
        self.assertEqual((counts["care_action_count"], counts["customer_tier_history_count"]), (1, 1))
        self.assertEqual(counts["customer_owner_history_count"], 0)
        both = self.shared.with_context(allowed_company_ids=[self.company.id, self.company_eu.id])
        self.assertEqual(
            (both.care_action_count, both.customer_tier_history_count, both.customer_owner_history_count), (2, 2, 1)
        )
