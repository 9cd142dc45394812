from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCustomerRelationshipUi(HttpCase):
    def test_customer_tier_tour(self):
        """In a browser: open the app, the tiered customers kanban and a customer's tier tab."""
        customer = self.env["res.partner"].create({"name": "Tour Trading Co", "is_company": True, "customer_rank": 1})
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        self.assertTrue(customer.customer_tier_id)
        self.start_tour("/odoo", "customer_relationship_tier_tour", login="admin")
