from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestMyDayUi(HttpCase):
    """In a browser: the demo salesperson's day in Chinese, the manager's dashboard in the Dashboards app."""

    def test_my_day_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.ref("base.module_customer_relationship")._update_translations(["zh_CN"])
        demo = self.env.ref("base.user_demo")
        demo.lang = "zh_CN"
        # Two care actions of the demo salesperson due this week: the other ones are skipped.
        today = fields.Date.today()
        due = self.env["customer.care.action"].search(
            [("user_id", "=", demo.id), ("state", "=", "scheduled"), ("due_date", "<=", today + timedelta(days=7))]
        )
        self.assertGreaterEqual(len(due), 2, "the demo gives the salesperson care actions due this week")
        kept = due.sorted(lambda action: action.partner_id.customer_value, reverse=True)[:2]
        (due - kept).action_skip()
        if kept[0].partner_id.customer_value == kept[1].partner_id.customer_value:
            kept[1].partner_id.with_company(kept[1].company_id).customer_value -= 1
        self.start_tour("/odoo", "customer_my_day_zh_tour", login="demo")
        self.assertEqual(kept.mapped("state"), ["done", "scheduled"], "the most valuable customer's action was done")

    def test_managers_dashboard(self):
        self.start_tour("/odoo/dashboards", "customer_spreadsheet_dashboard_tour", login="admin")
