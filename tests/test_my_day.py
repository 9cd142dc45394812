import json
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import file_open

from .common import CustomerRelationshipCase

# The first page of My Day, whatever the number of rows: the view, the customers' names, the
# summaries' care rules, follow-ups, visits and last visits.
QUERIES_FIRST_PAGE = 20


@tagged("post_install", "-at_install")
class TestMyDay(CustomerRelationshipCase):
    """A salesperson's day: each reason a customer needs something, the most valuable customer
    first, then the most urgent; each row's button does what the reason asks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # My Day reads the database's date: the rows are dated from today.
        cls.today = fields.Date.today()
        cls.big, cls.mid, cls.small = cls._create_customers("Day Big", "Day Mid", "Day Small")
        cls.theirs = cls._create_customers("Day Theirs", user_id=cls.salesman_other.id)
        gold = cls.tiers["gold"]
        for customer, value in ((cls.big, 9000), (cls.mid, 4000), (cls.small, 1000), (cls.theirs, 8000)):
            cls._set_account(customer, tier_id=gold.id, value=value)
        gold.visit_interval_days = 30
        # big: never visited, so due for contact today.
        # mid: a visit planned tomorrow (so not due for contact), an order expected three days ago.
        cls.visit = cls.env["customer.visit"].create(
            {
                "partner_id": cls.mid.id,
                "user_id": cls.salesman.id,
                "company_id": cls.company.id,
                "planned_start": fields.Datetime.now() + timedelta(days=1),
            }
        )
        cls._set_account(cls.mid, expected_next_order_date=cls.today - timedelta(days=3), average_order_interval=40)
        # small: a follow-up of a past visit overdue since yesterday, and a care action due in two
        # days (created after the visit, which would have closed it: README, "Care rules").
        past = cls.env["customer.visit"].create(
            {
                "partner_id": cls.small.id,
                "user_id": cls.salesman.id,
                "company_id": cls.company.id,
                "planned_start": fields.Datetime.now() - timedelta(days=3),
            }
        )
        past.write({"notes": "<p>Asked for a quote</p>"})
        past.action_done()
        past.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=cls.today - timedelta(days=1),
            summary="Send the quote",
            user_id=cls.salesman.id,
        )
        rule = cls.env["customer.care.rule"].create(
            {"name": "Day call", "trigger": "cadence", "action": "activity", "active": False}
        )
        cls.care = cls.env["customer.care.action"].create(
            {
                "rule_id": rule.id,
                "company_id": cls.company.id,
                "action": "activity",
                "partner_id": cls.small.id,
                "occurrence_date": cls.today,
                "due_date": cls.today + timedelta(days=2),
                "user_id": cls.salesman.id,
            }
        )

    def _my_day(self, user=None):
        worklist = self.env["customer.worklist"].with_user(user or self.salesman).with_company(self.company)
        return worklist.search([("partner_id", "in", (self.big | self.mid | self.small | self.theirs).ids)])

    def test_each_reason_ranked_by_money_at_stake_then_urgency(self):
        rows = self._my_day()
        self.assertEqual(
            [(row.partner_id, row.reason) for row in rows],
            [
                (self.big, "contact"),
                (self.mid, "order"),  # three days ago
                (self.mid, "visit"),  # tomorrow
                (self.small, "followup"),  # yesterday
                (self.small, "care"),  # in two days
            ],
        )
        self.assertEqual(rows[0].date, self.today)
        self.assertEqual(rows[1].summary, "Orders about every 40 days")
        self.assertEqual(rows[3].summary, "Send the quote")
        self.assertEqual(rows[4].summary, "Day call")

    def test_rows_go_when_their_reason_is_done(self):
        rows = self._my_day()
        care_row, followup_row = (rows.filtered_domain([("reason", "=", reason)]) for reason in ("care", "followup"))
        care_row.action_care_done()
        self.assertEqual(self.care.state, "done")
        followup_row.action_followup_done()
        self.assertEqual(
            [row.reason for row in self._my_day().filtered(lambda row: row.partner_id == self.small)],
            [],
            "the care action done and the follow-up done leave nothing to do for the customer",
        )
        contact = self._my_day().filtered(lambda row: row.reason == "contact")
        action = contact.action_log_contact()
        self.assertEqual(action["res_model"], "customer.visit.log")
        self.assertEqual(action["context"]["default_partner_id"], self.big.id)
        self.assertEqual(contact.action_plan_visit()["context"]["default_partner_id"], self.big.id)

    def test_a_salesperson_sees_their_own_a_manager_everyone(self):
        self.assertNotIn(self.theirs, self._my_day().partner_id)
        self.assertIn(self.theirs, self._my_day(self.salesman_other).partner_id)
        self.assertEqual(self._my_day(self.manager).partner_id, self.big | self.mid | self.small | self.theirs)

    def test_counts_match_the_lists(self):
        """The reason counters of the side panel are those of the list each one filters."""
        worklist = self.env["customer.worklist"].with_user(self.salesman).with_company(self.company)
        panel = worklist.search_panel_select_multi_range("reason", enable_counters=True)
        counted = {value["id"]: value["__count"] for value in panel["values"]}
        self.assertTrue(counted)
        for reason, count in counted.items():
            self.assertEqual(count, worklist.search_count([("reason", "=", reason)]), reason)

    def test_queries_do_not_grow_with_the_rows(self):
        worklist = self.env["customer.worklist"].with_user(self.salesman).with_company(self.company)
        spec = {"reason": {}, "partner_id": {"fields": {"display_name": {}}}, "summary": {}, "date": {}, "stake": {}}

        def first_page():
            self.env.invalidate_all()
            worklist.web_search_read([], spec, limit=80)

        first_page()
        with self.assertQueryCount(QUERIES_FIRST_PAGE):
            first_page()
        for customer in self._create_customers(*(f"Day More {n}" for n in range(10))):
            self._set_account(customer, tier_id=self.tiers["gold"].id, value=100)
        first_page()
        with self.assertQueryCount(QUERIES_FIRST_PAGE):
            first_page()

    def test_the_managers_dashboard_charts_have_data(self):
        """Every chart of the spreadsheet dashboard groups rows of the demo data, as the manager."""
        with file_open("customer_relationship/data/files/customer_relationship_dashboard.json") as file:
            spreadsheet = json.load(file)
        manager = self.env.ref("base.user_admin")
        charts = [figure["data"] for sheet in spreadsheet["sheets"] for figure in sheet["figures"]]
        self.assertGreaterEqual(len(charts), 10)
        for chart in charts:
            if "metaData" not in chart:
                continue  # drawn from the pivot, checked below
            meta = chart["metaData"]
            measure = [] if meta["measure"] == "__count" else [f"{meta['measure']}:sum"]
            groups = (
                self.env[meta["resModel"]]
                .with_user(manager)
                ._read_group(chart["searchParams"]["domain"], meta["groupBy"][:1], ["__count", *measure])
            )
            self.assertTrue(groups, chart["title"]["text"])
        for pivot in spreadsheet["pivots"].values():
            self.assertTrue(self.env[pivot["model"]].with_user(manager).search_count(pivot["domain"]), pivot["name"])
        for odoo_list in spreadsheet["lists"].values():
            self.assertTrue(
                self.env[odoo_list["model"]].with_user(manager).search_count(odoo_list["domain"]), odoo_list["name"]
            )

    def test_customers_slipping_away_by_the_model(self):
        """Once the repeat-buying model is fitted, a customer it says is at risk is on the list,
        and the money at stake is its predicted value at risk."""
        self._set_account(self.big, prediction_fitted=True, lifecycle="at_risk", value_at_risk=2500)
        rows = self._my_day().filtered(lambda row: row.partner_id == self.big)
        self.assertEqual(set(rows.mapped("reason")), {"contact", "at_risk"})
        self.assertEqual(set(rows.mapped("stake")), {2500})
        # 2,500 at risk ranks it after mid (4,000 of value: no model for it).
        self.assertEqual(self._my_day()[:1].partner_id, self.mid)
