import io
from datetime import datetime

from lxml import html as lxml_html

from odoo import Command
from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .common import CustomerRelationshipCase

REPORT = "customer_relationship.customer_visit_route_sheet_report"


@tagged("post_install", "-at_install")
class TestRouteSheet(CustomerRelationshipCase):
    """A salesperson in Shanghai (UTC+8) prints the visits of two days, with a colleague's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman.tz = "Asia/Shanghai"
        cls.customer = cls._create_customers(
            "Route Co",
            street="88 Nanjing Road",
            street2="Building 3",
            city="Shanghai",
            zip="200001",
            country_id=cls.env.ref("base.cn").id,
            phone="+86 21 5555 0101",
        )
        cls.buyer = cls.customer.child_ids
        cls.buyer.write({"function": "Chief Buyer", "phone": "+86 138 0000 0001"})
        cls.other = cls._create_customers("Second Route Co", city="Suzhou", country_id=cls.env.ref("base.cn").id)
        Visit = cls.env["customer.visit"].with_company(cls.company)
        cls.visits = Visit.create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "company_id": cls.company.id,
                    "planned_start": start,
                    **vals,
                }
                for partner, user, start, vals in (
                    # 10:00 and 14:30 in Shanghai on 16 June, 09:15 on 17 June
                    (cls.customer, cls.salesman, datetime(2026, 6, 16, 2), {}),
                    (cls.other, cls.salesman, datetime(2026, 6, 16, 6, 30), {}),
                    (
                        cls.customer,
                        cls.salesman,
                        datetime(2026, 6, 17, 1, 15),
                        {"contact_ids": [Command.set(cls.buyer.ids)]},
                    ),
                    (cls.other, cls.salesman_other, datetime(2026, 6, 16, 3), {}),
                )
            ]
        )

    def _report(self):
        return self.env["ir.actions.report"].with_user(self.salesman_all).with_context(tz="Asia/Shanghai")

    def test_several_days_in_one_document(self):
        html = self._report()._render_qweb_html(REPORT, self.visits.ids)[0].decode()
        root = lxml_html.fromstring(html)
        # one document (one article, one page root): wkhtmltopdf without patched Qt takes one only
        [article] = root.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]")
        [page] = article.xpath(".//div[contains(concat(' ', normalize-space(@class), ' '), ' page ')]")
        days = page.xpath(".//section[contains(@class, 'o_customer_route_day')]")
        headings = [" ".join(day.xpath("string(.//h2)").split()) for day in days]
        self.assertEqual(len(days), 3, headings)
        self.assertIn(self.salesman.name, headings[0])
        self.assertIn("06/16/2026", headings[0])
        self.assertIn("06/17/2026", headings[2])
        # every day but the first starts a new page
        breaks = ["break-before: page" in (day.get("style") or "") for day in days]
        self.assertEqual(breaks, [False, True, True])
        # times as HH:MM in the reader's time zone
        times = [" ".join(span.text_content().split()) for span in root.xpath("//span[@class='o_customer_route_time']")]
        self.assertEqual(sorted(times), ["09:15", "10:00", "11:00", "14:30"])
        self.assertNotRegex(html, r"\d\d:\d\d:\d\d|\bAM\b")
        # the full address, the customer's phone, its contact with their position and phone
        text = " ".join(root.text_content().split())
        for expected in (
            "88 Nanjing Road",
            "Building 3",
            "200001",
            "Shanghai",
            "China",
            "+86 21 5555 0101",
            "Buyer of Route Co",
            "Chief Buyer",
            "+86 138 0000 0001",
            "People to Meet",
        ):
            self.assertIn(expected, text)

    def test_pdf_of_several_days(self):
        """The real conversion: Odoo's tests render HTML only unless forced."""
        pdf, report_type = (
            self._report().with_context(force_report_rendering=True)._render_qweb_pdf(REPORT, self.visits.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 3, "a page per salesperson and day")
