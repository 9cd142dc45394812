from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestDashboard(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mine = cls._create_customers("Dash A", "Dash B")
        theirs = cls._create_customers("Dash C", user_id=cls.salesman_other.id)
        cls._create_orders(
            [(mine[0], 600, date(2026, 5, 1)), (mine[1], 100, date(2026, 5, 1)), (theirs, 300, date(2026, 5, 1))]
        )
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 6, 30))

    def _data(self, user):
        return (
            self.env["customer.relationship.dashboard"].with_user(user).with_company(self.company).get_dashboard_data()
        )

    def test_manager_sees_every_customer_per_tier(self):
        data = self._data(self.manager)
        self.assertTrue(data["see_all"])
        # Every customer of the database is classified in the company: the demo ones without orders are Lead.
        tiered = (
            self.env["res.partner"]
            .with_company(self.company)
            .search_count([("parent_id", "=", False), ("customer_tier_id", "!=", False)])
        )
        self.assertEqual(data["customer_count"], tiered)
        # 600 of 1,000 is 60%: Gold (80%); 300 brings it to 90%: Iron; 100 to 100%: Lead.
        by_tier = {tier["name"]: (tier["value"], tier["share"]) for tier in data["tiers"]}
        self.assertEqual(by_tier, {"Gold": (600, 60.0), "Iron": (300, 30.0), "Lead": (100, 10.0)})
        self.assertEqual([tier["count"] for tier in data["tiers"]][:2], [1, 1])
        gold = self.env["res.partner"].search([("name", "=", "Dash A")])
        gold.with_company(self.company).relationship_level = "proactive"
        self.assertEqual(self._data(self.manager)["relationship_below"], data["relationship_below"] - 1)

    def test_salesperson_sees_their_portfolio(self):
        data = self._data(self.salesman)
        self.assertFalse(data["see_all"])
        self.assertEqual(data["customer_count"], 2)
        self.assertEqual({tier["name"] for tier in data["tiers"]}, {"Gold", "Lead"})
        self.assertEqual(sum(tier["share"] for tier in data["tiers"]), 100.0)

    def test_salesperson_of_the_account_counts(self):
        """A customer given to the salesperson in this company (its account's salesperson) is theirs
        on the dashboard and under "My Customers", whoever its salesperson elsewhere."""
        theirs = self.env["res.partner"].search([("name", "=", "Dash C")])
        account = self.env["customer.account"].search(
            [("partner_id", "=", theirs.id), ("company_id", "=", self.company.id)]
        )
        account.user_id = self.salesman
        data = self._data(self.salesman)
        self.assertEqual(data["customer_count"], 3)
        mine = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .with_company(self.company)
            .search([("customer_account_user_id", "=", self.salesman.id), ("parent_id", "=", False)])
        )
        self.assertIn(theirs, mine)
        self.assertEqual(theirs.user_id, self.salesman_other)

    def test_churn_rate_of_the_quarter(self):
        # Active on 1 April (ordered within the 180 dormant days), quiet since: dormant on 28 June.
        quiet = self._create_customers("Dash Quiet")
        self._create_orders([(quiet, 200, date(2025, 12, 30)), (quiet, 200, date(2025, 12, 31))])
        self.env["customer.retention.report"]._refresh_company(self.company, date(2026, 6, 30))
        with freeze_time("2026-06-30"):
            data = self._data(self.manager)
        # Active when the quarter began: Dash Quiet only (the others ordered in May); it churned.
        self.assertEqual(data["churn_rate"], 100.0)
        with freeze_time("2026-06-30"):
            self.assertEqual(self._data(self.salesman)["churn_rate"], 100.0)
            self.assertEqual(self._data(self.salesman_other)["churn_rate"], 0.0)
