from datetime import date

from odoo.tests import tagged

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestCommonFixtures(CustomerRelationshipCase):
    def test_sales_groups_imply_customer_relationship_groups(self):
        """An existing salesperson gets the matching addon level without extra clicks."""
        self.assertTrue(self.salesman.has_group("customer_relationship.group_customer_relationship_user"))
        self.assertFalse(self.salesman.has_group("customer_relationship.group_customer_relationship_user_all"))
        self.assertTrue(self.salesman_all.has_group("customer_relationship.group_customer_relationship_user_all"))
        self.assertFalse(self.salesman_all.has_group("customer_relationship.group_customer_relationship_manager"))
        self.assertTrue(self.manager.has_group("customer_relationship.group_customer_relationship_manager"))

    def test_orders_are_confirmed_dated_and_converted(self):
        customer = self._create_customers("Fixture Co")
        usd_order, eur_order = self._create_orders(
            [(customer, 1000, date(2026, 1, 15)), (customer, 1000, date(2026, 2, 15), self.eur)]
        )
        self.assertEqual((usd_order.state, eur_order.state), ("sale", "sale"))
        self.assertEqual(usd_order.date_order.date(), date(2026, 1, 15))
        self.assertEqual(eur_order.currency_id, self.eur)
        self.assertAlmostEqual(eur_order.amount_untaxed / eur_order.currency_rate, 2000)

    def test_demo_data_follows_a_pareto_curve(self):
        """The demo customers: the top fifth brings well over half of the value."""
        demo = self.env.ref("customer_relationship.demo_customer_01", raise_if_not_found=False)
        if not demo:
            self.skipTest("database installed without demo data")
        customers = (
            self.env["res.partner"]
            .search(
                [("id", "in", [self.env.ref(f"customer_relationship.demo_customer_{i:02d}").id for i in range(1, 31)])]
            )
            .sorted("customer_value", reverse=True)
        )
        values = customers.mapped("customer_value")
        self.assertGreater(sum(values[:6]) / sum(values), 0.6)
        self.assertEqual(customers[0].customer_tier_id, self.tiers["platinum"])
        self.assertTrue(customers.filtered(lambda c: c.customer_lifecycle in ("dormant", "lost")))
