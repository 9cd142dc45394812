from odoo.tests import tagged

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestImports(CustomerRelationshipCase):
    """Odoo's import (``load``, what the import dialog calls) refuses bad rows with a message
    naming the row, and imports nothing of the file."""

    def _assert_refused(self, model, fields, rows, bad_row, env=None):
        before = self.env[model].with_context(active_test=False).search_count([])
        env = env or self.env(user=self.manager, context={"allowed_company_ids": self.company.ids})
        result = env[model].load(fields, rows)
        self.assertFalse(result["ids"], "nothing is imported when a row is wrong")
        self.assertTrue(result["messages"])
        self.assertEqual(
            [(m["type"], m["rows"]["from"]) for m in result["messages"] if "rows" in m][:1],
            [("error", bad_row)],
            result["messages"],
        )
        self.assertEqual(self.env[model].with_context(active_test=False).search_count([]), before)
        return result["messages"]

    def test_tier_import_with_a_share_above_100(self):
        messages = self._assert_refused(
            "customer.tier",
            ["name", "code", "sequence", "share_limit", "visit_interval_days"],
            [
                ["Top 'A' \"quoted\"", "A", "1", "40", "7"],
                ["Broken; DROP TABLE res_partner;--", "Z", "2", "150", "30"],
            ],
            bad_row=1,
            # Shared tiers (no company), which the administrator manages.
            env=self.env(user=self.env.ref("base.user_admin")),
        )
        self.assertIn("between 0% and 100%", messages[0]["message"])

    def test_visit_import_with_an_unknown_customer_and_a_bad_type(self):
        customer = self._create_customers("Import O'Brien & Sons")
        messages = self._assert_refused(
            "customer.visit",
            ["partner_id", "visit_type", "planned_start", "user_id/id"],
            [
                [customer.name, "on_site", "2026-06-01 10:00:00", "base.user_admin"],
                ["No Such Customer Ltd", "on_site", "2026-06-02 10:00:00", "base.user_admin"],
            ],
            bad_row=1,
        )
        self.assertIn("No Such Customer Ltd", messages[0]["message"])

    def test_care_rule_import_with_a_bad_trigger_and_a_missing_template(self):
        self._assert_refused(
            "customer.care.rule",
            ["name", "trigger", "action", "lead_days", "days_offset"],
            [
                ["Birthday call", "birthday", "activity", "7", "-3"],
                ["Moon landing", "moon", "activity", "7", "0"],
            ],
            bad_row=1,
        )
        messages = self._assert_refused(
            "customer.care.rule",
            ["name", "trigger", "action", "lead_days", "days_offset"],
            [["Greeting without template", "birthday", "email", "3", "0"]],
            bad_row=0,
        )
        self.assertIn("choose its template", messages[0]["message"])

    def test_names_with_quotes_and_sql_search_safely(self):
        tricky = 'O\'Reilly "Trading"; DROP TABLE res_partner; --'
        customer = self._create_customers(tricky)
        partners = self.env["res.partner"].with_company(self.company)
        self.assertEqual(partners.search([("name", "=", tricky)]), customer)
        self.assertEqual(partners.search([("name", "ilike", "'reilly \"trad"), ("parent_id", "=", False)]), customer)
        rule = self.env["customer.care.rule"].create(
            {
                "name": "Holiday '); DELETE FROM customer_care_action; --",
                "company_id": self.company.id,
                "trigger": "holiday",
                "holiday_keyword": "Spring'; DROP TABLE x; --, 春节",
                "action": "activity",
                "user_id": self.manager.id,
            }
        )
        preview = self.env["customer.care.rule.preview"].create({"rule_id": rule.id})
        self.assertEqual(preview.action_count, 0, "no public holiday matches these words")
