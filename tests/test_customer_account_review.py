import io
import re
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import CustomerRelationshipCase

REPORT = "customer_relationship.customer_account_review_report"


@tagged("post_install", "-at_install")
class TestCustomerAccountReview(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.other_customer, *fillers = cls._create_customers(
            "Review Co", "Other Review Co", "Filler A", "Filler B", "Filler C"
        )
        cls.other_customer.user_id = cls.salesman_other
        # 500 of 1,000: Review Co alone reaches the 50% of Platinum, ranked first.
        specs = zip([cls.customer, cls.other_customer, *fillers], [500, 250, 120, 80, 50], strict=True)
        cls._create_orders([(customer, amount, date(2026, 3, 1)) for customer, amount in specs])
        cls.customer.with_company(cls.company).relationship_level = "proactive"

        cls.buyer = cls.customer.child_ids
        cls.buyer.write({"function": "Chief Buyer", "contact_role": "buyer"})
        cls.boss = cls.env["res.partner"].create(
            {
                "name": "Wang Li",
                "parent_id": cls.customer.id,
                "function": "General Manager",
                "contact_role": "decision_maker",
                "interest_tag_ids": [Command.create({"name": "Tea Ceremony"})],
            }
        )
        cls.newcomer = cls.env["res.partner"].create(
            {"name": "Newcomer Co", "is_company": True, "referred_by_id": cls.customer.id}
        )

    def _render(self, partners, user=None):
        # The figures printed are those of the company the user works in.
        report = self.env["ir.actions.report"].with_company(self.company)
        if user:
            report = report.with_user(user)
        return report._render_qweb_html(REPORT, partners.ids)[0].decode()

    def _visit(self, planned_start, notes, **vals):
        visit = (
            self.env["customer.visit"]
            .with_company(self.company)
            .create(
                {
                    "partner_id": self.customer.id,
                    "user_id": self.salesman.id,
                    "company_id": self.company.id,
                    "planned_start": planned_start,
                    "notes": notes,
                    **vals,
                }
            )
        )
        visit.action_done()
        return visit

    @freeze_time("2026-06-15 12:00:00")
    def test_review_shows_the_whole_account(self):
        self._recompute(today=date(2026, 6, 15))
        self._visit(
            datetime(2026, 5, 20, 9),
            "<p>Agreed on quarterly deliveries.</p>",
            outcome="positive",
            contact_ids=[Command.set(self.boss.ids)],
        )
        last = self._visit(datetime(2026, 6, 10, 9), "<p>Complained about late invoices.</p>", outcome="negative")
        last.activity_schedule(
            "mail.mail_activity_data_todo",
            summary="Send the corrected invoices",
            date_deadline=date(2026, 6, 18),
            user_id=self.salesman.id,
        )
        rule = self.env["customer.care.rule"].create(
            {"name": "Spring Festival gift", "company_id": self.company.id, "trigger": "birthday", "action": "visit"}
        )
        self.env["customer.care.action"].create(
            [
                {
                    "rule_id": rule.id,
                    "company_id": self.company.id,
                    "action": "visit",
                    "partner_id": self.customer.id,
                    "contact_id": self.boss.id,
                    "occurrence_date": occurrence,
                    "due_date": occurrence,
                    "user_id": self.salesman.id,
                    "state": "scheduled",
                }
                for occurrence in (date(2026, 6, 25), date(2026, 6, 1))
            ]
        )

        html = self._render(self.customer)

        for expected in (
            "Review Co",
            # Contacts and their roles
            "Chief Buyer",
            "Buyer of Review Co",
            "Wang Li",
            "General Manager",
            "Decision Maker",
            "Tea Ceremony",
            # Tier, its history, value, rank and share
            "Platinum",
            "First classification",
            "500.00",
            # Relationship level against the target of Platinum
            "Proactive",
            "Partnership",
            "Below Target",
            # Visits, follow-ups, care, referrals
            "Agreed on quarterly deliveries.",
            "Complained about late invoices.",
            "Positive",
            "Negative",
            "Send the corrected invoices",
            last.display_name,  # the follow-up is "related to" the visit
            "Spring Festival gift",
            "06/25/2026",
            "Newcomer Co",
        ):
            self.assertIn(expected, html)
        compact = re.sub(r">\s+<", "><", html)
        self.assertIn("<th>Cumulative Share (%)</th><td><span>50.00</span>", compact)
        self.assertIn("Value Rank</th><td><span>1</span>", compact)
        # the orders carry no cost: the margin is unknown, not 100%
        self.assertIn(
            '<th>Margin (%)</th><td><span class="text-muted">Unknown: no cost on the orders</span></td>', compact
        )
        # Care actions from today on only; the newest visit first.
        self.assertNotIn("06/01/2026", html)
        self.assertLess(html.index("late invoices"), html.index("quarterly deliveries"))

    def test_several_customers_one_page_each_from_contacts_too(self):
        html = self._render(self.customer | self.other_customer | self.buyer)
        # one document (Debian's wkhtmltopdf converts one per run), a customer per new page
        self.assertEqual(len(re.findall(r'<div class="[^"]*\barticle\b', html)), 1)
        pages = re.findall(r'<div class="page o_customer_account_review" ([^>]*)>', html)
        self.assertEqual(
            pages,
            [
                f'data-oe-model="res.partner" data-oe-id="{self.customer.id}"',
                f'data-oe-model="res.partner" data-oe-id="{self.other_customer.id}" '
                'style="page-break-before: always; break-before: page;"',
            ],
        )
        self.assertIn("Other Review Co", html)

    def test_pdf_of_several_customers(self):
        """The real conversion: Odoo's tests render HTML only unless forced."""
        report = self.env["ir.actions.report"].with_company(self.company).with_context(force_report_rendering=True)
        pdf, report_type = report._render_qweb_pdf(REPORT, (self.customer | self.other_customer).ids)
        self.assertEqual(report_type, "pdf")
        self.assertGreaterEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 2)

    @freeze_time("2026-06-15 12:00:00")
    def test_in_the_readers_language(self):
        """An internal document: a Chinese salesperson reads it in Chinese with Chinese dates,
        whatever the customer's language, and an English reader in English."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.ref("base.module_customer_relationship")._update_translations(["zh_CN"])
        self._recompute(today=date(2026, 6, 15))
        self.customer.lang = "en_US"
        self.other_customer.lang = "zh_CN"
        self.salesman.lang = "zh_CN"
        self.manager.lang = "en_US"

        chinese = self._render(self.customer, user=self.salesman)
        # labels, the tier and the relationship levels, and the date as zh_CN writes it
        for expected in ("客户回顾报告", "最近拜访", "关系层次", "铂金", "伙伴型", "能动型", "2026/06/15"):
            self.assertIn(expected, chinese)
        for english in ("Last Visits", "Relationship Level", "Partnership", "06/15/2026"):
            self.assertNotIn(english, chinese)

        english = self._render(self.customer | self.other_customer, user=self.manager)
        for expected in ("Last Visits", "Relationship Level", "Platinum", "Gold", "06/15/2026"):
            self.assertIn(expected, english)
        for chinese_text in ("最近拜访", "黄金", "2026/06/15"):
            self.assertNotIn(chinese_text, english)

    def test_salesperson_prints_own_customers_only(self):
        """Even through a crafted /report/pdf URL: the report refuses another salesperson's customer."""
        self.assertIn("Review Co", self._render(self.customer, user=self.salesman))
        for partners in (self.other_customer, self.other_customer.child_ids, self.customer | self.other_customer):
            with self.assertRaises(AccessError):
                self._render(partners, user=self.salesman)
        # A customer without a salesperson is nobody's (README, "Access"): not a salesperson's to print.
        with self.assertRaises(AccessError):
            self._render(self.other_customer | self.newcomer, user=self.salesman_other)
        self.assertIn("Newcomer Co", self._render(self.other_customer | self.newcomer, user=self.salesman_all))
        with self.assertRaises(AccessError):
            self._render(self.customer, user=self.salesman_other)
        self.assertIn("Other Review Co", self._render(self.other_customer, user=self.salesman_all))
