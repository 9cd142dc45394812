from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCustomerRelationshipUi(HttpCase):
    def test_customer_tier_tour(self):
        """In a browser: open the app, the tiered customers kanban and a customer's tier tab."""
        customer = self.env["res.partner"].create({"name": "Tour Trading Co", "is_company": True, "customer_rank": 1})
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        self.assertTrue(customer.customer_tier_id)
        self.start_tour("/odoo", "customer_relationship_tier_tour", login="admin")

    def test_customer_care_tour(self):
        """In a browser: the manager creates a birthday care rule, previews and runs it; the
        customer's salesperson finds the care action and its activity on the customer."""
        salesman = new_test_user(
            self.env, login="care_tour_salesman", groups="sales_team.group_sale_salesman", name="Care Tour Salesman"
        )
        # Only the tour's contact has a birthday, whatever the demo data: the rule acts on it alone.
        Partner = self.env["res.partner"].with_context(active_test=False)
        Partner.search([("birthday", "!=", False)]).birthday = False
        # The day as the manager's browser session sees it, which runs the rule.
        admin = self.env.ref("base.user_admin")
        today = fields.Date.context_today(admin.with_context(tz=admin.tz))
        customer = Partner.create(
            {"name": "Care Tour Trading", "is_company": True, "customer_rank": 1, "user_id": salesman.id}
        )
        buyer = Partner.create(
            {
                "name": "Care Tour Buyer",
                "parent_id": customer.id,
                "birthday": today + relativedelta(years=-40, days=3),
            }
        )
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        self.assertTrue(customer.customer_tier_id)

        self.start_tour("/odoo", "customer_care_rule_tour", login="admin")
        self.start_tour("/odoo", "customer_care_salesman_tour", login=salesman.login)

        rule = self.env["customer.care.rule"].search([("name", "=", "Tour birthday call")])
        self.assertEqual(len(rule), 1)
        self.assertRecordValues(
            rule,
            [{"trigger": "birthday", "lead_days": 7, "days_offset": 0, "action": "activity", "last_run_date": today}],
        )
        action = self.env["customer.care.action"].search([("rule_id", "=", rule.id)])
        self.assertEqual(len(action), 1)
        self.assertRecordValues(
            action,
            [
                {
                    "partner_id": customer.id,
                    "contact_id": buyer.id,
                    "user_id": salesman.id,
                    "state": "scheduled",
                    "occurrence_date": today + relativedelta(days=3),
                    "due_date": today + relativedelta(days=3),
                }
            ],
        )
        self.assertTrue(action.activity_id)
        self.assertRecordValues(
            action.activity_id,
            [
                {
                    "res_model": "res.partner",
                    "res_id": customer.id,
                    "user_id": salesman.id,
                    "summary": "Tour birthday call: Care Tour Buyer",
                    "date_deadline": today + relativedelta(days=3),
                }
            ],
        )

    def test_chinese_tour(self):
        """In a browser, as a Chinese-speaking user: the dashboard and the customers kanban in zh_CN."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.ref("base.module_customer_relationship")._update_translations(["zh_CN"])
        self.env.ref("base.user_admin").lang = "zh_CN"
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        self.start_tour("/odoo", "customer_relationship_zh_tour", login="admin")
