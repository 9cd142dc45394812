from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged, users, warmup

from .test_customer_pool import START, CustomerPoolCase


@tagged("post_install", "-at_install")
class TestCustomerPoolAccess(CustomerPoolCase):
    # ------------------------------------------------------------
    # Record rules and companies
    # ------------------------------------------------------------

    def test_record_rules(self):
        outsider = new_test_user(
            self.env,
            "cr_pool_outsider",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self._put_in_pool(self.iron)
        account = self.accounts[self.iron]
        # A salesperson outside the pool sees neither the pool nor its customers.
        self.assertFalse(self.env["customer.pool"].with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            self.pool.with_user(outsider).read(["name"])
        self.assertFalse(self.env["customer.account"].with_user(outsider).search([("id", "=", account.id)]))
        with self.assertRaises(AccessError):
            account.with_user(outsider).action_pool_claim()
        # A member reads the pool customer (name, tier, value, lifecycle, last contact), not another's.
        member_accounts = self.env["customer.account"].with_user(self.salesman_other)
        self.assertEqual(member_accounts.search([("customer_pool_id", "=", self.pool.id)]), account)
        self.assertFalse(member_accounts.search([("id", "=", self.accounts[self.gold].id)]))
        account.with_user(self.salesman_other).read(
            ["partner_id", "partner_city", "tier_id", "value", "lifecycle", "last_contact_date"]
        )
        # ... and its tier changes, which an outsider does not see.
        history = self.env["customer.tier.history"].create(
            {
                "partner_id": self.iron.id,
                "company_id": self.company.id,
                "date": START,
                "old_tier_id": self.tiers["gold"].id,
                "new_tier_id": self.tiers["iron"].id,
                "direction": "down",
            }
        )
        self.assertEqual(
            self.env["customer.tier.history"]
            .with_user(self.salesman_other)
            .search([("partner_id", "=", self.iron.id)]),
            history,
        )
        self.assertFalse(
            self.env["customer.tier.history"].with_user(outsider).search([("partner_id", "=", self.iron.id)])
        )
        # ... but may not write it before claiming it.
        with self.assertRaises(AccessError):
            account.with_user(self.salesman_other).write({"relationship_level": "partnership"})
        account.with_user(self.salesman_other).action_pool_claim()
        self.assertEqual(account.with_user(self.salesman_other).user_id, self.salesman_other)
        # A pool without members is every addon user's in its company.
        self.pool.member_user_ids = False
        self.assertEqual(self.env["customer.pool"].with_user(outsider).search([]), self.pool)
        # The history: a salesperson reads the moves of customers they took or lost.
        self.assertEqual(
            self.env["customer.owner.history"].with_user(outsider).search([("partner_id", "=", self.iron.id)]),
            self.env["customer.owner.history"],
        )
        self.assertTrue(
            self.env["customer.owner.history"]
            .with_user(self.salesman_other)
            .search([("partner_id", "=", self.iron.id)])
        )

    def test_multi_company(self):
        pool_eu = self.env["customer.pool"].create({"name": "Hamburg Pool", "company_id": self.company_eu.id})
        rule_eu = self._rule(pool_eu, no_contact_days=10)
        user = self.salesman.with_context(allowed_company_ids=self.company.ids)
        self.assertNotIn(pool_eu, self.env["customer.pool"].with_user(user).search([]))
        self.assertFalse(self.env["customer.pool.rule"].with_user(user).search([("id", "=", rule_eu.id)]))
        with self.assertRaisesRegex(Exception, "cannot work in CR Test Hamburg"):
            pool_eu.member_user_ids = self.salesman
        # Reclaiming in one company leaves the customer's account in the other alone.
        account_eu = self._set_account(self.iron, self.company_eu, user_id=self.salesman.id, owner_date=START)
        self._run(date(2026, 6, 1))
        self.assertEqual(self.accounts[self.iron].customer_pool_id, self.pool)
        self.assertEqual(account_eu.user_id, self.salesman)
        self.assertFalse(account_eu.customer_pool_id)

    # ------------------------------------------------------------
    # Scale
    # ------------------------------------------------------------

    def _more_customers(self, count, prefix):
        partners = self._create_customers(*[f"{prefix} {i}" for i in range(count)])
        for partner in partners:
            self.accounts[partner] = self._set_account(partner, tier_id=self.tiers["iron"].id, owner_date=START)
        return partners

    @warmup
    def test_set_based_reclaim_takes_the_same_queries_for_more_customers(self):
        """The same queries to reclaim 3 customers as 12 (as the scheduled action, the superuser)."""
        day = date(2026, 6, 1)
        for more, reclaimed in ((0, 3), (12, 12)):
            self._more_customers(more, "More")
            self.env.invalidate_all()
            # the dates of every account of the company, then the reclaim of those due: statements over sets
            with self.assertQueryCount(5):
                self.Pool._refresh_company_dates(self.company, today=day)
                moves = self.Pool._reclaim_due(self.company, day)
            self.assertEqual(len(moves), reclaimed)

    def _open_pool_kanban(self):
        """What the pool kanban asks the server: the accounts grouped by tier, with their cards."""
        self.env["customer.account"].web_read_group(
            [("customer_pool_id", "!=", False)],
            ["tier_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification={
                name: {"fields": {"display_name": {}}}
                if name in ("partner_id", "previous_user_id", "currency_id")
                else {}
                for name in (
                    "partner_id",
                    "partner_city",
                    "value",
                    "currency_id",
                    "last_contact_date",
                    "pool_days",
                    "lifecycle",
                    "previous_user_id",
                )
            },
            unfold_read_default_limit=40,
        )

    @users("cr_salesman")
    @warmup
    def test_pool_kanban_queries_do_not_grow_with_customers(self):
        self._put_in_pool(*self._more_customers(2, "First"), previous=self.salesman_other)
        self._put_in_pool(*self._more_customers(3, "Second"), previous=self.salesman_other)
        self.env.invalidate_all()
        with self.assertQueryCount(cr_salesman=9):
            self._open_pool_kanban()
        more = self._more_customers(15, "Pooled")
        self._put_in_pool(*more, previous=self.salesman_other)
        self.env.invalidate_all()
        with self.assertQueryCount(cr_salesman=9):  # the same for 20 pooled customers as for 5
            self._open_pool_kanban()

    @freeze_time("2026-01-28 09:00:00")
    def test_back_to_the_pool_this_week(self):
        self._put_in_pool(self.gold)
        self.Pool._refresh_dates(self.company)
        # Iron and Platinum go back on 31 January by the all-tier rule: this week.
        self.assertEqual(self.accounts[self.iron].pool_reclaim_date, date(2026, 1, 31))
        soon = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .search(
                [
                    ("parent_id", "=", False),
                    ("customer_account_user_id", "=", self.salesman.id),
                    ("pool_reclaim_soon", "=", True),
                ]
            )
        )
        self.assertEqual(soon, self.iron | self.platinum)

    def test_back_to_the_pool_soon_in_my_day(self):
        """My Day (which reads the database's date) lists the salesperson's customers whose reclaim
        date falls within the week, nobody else's."""
        today = date.today()
        self.accounts[self.iron].sudo().pool_reclaim_date = today + timedelta(days=3)
        self.accounts[self.platinum].sudo().pool_reclaim_date = today + timedelta(days=20)
        day = self.env["customer.worklist"].with_user(self.salesman).with_company(self.company)
        pool_rows = day.search([("reason", "=", "pool")])
        self.assertEqual(pool_rows.partner_id, self.iron)
        self.assertEqual(pool_rows.date, today + timedelta(days=3))
        self.assertNotIn(self.iron, day.with_user(self.salesman_other).search([("reason", "=", "pool")]).partner_id)
