from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCustomerPoolUi(HttpCase):
    def test_claim_tour(self):
        """In a browser: a salesperson opens the pool, claims a Gold customer, finds it in their customers."""
        salesman = new_test_user(
            self.env, login="pool_tour_salesman", groups="sales_team.group_sale_salesman", name="Pool Tour Salesman"
        )
        company = self.env.company
        pool = self.env["customer.pool"].create({"name": "Tour Pool", "company_id": company.id})
        customer = self.env["res.partner"].create({"name": "Pool Tour Gold Co", "is_company": True, "customer_rank": 1})
        account = self.env["customer.account"]._for_partners(customer, company)[customer.id]
        gold = self.env.ref("customer_relationship.customer_tier_gold")
        account.write({"tier_id": gold.id, "lifecycle": "active", "value": 50000})
        account.with_context(customer_owner_reason="release").write({"user_id": False, "customer_pool_id": pool.id})
        self.start_tour("/odoo", "customer_pool_claim_tour", login=salesman.login)
        self.assertEqual(account.user_id, salesman)
        self.assertEqual(customer.with_company(company).customer_account_user_id, salesman)
        self.assertEqual(
            self.env["customer.owner.history"].search([("partner_id", "=", customer.id)]).mapped("reason"),
            ["claim"],
        )
