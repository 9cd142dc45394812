from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import CustomerRelationshipCase

YEAR = [("month", ">=", "2025-07-01"), ("month", "<", "2026-07-01")]
COUNTS = [
    "active_start_count:sum",
    "active_end_count:sum",
    "new_count:sum",
    "reactivated_count:sum",
    "churned_count:sum",
    "retained_count:sum",
    "revenue_at_risk:sum",
]
RATES = ["churn_rate:avg", "retention_rate:avg", "new_rate:avg"]


@tagged("post_install", "-at_install")
class TestCustomerRetentionReport(CustomerRelationshipCase):
    """A year of orders (July 2025 to June 2026, today 15 June 2026) with a company whose
    customers are dormant after 60 days without an order. Each customer is active from an order
    until the day before (last order of the spell + 60 days):

    - A (salesman): 10 Jul 2025 1,000, 20 Aug 2,000, 1 Oct 500 -> new in July, churns on
      30 Nov 2025 (worth 3,500 then); no tier history and no tier: no tier.
    - B (salesman): 800 every 42 to 55 days from 20 May 2025 to 10 Jun 2026 -> retained every
      month; tier history Lead -> Iron on 1 Oct 2025, Iron -> Gold on 1 Feb 2026.
    - C (salesman): 1 Aug 2025 5,000 -> new in August, churns on 30 Sep 2025 (5,000); 15 Jan 2026
      3,000 -> won back in January, churns on 16 Mar 2026 (worth 8,000 then: both orders are in
      the 12-month window); first classified Platinum on 20 Jan 2026.
    - D (other salesman): 5 Jun 2026 1,200 -> new in June (active today).
    - E (other salesman): 5 Oct 2025 1,000 EUR = 2,000 USD -> new in October, churns on
      4 Dec 2025 (2,000); no history, current tier Gold.
    - F: a draft order only -> never a customer.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.customer_dormant_days = 60
        cls.a, cls.b, cls.c = cls._create_customers("Retention A", "Retention B", "Retention C")
        cls.d, cls.e, cls.f = cls._create_customers(
            "Retention D", "Retention E", "Retention F", user_id=cls.salesman_other.id
        )
        b_dates = [
            date(2025, 5, 20),
            date(2025, 7, 1),
            date(2025, 8, 15),
            date(2025, 9, 30),
            date(2025, 11, 20),
            date(2026, 1, 10),
            date(2026, 3, 1),
            date(2026, 4, 25),
            date(2026, 6, 10),
        ]
        orders = cls._create_orders(
            [
                (cls.a, 1000, date(2025, 7, 10)),
                (cls.a, 2000, date(2025, 8, 20)),
                (cls.a, 500, date(2025, 10, 1)),
                *[(cls.b, 800, day) for day in b_dates],
                (cls.c, 5000, date(2025, 8, 1)),
                (cls.c, 3000, date(2026, 1, 15)),
                (cls.d, 1200, date(2026, 6, 5)),
                (cls.e, 1000, date(2025, 10, 5), cls.eur),
            ]
        )
        cls.c_january_order = orders.filtered(lambda order: order.partner_id == cls.c)[-1]
        cls._create_orders([(cls.f, 900, date(2026, 2, 1))], confirm=False)
        cls.env["customer.tier.history"].create(
            [
                {
                    "partner_id": cls.b.id,
                    "company_id": cls.company.id,
                    "date": date(2025, 10, 1),
                    "old_tier_id": cls.tiers["lead"].id,
                    "new_tier_id": cls.tiers["iron"].id,
                    "direction": "up",
                },
                {
                    "partner_id": cls.b.id,
                    "company_id": cls.company.id,
                    "date": date(2026, 2, 1),
                    "old_tier_id": cls.tiers["iron"].id,
                    "new_tier_id": cls.tiers["gold"].id,
                    "direction": "up",
                },
                {
                    "partner_id": cls.c.id,
                    "company_id": cls.company.id,
                    "date": date(2026, 1, 20),
                    "new_tier_id": cls.tiers["platinum"].id,
                    "direction": "new",
                },
            ]
        )
        # E's current tier, as the tier computation writes it, with no history row
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                """INSERT INTO customer_account (partner_id, company_id, user_id, tier_id) VALUES (%s, %s, %s, %s)
                   ON CONFLICT (partner_id, company_id) DO UPDATE SET tier_id = EXCLUDED.tier_id""",
                cls.e.id,
                cls.company.id,
                cls.e.user_id.id,
                cls.tiers["gold"].id,
            )
        )
        cls.env["res.partner"].invalidate_model(["customer_tier_id"])
        cls.Report = cls.env["customer.retention.report"]
        cls.Report._refresh_company(cls.company, date(2026, 6, 15))

    def _by_month(self, report=None, domain=()):
        report = self.Report if report is None else report
        groups = report.formatted_read_group(
            [("company_id", "=", self.company.id), *YEAR, *domain], ["month:month"], COUNTS + RATES
        )
        return {group["month:month"][1]: group for group in groups}

    def _counts(self, group):
        return tuple(group[spec] for spec in COUNTS)

    def test_months_of_the_year(self):
        months = self._by_month()
        # (active at start, at end, new, won back, churned, retained, revenue at risk)
        expected = {
            "July 2025": (1, 2, 1, 0, 0, 1, 0),  # B retained, A new
            "August 2025": (2, 3, 1, 0, 0, 2, 0),  # A, B retained, C new
            "September 2025": (3, 2, 0, 0, 1, 2, 5000),  # C churns (30 Sep)
            "October 2025": (2, 3, 1, 0, 0, 2, 0),  # E new
            "November 2025": (3, 2, 0, 0, 1, 2, 3500),  # A churns (30 Nov)
            "December 2025": (2, 1, 0, 0, 1, 1, 2000),  # E churns (4 Dec), in USD
            "January 2026": (1, 2, 0, 1, 0, 1, 0),  # C won back: not new
            "February 2026": (2, 2, 0, 0, 0, 2, 0),
            "March 2026": (2, 1, 0, 0, 1, 1, 8000),  # C churns again (16 Mar)
            "April 2026": (1, 1, 0, 0, 0, 1, 0),
            "May 2026": (1, 1, 0, 0, 0, 1, 0),
            "June 2026": (1, 2, 1, 0, 0, 1, 0),  # D new; the month counts up to today
        }
        self.assertEqual({month: self._counts(group) for month, group in months.items()}, expected)
        # rates are ratios of the month's sums: churned, retained and new over active at start
        self.assertEqual(months["September 2025"]["churn_rate:avg"], 33.33)
        self.assertEqual(months["September 2025"]["retention_rate:avg"], 66.67)
        self.assertEqual(months["December 2025"]["churn_rate:avg"], 50.0)
        self.assertEqual(months["July 2025"]["new_rate:avg"], 100.0)
        self.assertEqual(months["August 2025"]["new_rate:avg"], 50.0)
        self.assertEqual(months["January 2026"]["new_rate:avg"], 0.0)
        self.assertEqual(months["April 2026"]["churn_rate:avg"], 0.0)

    def test_year_gives_the_figures_of_the_period(self):
        [year] = self.Report.formatted_read_group([("company_id", "=", self.company.id), *YEAR], [], COUNTS + RATES)
        # Not the sums of the months (21 customer-months active at a start): B active on 1 July,
        # B and D on 30 June; A, C, E, D new; B retained. A, C and E came and went within the year:
        # new, and not churned from the start stock, nor won back at its end. The revenue at risk
        # is that of the churned customers: none (their lapses show in their months).
        self.assertEqual(self._counts(year), (1, 2, 4, 0, 0, 1, 0))
        # the rates follow from these: churn and retention add up to 100%
        self.assertEqual(year["churn_rate:avg"], 0.0)
        self.assertEqual(year["retention_rate:avg"], 100.0)
        self.assertEqual(year["new_rate:avg"], 400.0)

    def test_revenue_at_risk_of_a_period_is_its_churned_customers(self):
        autumn = [("month", ">=", "2025-09-01"), ("month", "<", "2026-01-01")]
        [period] = self.Report.formatted_read_group([("company_id", "=", self.company.id), *autumn], [], COUNTS)
        # A, B and C active on 1 September, B alone on 31 December: A and C churned, worth 3,500
        # and 5,000 on their churn dates; E, won and lost within the period, is only new.
        self.assertEqual(self._counts(period), (3, 1, 1, 0, 2, 1, 8500))

    def test_churned_rows_tell_who_and_when(self):
        churned = self.Report.search([("company_id", "=", self.company.id), ("churned_count", "=", 1), *YEAR])
        self.assertEqual(
            sorted((row.partner_id.name, row.churn_date, row.revenue_at_risk) for row in churned),
            [
                ("Retention A", date(2025, 11, 30), 3500),
                ("Retention C", date(2025, 9, 30), 5000),
                ("Retention C", date(2026, 3, 16), 8000),
                ("Retention E", date(2025, 12, 4), 2000),
            ],
        )
        self.assertFalse(self.Report.search([("partner_id", "=", self.f.id)]), "a draft order wins no customer")
        self.assertEqual(churned.currency_id, self.usd)

    def test_tier_at_the_start_of_the_month(self):
        groups = self.Report.formatted_read_group(
            [("company_id", "=", self.company.id), *YEAR], ["tier_id"], [*COUNTS, "churn_rate:avg"]
        )
        by_tier = {group["tier_id"] and group["tier_id"][1]: group for group in groups}
        # (active at start, at end, new, won back, churned, retained, revenue at risk)
        # over the months each tier held customers: active at the start of its first month and
        # at the end of its last one; a customer who moved tier (B) is neither churned from the
        # first nor won back in the second: it stayed a customer; no churned customer, no revenue
        # at risk (the lapses show in their months)
        expected = {
            "Platinum": (0, 0, 1, 0, 0, 0, 0),  # C (August to March), first classified after these months
            "Gold": (0, 1, 1, 0, 0, 0, 0),  # E by its current tier (October to December), B from February
            "Iron": (1, 1, 0, 0, 0, 1, 0),  # B from 1 October to January
            "Lead": (1, 1, 0, 0, 0, 1, 0),  # B before its first tier move
            False: (0, 1, 2, 0, 0, 0, 0),  # A (July to November) and D (June), never classified
        }
        self.maxDiff = None
        self.assertEqual({tier: self._counts(group) for tier, group in by_tier.items()}, expected)
        self.assertFalse(by_tier["Platinum"]["churn_rate:avg"], "no customer at the start: no rate")
        b_tiers = self.Report.search([("partner_id", "=", self.b.id), *YEAR], order="month")
        self.assertEqual([tier.code for tier in b_tiers.tier_id], ["D", "C", "B"])  # Lead, Iron, Gold in this order
        self.assertEqual(b_tiers.filtered(lambda row: row.month == date(2025, 10, 1)).tier_id, self.tiers["iron"])

    def test_salesperson_sees_own_portfolio(self):
        report = self.Report.with_user(self.salesman)
        self.assertEqual(report.search([]).partner_id, self.a | self.b | self.c)
        [year] = report.formatted_read_group(YEAR, [], [*COUNTS, "churn_rate:avg"])
        self.assertEqual(year["active_start_count:sum"], 1)  # B
        # A and C came and went within the year: new, not churned from the start (B, retained)
        self.assertEqual(year["churned_count:sum"], 0)
        self.assertEqual(year["retained_count:sum"], 1)
        self.assertEqual(year["churn_rate:avg"], 0.0)
        other = self.Report.with_user(self.salesman_other).search([])
        self.assertEqual(other.partner_id, self.d | self.e)
        company = [("company_id", "=", self.company.id)]
        self.assertEqual(
            self.Report.with_user(self.salesman_all).search_count(company), self.Report.search_count(company)
        )
        # the salesperson is the customer's, now: a handover moves the history along
        self.c.user_id = self.salesman_other
        self.assertEqual(report.search([]).partner_id, self.a | self.b)

    def test_a_customer_moving_tier_is_neither_churned_nor_won_back(self):
        """Grouped by tier over a quarter: X, Gold in January and February and Iron from March, stays
        a customer (it orders every month); Y, Gold all along, keeps Gold's months going to March."""
        x, y = self._create_customers("Mover X", "Stayer Y")
        self._create_orders(
            [(customer, 100, date(2025, 12, 10)) for customer in (x, y)]
            + [(customer, 100, date(2026, month, 10)) for customer in (x, y) for month in (1, 2, 3)],
            company=self.company_eu,
        )
        history = self.env["customer.tier.history"]
        gold, iron = self.tiers["gold"], self.tiers["iron"]
        for customer in (x, y):
            history.create(
                {
                    "partner_id": customer.id,
                    "company_id": self.company_eu.id,
                    "date": date(2025, 12, 10),
                    "new_tier_id": gold.id,
                    "direction": "new",
                }
            )
        history.create(
            {
                "partner_id": x.id,
                "company_id": self.company_eu.id,
                "date": date(2026, 3, 1),
                "old_tier_id": gold.id,
                "new_tier_id": iron.id,
                "direction": "down",
            }
        )
        self.Report._refresh_company(self.company_eu, date(2026, 3, 31))
        quarter = [
            ("company_id", "=", self.company_eu.id),
            ("partner_id", "in", (x | y).ids),
            ("month", ">=", "2026-01-01"),
            ("month", "<", "2026-04-01"),
        ]
        by_tier = {
            group["tier_id"][1]: self._counts(group)
            for group in self.Report.formatted_read_group(quarter, ["tier_id"], COUNTS)
        }
        # (active at start, at end, new, won back, churned, retained, revenue at risk): Gold's stock
        # loses X at its end, and Iron's starts with X, but nobody churned or came back
        self.assertEqual(by_tier, {"Gold": (2, 1, 0, 0, 0, 1, 0), "Iron": (1, 1, 0, 0, 0, 1, 0)})
        [total] = self.Report.formatted_read_group(quarter, [], COUNTS)
        self.assertEqual(self._counts(total), (2, 2, 0, 0, 0, 2, 0))

    def test_companies_are_apart(self):
        self._create_orders([(self.a, 1000, date(2026, 1, 10))], company=self.company_eu)
        self.Report._refresh_company(self.company_eu, date(2026, 6, 15))
        eu_rows = self.Report.search([("company_id", "=", self.company_eu.id)])
        # 180 dormant days there: new in January, retained since
        self.assertEqual(eu_rows.mapped("month"), [date(2026, month, 1) for month in range(6, 0, -1)])
        self.assertEqual(sum(eu_rows.mapped("new_count")), 1)
        self.assertEqual(sum(eu_rows.mapped("retained_count")), 5)
        self.assertEqual(eu_rows.currency_id, self.eur)
        manager_rows = self.Report.with_user(self.manager).search([])
        self.assertFalse(manager_rows.filtered(lambda row: row.company_id == self.company_eu))
        self.assertEqual(len(self._by_month()), 12, "the other company's refresh leaves this one's rows alone")

    def test_refresh_rewrites_only_what_changed(self):
        rows = self.Report.search([("company_id", "=", self.company.id)])
        self.Report._refresh_company(self.company, date(2026, 6, 15))
        self.assertEqual(self.Report.search([("company_id", "=", self.company.id)]), rows, "nothing changed")
        c_2026 = rows.filtered(lambda row: row.partner_id == self.c and row.month.year == 2026)
        # a past order cancelled: the past months are right again after the next refresh
        self.c_january_order._action_cancel()
        self.Report._refresh_company(self.company, date(2026, 6, 15))
        months = self._by_month()
        self.assertEqual(self._counts(months["January 2026"]), (1, 1, 0, 0, 0, 1, 0))
        self.assertEqual(self._counts(months["March 2026"]), (1, 1, 0, 0, 0, 1, 0))
        self.assertEqual(self._counts(months["September 2025"]), (3, 2, 0, 0, 1, 2, 5000))
        kept = self.Report.search([("company_id", "=", self.company.id)]) & rows
        self.assertEqual(kept, rows - c_2026)

    def test_merged_customers(self):
        self.env["base.partner.merge.automatic.wizard"]._merge((self.b | self.a).ids, self.b)
        self.Report._refresh_company(self.company, date(2026, 6, 15))
        # A's orders are B's now: B, active all along, neither wins nor loses anyone in A's months
        self.assertFalse(self.Report.search([("partner_id", "=", self.a.id)]))
        months = self._by_month()
        self.assertEqual(self._counts(months["July 2025"]), (1, 1, 0, 0, 0, 1, 0))
        self.assertEqual(self._counts(months["November 2025"]), (2, 2, 0, 0, 0, 2, 0))

    @freeze_time("2026-07-02 08:00:00")
    def test_next_month_and_today(self):
        # refreshed on 2 July: June is complete, July counts up to today
        self.Report._refresh_company(self.company)
        months = self._by_month(domain=[("month", ">=", "2025-07-01")])
        self.assertEqual(self._counts(months["June 2026"]), (1, 2, 1, 0, 0, 1, 0))
        [july] = self.Report.formatted_read_group(
            [("company_id", "=", self.company.id), ("month", "=", "2026-07-01")], [], COUNTS
        )
        self.assertEqual(self._counts(july), (2, 2, 0, 0, 0, 2, 0))

    @freeze_time("2026-06-15 08:00:00")
    def test_refreshed_by_its_own_scheduled_action(self):
        months = self._by_month()
        self.env.cr.execute(SQL("DELETE FROM customer_retention_report WHERE company_id = %s", self.company.id))
        self.Report.invalidate_model()
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda cron, processed=0, **kw: 1.0):
            self.env["customer.tier"]._cron_recompute_customer_tiers()
        self.assertFalse(self.Report.search([("company_id", "=", self.company.id)]), "the tier run leaves it alone")
        # the scheduled action as the scheduler runs it, its transaction within the test's
        with self.enter_registry_test_mode():
            self.env.ref("customer_relationship.ir_cron_customer_retention_report").method_direct_trigger()
        self.Report.invalidate_model()
        self.assertEqual(self._by_month(), months)

    def test_pivot_reads(self):
        # what the pivot asks: rows by month, columns by tier, totals, in one query
        sets = self.Report.formatted_read_grouping_sets(
            [("company_id", "=", self.company.id), *YEAR],
            [["month:month", "tier_id"], ["month:month"], ["tier_id"], []],
            ["active_start_count:sum", "churned_count:sum", "churn_rate:avg"],
        )
        [total] = sets[3]
        self.assertEqual((total["active_start_count:sum"], total["churned_count:sum"]), (1, 0))
        self.assertEqual(total["churn_rate:avg"], 0.0)
        platinum_september = next(
            group
            for group in sets[0]
            if group["month:month"][1] == "September 2025" and group["tier_id"][1] == "Platinum"
        )
        self.assertEqual(platinum_september["churn_rate:avg"], 100.0)


@tagged("post_install", "-at_install")
class TestRetentionPeriodFigures(CustomerRelationshipCase):
    """2025 with customers dormant after 60 days, refreshed on 10 January 2026:

    - P1, P2, P3 order on the 10th of every month from December 2024 to December 2025: retained;
    - P4 orders on 10 December 2024 only: churns on 8 February 2025;
    - P5 orders on 10 December 2024 and 10 June 2025: churns on 8 February, is won back in June
      and churns again on 9 August;
    - N orders on the 10th of every month from March 2025: new in March, active at the end.

    So 2 of the 5 customers active on 1 January churned in the year: a churn rate of 40%.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.customer_dormant_days = 60
        *cls.retained, cls.p4, cls.p5, cls.n = cls._create_customers("P1", "P2", "P3", "P4", "P5", "N")
        months = [date(2024, 12, 10)] + [date(2025, month, 10) for month in range(1, 13)]
        cls._create_orders(
            [
                *[(customer, 100, day) for customer in cls.retained for day in months],
                (cls.p4, 100, date(2024, 12, 10)),
                (cls.p5, 100, date(2024, 12, 10)),
                (cls.p5, 100, date(2025, 6, 10)),
                *[(cls.n, 100, day) for day in months[3:]],
            ]
        )
        cls.Report = cls.env["customer.retention.report"]
        cls.Report._refresh_company(cls.company, date(2026, 1, 10))
        cls.domain = [("company_id", "=", cls.company.id), ("month", ">=", "2025-01-01"), ("month", "<", "2026-01-01")]

    def test_year_in_which_two_of_five_churned(self):
        [year] = self.Report.formatted_read_group(self.domain, [], [*COUNTS, *RATES])
        # (active at start, at end, new, won back, churned, retained): P5, won back in June and
        # gone again in August, is one of the two churned, not won back;
        # start - churned + won back + new = end
        self.assertEqual(self._counts(year), (5, 4, 1, 0, 2, 3))
        self.assertEqual(year["churn_rate:avg"], 40.0)  # 2 / 5
        self.assertEqual(year["retention_rate:avg"], 60.0)  # 3 / 5
        self.assertEqual(year["new_rate:avg"], 20.0)  # 1 / 5
        # the monthly rows: P5 churned twice; 5 in January, P1-P3 in the 11 other months, P4 and
        # P5 in February, P5 in July and August, N from April: customer-months active at a start
        churned_rows = self.Report.search([*self.domain, ("churned_count", "=", 1)])
        self.assertEqual(len(churned_rows), 3)
        self.assertEqual(sum(self.Report.search(self.domain).mapped("active_start_count")), 5 + 33 + 4 + 9)

    def test_quarters_and_pivot_totals(self):
        sets = self.Report.formatted_read_grouping_sets(
            self.domain, [["month:quarter"], []], [*COUNTS, "churn_rate:avg"]
        )
        quarters = {group["month:quarter"][1]: self._counts(group) for group in sets[0]}
        self.assertEqual(
            quarters,
            {
                "Q1 2025": (5, 4, 1, 0, 2, 3),  # P4 and P5 churn in February, N is new
                "Q2 2025": (4, 5, 0, 1, 0, 4),  # P5 won back in June
                "Q3 2025": (5, 4, 0, 0, 1, 4),  # P5 churns again in August
                "Q4 2025": (4, 4, 0, 0, 0, 4),
            },
        )
        [total] = sets[1]
        self.assertEqual(self._counts(total), (5, 4, 1, 0, 2, 3))
        self.assertEqual(total["churn_rate:avg"], 40.0)
        by_quarter = {group["month:quarter"][1]: group["churn_rate:avg"] for group in sets[0]}
        self.assertEqual(by_quarter["Q3 2025"], 20.0)  # 1 / 5

    def _counts(self, group):
        return tuple(group[spec] for spec in COUNTS[:-1])


@tagged("post_install", "-at_install")
@freeze_time("2026-06-30 12:00:00")
class TestCustomerEffortReport(CustomerRelationshipCase):
    """Today 30 June 2026, value window 12 months: visits done from 30 June 2025 count.

    The salesman's customers and value: P1 Platinum 6,000; G1 and G2 Gold 2,000 and 1,000;
    I1 Iron 700; L1 Lead 300 (10,000 in all). His done visits: P1 twice 2 h (20 Jun, 1 May),
    G1 three times 1 h (25 Jun, 1 Apr, 1 Dec 2025), G2 once on 1 May 2025 (before the window),
    I1 once 2 h (15 May), L1 once 1 h (28 Jun): 7 visits, 10 hours in the window. A planned and a
    cancelled visit count for nothing.

    The other salesman: O1 Gold 5,000, visited 3 h on 1 Jun; he also visited G1 for 1 h on 10 Jun
    (his effort, on a Gold customer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p1, cls.g1, cls.g2, cls.i1, cls.l1 = cls._create_customers("P1", "G1", "G2", "I1", "L1")
        cls.o1 = cls._create_customers("O1", user_id=cls.salesman_other.id)
        figures = {
            cls.p1: ("platinum", 6000),
            cls.g1: ("gold", 2000),
            cls.g2: ("gold", 1000),
            cls.i1: ("iron", 700),
            cls.l1: ("lead", 300),
            cls.o1: ("gold", 5000),
        }
        for partner, (tier, value) in figures.items():
            cls._set_account(partner, tier_id=cls.tiers[tier].id, value=value)
        visits = [
            (cls.p1, cls.salesman, datetime(2026, 6, 20, 9), 2),
            (cls.p1, cls.salesman, datetime(2026, 5, 1, 9), 2),
            (cls.g1, cls.salesman, datetime(2026, 6, 25, 9), 1),
            (cls.g1, cls.salesman, datetime(2026, 4, 1, 9), 1),
            (cls.g1, cls.salesman, datetime(2025, 12, 1, 9), 1),
            (cls.g2, cls.salesman, datetime(2025, 5, 1, 9), 1),
            (cls.i1, cls.salesman, datetime(2026, 5, 15, 9), 2),
            (cls.l1, cls.salesman, datetime(2026, 6, 28, 9), 1),
            (cls.o1, cls.salesman_other, datetime(2026, 6, 1, 9), 3),
            (cls.g1, cls.salesman_other, datetime(2026, 6, 10, 9), 1),
        ]
        cls.Visit = cls.env["customer.visit"].with_company(cls.company)
        done = cls.Visit.create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "company_id": cls.company.id,
                    "planned_start": start,
                    "duration": hours,
                    "notes": "<p>Reviewed the account.</p>",
                }
                for partner, user, start, hours in visits
            ]
        )
        done.action_done()
        open_visits = cls.Visit.create(
            [
                {"partner_id": cls.l1.id, "company_id": cls.company.id, "planned_start": datetime(2026, 7, 3, 9)},
                {"partner_id": cls.g2.id, "company_id": cls.company.id, "planned_start": datetime(2026, 6, 3, 9)},
            ]
        )
        open_visits[1].action_cancel()
        cls.Report = cls.env["customer.effort.report"]
        cls.domain = [("company_id", "=", cls.company.id)]
        cls.measures = [
            "visit_count:sum",
            "visit_hours:sum",
            "customer_count:sum",
            "customer_value:sum",
            "covered_count:sum",
            "visit_share:avg",
            "hour_share:avg",
            "value_share:avg",
            "coverage_rate:avg",
        ]

    def _groups(self, groupby, report=None):
        report = self.Report if report is None else report
        # groups keyed by salesperson id and tier name
        return {
            tuple(group[spec] and group[spec][0 if spec == "user_id" else 1] for spec in groupby): tuple(
                group[measure] for measure in self.measures
            )
            for group in report.formatted_read_group(self.domain, groupby, self.measures)
        }

    def test_effort_against_value_per_salesperson_and_tier(self):
        # (visits, hours, customers, value, contacted in time, % visits, % hours, % value, % coverage)
        self.assertEqual(
            self._groups(["user_id", "tier_id"]),
            {
                (self.salesman.id, "Platinum"): (2, 4, 1, 6000, 1, 28.57, 40.0, 60.0, 100.0),
                (self.salesman.id, "Gold"): (3, 3, 2, 3000, 1, 42.86, 30.0, 30.0, 50.0),  # G2 overdue
                (self.salesman.id, "Iron"): (1, 2, 1, 700, 1, 14.29, 20.0, 7.0, 100.0),
                (self.salesman.id, "Lead"): (1, 1, 1, 300, 1, 14.29, 10.0, 3.0, 100.0),
                (self.salesman_other.id, "Gold"): (2, 4, 1, 5000, 1, 100.0, 100.0, 100.0, 100.0),
            },
        )
        # the list shows the same shares on its rows
        rows = self.Report.search([*self.domain, ("user_id", "=", self.salesman.id)])
        self.assertEqual(rows.mapped("hour_share"), [40.0, 30.0, 20.0, 10.0])
        self.assertEqual(rows.mapped("value_share"), [60.0, 30.0, 7.0, 3.0])

    def test_shares_of_any_grouping(self):
        # by salesperson: each is all of its own effort; coverage over the salesperson's customers
        self.assertEqual(
            self._groups(["user_id"]),
            {
                (self.salesman.id,): (7, 10, 5, 10000, 4, 100.0, 100.0, 100.0, 80.0),
                (self.salesman_other.id,): (2, 4, 1, 5000, 1, 100.0, 100.0, 100.0, 100.0),
            },
        )
        # by tier: the tier's share of everyone's effort and value
        gold = self._groups(["tier_id"])[("Gold",)]
        self.assertEqual(gold, (5, 7, 3, 8000, 2, 55.56, 50.0, 53.33, 66.67))
        [total] = self.Report.formatted_read_group(self.domain, [], self.measures)
        self.assertEqual(total["coverage_rate:avg"], 83.33)
        self.assertEqual(total["hour_share:avg"], 100.0)

    def test_pivot_reads_in_one_query(self):
        grouping_sets = [["user_id", "tier_id"], ["user_id"], ["tier_id"], []]
        self.Report.formatted_read_grouping_sets(self.domain, grouping_sets, self.measures)  # warm the caches
        with self.assertQueryCount(1):  # the groups, their shares taken in the same query
            sets = self.Report.formatted_read_grouping_sets(self.domain, grouping_sets, self.measures)
        cell = next(
            group for group in sets[0] if group["user_id"][0] == self.salesman.id and group["tier_id"][1] == "Gold"
        )
        self.assertEqual((cell["hour_share:avg"], cell["value_share:avg"]), (30.0, 30.0))
        self.assertEqual([group["visit_share:avg"] for group in sets[1]], [100.0, 100.0])
        gold = next(group for group in sets[2] if group["tier_id"][1] == "Gold")
        self.assertEqual((gold["visit_share:avg"], gold["coverage_rate:avg"]), (55.56, 66.67))
        self.assertEqual(sets[3][0]["value_share:avg"], 100.0)

    def test_salesperson_sees_own_effort(self):
        groups = self._groups(["tier_id"], self.Report.with_user(self.salesman))
        self.assertEqual(groups[("Gold",)], (3, 3, 2, 3000, 1, 42.86, 30.0, 30.0, 50.0))
        self.assertEqual(set(groups), {("Platinum",), ("Gold",), ("Iron",), ("Lead",)})
        self.assertEqual(self.Report.with_user(self.salesman_all).search_count(self.domain), 5)

    def test_companies_are_apart(self):
        self._set_account(self.p1, self.company_eu, tier_id=self.tiers["gold"].id, value=900)
        visit = self.Visit.with_company(self.company_eu).create(
            {
                "partner_id": self.p1.id,
                "user_id": self.salesman.id,
                "company_id": self.company_eu.id,
                "planned_start": datetime(2026, 6, 2, 9),
                "notes": "<p>Met in Hamburg.</p>",
            }
        )
        visit.action_done()
        eu = self.Report.search([("company_id", "=", self.company_eu.id)])
        self.assertEqual(
            [(row.tier_id, row.visit_count, row.customer_value, row.coverage_rate) for row in eu],
            [(self.tiers["gold"], 1, 900, 100.0)],
        )
        self.assertEqual(eu.currency_id, self.eur)
        self.assertFalse(self.Report.with_user(self.manager).search([("company_id", "=", self.company_eu.id)]))
        # the salesman's Platinum in the main company is untouched by his Hamburg visit
        platinum = self._groups(["user_id", "tier_id"])[(self.salesman.id, "Platinum")]
        self.assertEqual(platinum[:5], (2, 4, 1, 6000, 1))


@tagged("post_install", "-at_install")
class TestVisitSatisfaction(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._create_customers("Rated Co")
        cls.visits = cls.env["customer.visit"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "user_id": user.id,
                    "company_id": cls.company.id,
                    "planned_start": datetime(2025, 5, day, 9),
                    "notes": "<p>Went through the orders.</p>",
                    "satisfaction": rating,
                }
                for user, day, rating in (
                    (cls.salesman, 5, "3"),
                    (cls.salesman, 6, "1"),
                    (cls.salesman, 7, "0"),
                    (cls.salesman, 8, "0"),
                    (cls.salesman_other, 9, "0"),
                )
            ]
        )
        cls.visits.action_done()

    def test_average_leaves_unrated_visits_out(self):
        # what the visit pivot asks: by salesperson and the total
        by_user, [total] = self.env["customer.visit"].formatted_read_grouping_sets(
            [("id", "in", self.visits.ids)],
            [["user_id"], []],
            ["satisfaction_score:avg", "satisfaction_score:min", "__count"],
        )
        averages = {group["user_id"][0]: group["satisfaction_score:avg"] for group in by_user}
        # (3 + 1) / 2 rated visits, not / 4 visits
        self.assertEqual(averages[self.salesman.id], 2.0)
        self.assertFalse(averages[self.salesman_other.id], "no rated visit: no average, not 0")
        self.assertEqual(total["satisfaction_score:avg"], 2.0)
        self.assertEqual(total["satisfaction_score:min"], 1)
        self.assertEqual(total["__count"], 5)
