from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestMenusUi(HttpCase):
    """What the manager and the salesperson see when they open the Customers menu and Recompute Tiers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="dash_tour_salesman", groups="sales_team.group_sale_salesman", name="Dash Tour Salesman"
        )
        cls.env["res.partner"].create(
            [
                {"name": f"Dash Tour {letter}", "is_company": True, "customer_rank": 1, "user_id": cls.salesman.id}
                for letter in "ABC"
            ]
        )
        cls.env["customer.tier"]._recompute_company_tiers(cls.env.company)

    def test_customers_menu_opens_on_own_customers_for_a_salesperson(self):
        self.start_tour("/odoo", "customer_customers_menu_salesperson_tour", login=self.salesman.login)
        self.start_tour("/odoo", "customer_customers_menu_manager_tour", login="admin")

    def test_recompute_preview(self):
        """A customer who ordered and was never classified: the preview counts it when the
        dialog opens, and Apply classifies it as shown."""
        customer = self.env["res.partner"].create({"name": "Recompute Tour Co", "is_company": True})
        product = self.env["product.product"].create({"name": "Recompute Tour Service", "type": "service"})
        order = self.env["sale.order"].create(
            {"partner_id": customer.id, "order_line": [Command.create({"product_id": product.id, "price_unit": 500})]}
        )
        order.action_confirm()
        self.assertFalse(customer.customer_tier_id)
        self.start_tour(
            "/odoo/action-customer_relationship.customer_tier_recompute_action",
            "customer_tier_recompute_tour",
            login="admin",
        )
        customer.invalidate_recordset()
        self.assertTrue(customer.customer_tier_id)
