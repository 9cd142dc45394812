from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CustomerRelationshipCase

START = date(2026, 1, 1)


class CustomerPoolCase(CustomerRelationshipCase):
    """A pool of the tests' company with two rules, and a Gold, an Iron and a Platinum customer
    of the salesman, held since 1 January 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pool = cls.env["customer.pool"].create(
            {
                "name": "East Pool",
                "company_id": cls.company.id,
                "manager_id": cls.manager.id,
                "member_user_ids": [Command.set((cls.salesman | cls.salesman_other).ids)],
            }
        )
        cls.rule_all = cls._rule(no_contact_days=30, warning_days=7)
        cls.rule_gold = cls._rule(tier_id=cls.tiers["gold"].id, no_contact_days=60, warning_days=7)
        cls.gold, cls.iron, cls.platinum = cls._create_customers("Gold Co", "Iron Co", "Platinum Co")
        cls.accounts = {
            partner: cls._set_account(partner, tier_id=tier.id, lifecycle="active", owner_date=START)
            for partner, tier in [
                (cls.gold, cls.tiers["gold"]),
                (cls.iron, cls.tiers["iron"]),
                (cls.platinum, cls.tiers["platinum"]),
            ]
        }
        cls.Pool = cls.env["customer.pool"]

    @classmethod
    def _rule(cls, pool=None, **values):
        return cls.env["customer.pool.rule"].create({"pool_id": (pool or cls.pool).id, **values})

    def _run(self, day, company=None):
        return self.Pool._reclaim_company(company or self.company, day)

    def _contact(self, partner, day, user=None):
        return self.env["customer.visit"].create(
            {
                "partner_id": partner.id,
                "user_id": (user or self.salesman).id,
                "company_id": self.company.id,
                "planned_start": datetime(day.year, day.month, day.day, 10),
                "done_date": datetime(day.year, day.month, day.day, 10),
                "state": "done",
                "notes": "<p>Talked about next year.</p>",
                "visit_type": "phone",
            }
        )

    def _history(self, partner, reason):
        return self.env["customer.owner.history"].search([("partner_id", "=", partner.id), ("reason", "=", reason)])

    def _warnings(self, partner):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("activity_type_id", "=", self.env.ref("customer_relationship.mail_activity_type_pool_warning").id),
            ]
        )

    def _put_in_pool(self, *partners, previous=None, day=START):
        for partner in partners:
            self.accounts[partner].sudo().write(
                {
                    "user_id": False,
                    "customer_pool_id": self.pool.id,
                    "pool_entry_date": day,
                    "previous_user_id": previous and previous.id,
                }
            )


@tagged("post_install", "-at_install")
class TestCustomerPool(CustomerPoolCase):
    # ------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------

    def test_rules_tier_specific_and_exempt_tier(self):
        self._run(date(2026, 1, 2))
        # The Gold rule is more specific than the all-tier rule; Platinum matches the all-tier one.
        self.assertEqual(self.accounts[self.gold].pool_reclaim_date, date(2026, 3, 2))
        self.assertEqual(self.accounts[self.gold].pool_rule_id, self.rule_gold)
        self.assertEqual(self.accounts[self.iron].pool_reclaim_date, date(2026, 1, 31))
        # Without a rule matching every tier, a tier without its own rule is never reclaimed.
        self.rule_all.tier_id = self.tiers["iron"]
        self.assertFalse(self.accounts[self.platinum].pool_reclaim_date)
        self.assertEqual(self.accounts[self.iron].pool_reclaim_date, date(2026, 1, 31))
        self.assertEqual(self.gold.with_company(self.company).pool_reclaim_date, date(2026, 3, 2))
        # An inactive rule reclaims nothing.
        self.rule_gold.active = False
        self.assertFalse(self.accounts[self.gold].pool_reclaim_date)

    def test_rules_lifecycle_no_contact_and_no_order_days(self):
        dormant = self._rule(lifecycle="dormant", no_contact_days=10, no_order_days=90, warning_days=3)
        self._set_account(self.iron, lifecycle="dormant", last_order_date=date(2026, 2, 1))
        self._contact(self.iron, date(2026, 3, 1))
        self.Pool._refresh_dates(self.company)
        account = self.accounts[self.iron]
        self.assertEqual(account.last_contact_date, date(2026, 3, 1))
        self.assertEqual(account.pool_rule_id, dormant)
        # Both delays must pass: 10 days without contact (11 March), 90 without order (2 May).
        self.assertEqual(account.pool_reclaim_date, date(2026, 5, 2))
        dormant.no_order_days = 0
        self.assertEqual(account.pool_reclaim_date, date(2026, 3, 11))
        # The Gold customer is active: the dormant rule is not for it.
        self.assertEqual(self.accounts[self.gold].pool_rule_id, self.rule_gold)

    def test_locked_and_quoting_customers_are_never_reclaimed(self):
        self._set_tier(self.gold, self.tiers["gold"], "Strategic account")
        self._create_orders([(self.iron, 500.0, date(2026, 1, 10))], confirm=False)
        result = self._run(date(2026, 6, 1))
        self.assertEqual(result["reclaimed"], 1)  # Platinum, by the all-tier rule
        self.assertFalse(self.accounts[self.gold].pool_reclaim_date)
        self.assertFalse(self.accounts[self.iron].pool_reclaim_date)
        self.assertEqual(self.accounts[self.gold].user_id, self.salesman)
        self.assertEqual(self.accounts[self.iron].user_id, self.salesman)
        self.assertEqual(self.accounts[self.platinum].customer_pool_id, self.pool)

    # ------------------------------------------------------------
    # Warning, reclaim, idempotence
    # ------------------------------------------------------------

    def test_warning_then_reclaim(self):
        self.rule_all.tier_id = self.tiers["iron"]  # only the Iron customer
        self.rule_gold.active = False
        self._contact(self.iron, date(2026, 3, 1))
        visit = self.env["customer.visit"].create(
            {
                "partner_id": self.iron.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 12, 20, 10),
            }
        )
        rule = self.env["customer.care.rule"].create(
            {"name": "Birthday", "company_id": self.company.id, "trigger": "birthday", "action": "visit"}
        )
        care = self.env["customer.care.action"].create(
            {
                "rule_id": rule.id,
                "company_id": self.company.id,
                "action": "visit",
                "partner_id": self.iron.id,
                "occurrence_date": date(2026, 12, 24),
                "due_date": date(2026, 12, 24),
                "user_id": self.salesman.id,
            }
        )
        # 31 March is the reclaim date: the warning comes 7 days before, once.
        self.assertEqual(self._run(date(2026, 3, 23)), {"warned": 0, "reclaimed": 0})
        self.assertEqual(self._run(date(2026, 3, 24)), {"warned": 1, "reclaimed": 0})
        warning = self._warnings(self.iron)
        self.assertEqual(warning.date_deadline, date(2026, 3, 31))
        self.assertEqual(warning.user_id, self.salesman)
        self.assertIn("Back to the customer pool on", warning.summary)
        self.assertEqual(self._run(date(2026, 3, 24)), {"warned": 0, "reclaimed": 0})
        self.assertEqual(self._run(date(2026, 3, 30)), {"warned": 0, "reclaimed": 0})
        self.assertEqual(len(self._warnings(self.iron)), 1)
        messages = len(self.iron.message_ids)

        self.assertEqual(self._run(date(2026, 3, 31)), {"warned": 0, "reclaimed": 1})
        account = self.accounts[self.iron]
        self.assertFalse(account.user_id)
        self.assertEqual(account.customer_pool_id, self.pool)
        self.assertEqual(account.pool_entry_date, date(2026, 3, 31))
        self.assertEqual(account.previous_user_id, self.salesman)
        self.assertFalse(self.iron.user_id)
        history = self._history(self.iron, "reclaim")
        self.assertEqual(
            (history.old_user_id, history.new_user_id, history.pool_id),
            (self.salesman, self.env["res.users"], self.pool),
        )
        self.assertEqual(history.user_id, self.salesman)
        self.assertEqual(len(self.iron.message_ids), messages + 1)
        self.assertIn("Reclaimed into the customer pool East Pool", self.iron.message_ids[0].body)
        self.assertEqual(visit.state, "cancelled")
        self.assertEqual(care.state, "skipped")
        self.assertFalse(self._warnings(self.iron))
        digest = self.pool.message_ids.filtered(lambda m: self.manager.partner_id in m.partner_ids)
        self.assertEqual(len(digest), 1)
        self.assertIn("Iron Co", digest.body)
        # The Gold customer keeps its salesperson: no active rule matches its tier.
        self.assertEqual(self.accounts[self.gold].user_id, self.salesman)

        # Run twice the same day, and the next: no second move, warning, note or digest.
        self.assertEqual(self._run(date(2026, 3, 31)), {"warned": 0, "reclaimed": 0})
        self.assertEqual(self._run(date(2026, 4, 1)), {"warned": 0, "reclaimed": 0})
        self.assertEqual(len(self._history(self.iron, "reclaim")), 1)
        self.assertEqual(len(self.iron.message_ids), messages + 1)
        self.assertEqual(len(self.pool.message_ids.filtered(lambda m: self.manager.partner_id in m.partner_ids)), 1)

    def test_contact_postpones_and_warns_again_for_the_new_date(self):
        self.rule_all.tier_id = self.tiers["iron"]
        self._run(date(2026, 1, 25))  # 31 January - 7 days: warned
        self.assertEqual(len(self._warnings(self.iron)), 1)
        self._contact(self.iron, date(2026, 1, 26))
        self.assertEqual(self.accounts[self.iron].pool_reclaim_date, date(2026, 2, 25))
        self.assertEqual(self._run(date(2026, 1, 31)), {"warned": 0, "reclaimed": 0})
        self.assertEqual(self._run(date(2026, 2, 18)), {"warned": 1, "reclaimed": 0})
        # The warning for the old date is replaced by the one for the new date.
        self.assertEqual(self._warnings(self.iron).date_deadline, date(2026, 2, 25))

    def test_cron_isolates_companies_and_reports_progress(self):
        pool_eu = self.env["customer.pool"].create({"name": "Hamburg Pool", "company_id": self.company_eu.id})
        self._rule(pool_eu, no_contact_days=10)
        account_eu = self._set_account(self.iron, self.company_eu, user_id=self.salesman.id, owner_date=START)
        self.env["ir.cron"].flush_model()
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda cron, processed=0, **kw: 1.0):
            self.Pool._cron_reclaim(today=date(2026, 2, 1))
        self.assertEqual(account_eu.customer_pool_id, pool_eu)
        self.assertEqual(self.accounts[self.iron].customer_pool_id, self.pool)
        # Each company's account moved into its own company's pool only.
        self.assertEqual(self.accounts[self.gold].user_id, self.salesman)

    # ------------------------------------------------------------
    # Claim, assign, release
    # ------------------------------------------------------------

    @freeze_time("2026-06-30 09:00:00")
    def test_claim_limits_and_cooldown(self):
        extra = self._create_customers("Extra Co", user_id=False)
        self.accounts[extra] = self._set_account(extra, tier_id=self.tiers["iron"].id)
        self._put_in_pool(self.gold, self.iron, extra)
        Account = self.env["customer.account"].with_user(self.salesman)

        self.pool.claim_limit = 2  # the salesman holds Platinum Co already
        with self.assertRaisesRegex(
            UserError,
            "You already hold 1 customers in CR Test Shanghai; the pool East Pool lets a salesperson hold at most 2.",
        ):
            Account.browse((self.accounts[self.gold] | self.accounts[self.iron]).ids).action_pool_claim()
        self.assertEqual(self.accounts[self.gold].customer_pool_id, self.pool)

        self.pool.claim_limit = 0
        self.pool.daily_claim_limit = 1
        Account.browse(self.accounts[self.gold].id).action_pool_claim()
        self.assertEqual(self.accounts[self.gold].user_id, self.salesman)
        self.assertFalse(self.accounts[self.gold].customer_pool_id)
        self.assertEqual(self.gold.user_id, self.salesman)
        with self.assertRaisesRegex(
            UserError, "You already claimed 1 customers from the pool East Pool today; the limit is 1 a day."
        ):
            Account.browse(self.accounts[self.iron].id).action_pool_claim()

        self.pool.daily_claim_limit = 0
        self.pool.reclaim_cooldown_days = 30
        self._put_in_pool(extra, previous=self.salesman, day=date(2026, 6, 20))
        with self.assertRaisesRegex(
            UserError, "Extra Co went back to the pool from you on 06/20/2026: you may claim it again from 07/20/2026."
        ):
            Account.browse(self.accounts[extra].id).action_pool_claim()
        # Another salesperson may claim it at once.
        self.env["customer.account"].with_user(self.salesman_other).browse(self.accounts[extra].id).action_pool_claim()
        self.assertEqual(self.accounts[extra].user_id, self.salesman_other)
        with self.assertRaisesRegex(UserError, "only pool customers can be claimed"):
            Account.browse(self.accounts[self.platinum].id).action_pool_claim()

    def test_history_of_every_change(self):
        account = self.accounts[self.iron]
        # Odoo's salesperson of the customer changes: the account its former salesperson held follows.
        self.iron.user_id = self.salesman_all
        manual = self._history(self.iron, "manual")
        self.assertEqual((manual.old_user_id, manual.new_user_id), (self.salesman, self.salesman_all))
        self.assertEqual(account.user_id, self.salesman_all)
        # A manager edits the salesperson on the account.
        account.with_user(self.manager).write({"user_id": self.salesman_other.id})
        manual = self._history(self.iron, "manual")[0]
        self.assertEqual(
            (manual.old_user_id, manual.new_user_id, manual.by_user_id),
            (self.salesman_all, self.salesman_other, self.manager),
        )

        # Released by its salesperson, with a reason; claimed; assigned by a manager.
        wizard = (
            self.env["customer.pool.release"]
            .with_user(self.salesman_other)
            .with_context(active_model="res.partner", active_ids=self.iron.ids, allowed_company_ids=self.company.ids)
            .create({"reason": "Moved to the north region"})
        )
        self.assertEqual(wizard.pool_id, self.pool)
        wizard.action_release()
        release = self._history(self.iron, "release")
        self.assertEqual(
            (release.old_user_id, release.note, release.pool_id),
            (self.salesman_other, "Moved to the north region", self.pool),
        )
        self.assertEqual(account.customer_pool_id, self.pool)
        self.assertIn("Moved to the north region", self.iron.message_ids[0].body)

        account.with_user(self.salesman).action_pool_claim()
        claim = self._history(self.iron, "claim")
        self.assertEqual(
            (claim.old_user_id, claim.new_user_id, claim.pool_id), (self.env["res.users"], self.salesman, self.pool)
        )

        self.env["customer.pool.assign"].with_user(self.manager).with_context(
            active_model="customer.account", active_ids=account.ids
        ).create({"user_id": self.salesman_other.id}).action_assign()
        assign = self._history(self.iron, "assign")
        self.assertEqual((assign.old_user_id, assign.new_user_id), (self.salesman, self.salesman_other))

        # The handover writes its history rows in one statement.
        self.env["customer.handover"].with_user(self.manager).with_company(self.company).create(
            {"from_user_id": self.salesman_other.id, "to_user_id": self.salesman.id, "company_id": self.company.id}
        ).action_apply()
        handover = self._history(self.iron, "handover")
        self.assertEqual(
            (handover.old_user_id, handover.new_user_id, handover.by_user_id),
            (self.salesman_other, self.salesman, self.manager),
        )
        self.assertEqual(account.user_id, self.salesman)
        self.assertEqual(
            self.iron.customer_owner_history_ids.mapped("reason"),
            ["handover", "assign", "claim", "release", "manual", "manual"],
        )

    def test_release_needs_owner_or_manager_and_a_reason(self):
        Release = self.env["customer.pool.release"].with_context(active_model="res.partner", active_ids=self.iron.ids)
        with self.assertRaisesRegex(AccessError, "Only the salesperson or a manager can release Iron Co."):
            Release.with_user(self.salesman_all).create({"reason": "not mine"}).action_release()
        # A salesperson who cannot read the customer's account has nothing to release.
        with self.assertRaisesRegex(UserError, "no customer of yours to release"):
            Release.with_user(self.salesman_other).create({"reason": "not mine"}).action_release()
        with self.assertRaisesRegex(UserError, "Give the reason"):
            Release.with_user(self.salesman).create({"reason": " "}).action_release()
        self.assertEqual(self.accounts[self.iron].user_id, self.salesman)
        Release.with_user(self.manager).create({"reason": "Reorganisation"}).action_release()
        self.assertEqual(self.accounts[self.iron].customer_pool_id, self.pool)

    def test_assign_is_for_managers(self):
        self._put_in_pool(self.iron)
        with self.assertRaisesRegex(AccessError, "Only customer relationship managers can assign customers."):
            self.accounts[self.iron].with_user(self.salesman_all)._pool_assign(self.salesman)
