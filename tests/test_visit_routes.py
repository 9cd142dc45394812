import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

import polib
import pytz

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_date

from ..models.customer_visit import haversine_km
from .common import CustomerRelationshipCase

SHANGHAI = pytz.timezone("Asia/Shanghai")
MONDAY = date(2026, 6, 15)
# Two areas about 170 km apart: four customers in Shanghai, four in Hangzhou, in no particular order.
SHANGHAI_POINTS = [(31.20, 121.40), (31.25, 121.52), (31.21, 121.47), (31.26, 121.44)]
HANGZHOU_POINTS = [(30.28, 120.16), (30.24, 120.10), (30.29, 120.20), (30.22, 120.17)]


def local(utc):
    return pytz.utc.localize(utc).astimezone(SHANGHAI).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestVisitRoutes(CustomerRelationshipCase):
    """A salesperson in Shanghai plans visits over hand-made coordinates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman.tz = "Asia/Shanghai"
        cls.company.write({"visit_road_factor": 1.3, "visit_travel_speed": 40.0, "visit_checkin_distance": 500})
        cls.Visit = cls.env["customer.visit"]

    def _located(self, prefix, points, **vals):
        customers = self.env["res.partner"]
        for index, (latitude, longitude) in enumerate(points):
            customers |= self._create_customers(
                f"{prefix} {index}", partner_latitude=latitude, partner_longitude=longitude, **vals
            )
        return customers

    def _plan(self, customers, date_from, date_to, user=None, **vals):
        user = user or self.salesman
        wizard = (
            self.env["customer.visit.plan"]
            .with_user(user)
            .with_company(self.company)
            .create(
                {
                    "user_id": user.id,
                    "partner_ids": [Command.set(customers.ids)],
                    "date_from": date_from,
                    "date_to": date_to,
                    "duration": 1.0,
                    **vals,
                }
            )
        )
        wizard.action_preview()
        return wizard

    @staticmethod
    def _km(partners):
        return sum(
            1.3 * haversine_km(a.partner_latitude, a.partner_longitude, b.partner_latitude, b.partner_longitude)
            for a, b in itertools.pairwise(partners)
        )

    def _days(self, wizard):
        days = {}
        for line in wizard.line_ids.filtered("planned_start").sorted(lambda line: (line.day, line.sequence)):
            days.setdefault(line.day, []).append(line)
        return days

    def test_two_areas_two_days_each_in_its_shortest_order(self):
        shanghai = self._located("Shanghai Co", SHANGHAI_POINTS)
        hangzhou = self._located("Hangzhou Co", HANGZHOU_POINTS)
        wizard = self._plan(shanghai | hangzhou, MONDAY, MONDAY + timedelta(days=1), max_per_day=4)
        days = self._days(wizard)
        self.assertEqual(len(days), 2)
        day_customers = [
            self.env["res.partner"].concat(*(line.partner_id for line in lines)) for lines in days.values()
        ]
        self.assertCountEqual([set(customers) for customers in day_customers], [set(shanghai), set(hangzhou)])
        for lines, customers in zip(days.values(), day_customers, strict=True):
            shortest = min(self._km(order) for order in itertools.permutations(customers))
            self.assertAlmostEqual(self._km(customers), shortest, places=3, msg="the day travels the least")
            self.assertAlmostEqual(sum(line.distance_km for line in lines), shortest, delta=0.3)
            self.assertEqual([line.sequence for line in lines], [1, 2, 3, 4])
            # 08:00 the first, then one hour of visit plus the travel from the previous stop.
            self.assertEqual(local(lines[0].planned_start).time().hour, 8)
            for previous, line in itertools.pairwise(lines):
                gap = (line.planned_start - previous.planned_start).total_seconds() / 3600
                self.assertGreaterEqual(gap + 1e-6, 1 + line.travel_time)
                self.assertGreater(line.distance_km, 0)
        self.assertIn("Stops", wizard.summary)

        wizard.action_create_visits()
        visits = self.Visit.search([("partner_id", "in", (shanghai | hangzhou).ids)])
        self.assertEqual(len(visits), 8)
        self.assertEqual(visits.user_id, self.salesman)

    def test_working_calendar_and_opening_hours(self):
        # Tuesday 09:00-11:00 and 14:00-18:00, Thursday 14:00-18:00: not the company's Monday to Friday.
        calendar = self.env["resource.calendar"].create(
            {
                "name": "Field days",
                "tz": "Asia/Shanghai",
                "attendance_ids": [
                    Command.clear(),
                    Command.create({"name": "Tue AM", "dayofweek": "1", "hour_from": 9, "hour_to": 11}),
                    Command.create({"name": "Tue PM", "dayofweek": "1", "hour_from": 14, "hour_to": 18}),
                    Command.create({"name": "Thu PM", "dayofweek": "3", "hour_from": 14, "hour_to": 18}),
                ],
            }
        )
        self.env["resource.resource"].create(
            {"name": self.salesman.name, "user_id": self.salesman.id, "calendar_id": calendar.id, "tz": "Asia/Shanghai"}
        )
        customers = self._located("Calendar Co", SHANGHAI_POINTS[:3])
        late = customers[0]
        late.write({"visit_open_from": 16.0, "visit_open_to": 18.0})
        never = self._located("Dawn Co", SHANGHAI_POINTS[3:], visit_open_from=6.0, visit_open_to=7.0)
        wizard = self._plan(customers | never, MONDAY, MONDAY + timedelta(days=4), max_per_day=4)
        planned = wizard.line_ids.filtered("planned_start")
        self.assertEqual(planned.partner_id, customers)
        for line in planned:
            start = local(line.planned_start)
            end = start + timedelta(hours=1)
            self.assertIn(start.date(), (date(2026, 6, 16), date(2026, 6, 18)))
            hours = (start.hour + start.minute / 60, end.hour + end.minute / 60)
            windows = [(9, 11), (14, 18)] if start.weekday() == 1 else [(14, 18)]
            self.assertTrue(any(a <= hours[0] and hours[1] <= b for a, b in windows), f"{start} outside {windows}")
        late_start = local(planned.filtered(lambda line: line.partner_id == late).planned_start)
        self.assertGreaterEqual(late_start.hour, 16, "the customer opens at 16:00")
        self.assertLessEqual(late_start + timedelta(hours=1), late_start.replace(hour=18, minute=0))
        self.assertIn("No time left", wizard.line_ids.filtered(lambda line: line.partner_id == never).skip_reason)

    def test_customers_without_location_last_and_flagged(self):
        located = self._located("Located Co", SHANGHAI_POINTS[:2])
        nowhere = self._create_customers("Nowhere Co")
        wizard = self._plan(located | nowhere, MONDAY, MONDAY, max_per_day=3)
        lines = next(iter(self._days(wizard).values()))
        self.assertEqual(len(lines), 3)
        self.assertEqual(lines[-1].partner_id, nowhere, "placed last")
        self.assertTrue(lines[-1].no_location)
        self.assertFalse(any(line.no_location for line in lines[:-1]))
        self.assertGreaterEqual(lines[-1].planned_start, lines[-2].planned_start + timedelta(hours=1))

    def test_salesperson_plans_only_own_customers(self):
        mine = self._located("Mine Co", SHANGHAI_POINTS[:1])
        theirs = self._located("Theirs Co", SHANGHAI_POINTS[1:2], user_id=self.salesman_other.id)
        with self.assertRaises(AccessError):
            self._plan(mine | theirs, MONDAY, MONDAY)
        with self.assertRaises(AccessError):
            self._plan(mine, MONDAY, MONDAY, user=self.salesman, user_id=self.salesman_other.id)
        # Due by default: my customer with a planned visit left overdue, not my colleague's.
        past = datetime(2020, 1, 6, 2)
        self.Visit.create(
            [
                {"partner_id": mine.id, "user_id": self.salesman.id, "planned_start": past},
                {"partner_id": theirs.id, "user_id": self.salesman_other.id, "planned_start": past},
            ]
        )
        wizard = self.env["customer.visit.plan"].with_user(self.salesman).with_company(self.company).create({})
        self.assertIn(mine, wizard.partner_ids)
        self.assertNotIn(theirs, wizard.partner_ids)
        # Seeing every customer plans for a colleague.
        self._plan(theirs, MONDAY, MONDAY, user=self.salesman_all, user_id=self.salesman_other.id)

    def test_salesperson_in_this_company_plans(self):
        # Handed over in this company only: the account's salesperson plans, not the customer's.
        handed = self._located("Handed Co", SHANGHAI_POINTS[:1], user_id=self.salesman_other.id)
        kept = self._located("Kept Co", SHANGHAI_POINTS[1:2])
        gold = self.tiers["gold"].id
        self._set_account(handed, user_id=self.salesman.id, tier_id=gold)
        self._set_account(kept, user_id=self.salesman_other.id, tier_id=gold)
        with self.assertRaises(AccessError):
            self._plan(kept, MONDAY, MONDAY)
        self.assertTrue(self._plan(handed, MONDAY, MONDAY).can_create)
        # Due by default (never contacted, by its tier's interval): the customer I sell to here.
        wizard = self.env["customer.visit.plan"].with_user(self.salesman).with_company(self.company).create({})
        self.assertIn(handed, wizard.partner_ids)
        self.assertNotIn(kept, wizard.partner_ids)

    def test_check_in_distance_and_flag(self):
        customer = self._located("Check Co", [(31.2304, 121.4737)])
        visits = self.Visit.with_user(self.salesman).create(
            [{"partner_id": customer.id, "planned_start": datetime(2026, 6, 15, 2)} for _ in range(3)]
        )
        on_site, far, refused = visits
        on_site.action_check_in(31.2305, 121.4737, "located")
        self.assertEqual(on_site.checkin_state, "located")
        self.assertLess(on_site.checkin_distance, 20)
        self.assertFalse(on_site.checkin_far)
        self.assertEqual(on_site.checkin_on_site_rate, 100)
        far.action_check_in(31.2304 + 0.045, 121.4737, "located")  # 5 km north
        self.assertAlmostEqual(far.checkin_distance, 5000, delta=50)
        self.assertTrue(far.checkin_far)
        self.assertEqual(far.checkin_on_site_rate, 0)
        refused.action_check_in(location_state="refused")
        self.assertEqual(refused.checkin_state, "refused")
        self.assertFalse(refused.checkin_far)
        self.assertEqual(refused.checkin_on_site_rate, 0)
        on_site.action_check_out(31.2305, 121.4738, "located")
        self.assertTrue(on_site.checkout_date)
        self.assertEqual(on_site.checkout_state, "located")
        # The analysis: one of three visits checked in on site.
        [[rate]] = self.Visit._read_group([("id", "in", visits.ids)], [], ["checkin_on_site_rate:avg"])
        self.assertAlmostEqual(rate, 100 / 3, places=2)

    def test_route_sheet_legs_and_day_total(self):
        first, second = self._located("Sheet Co", SHANGHAI_POINTS[:2])
        nowhere = self._create_customers("Sheet Nowhere Co")
        visits = self.Visit.create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.salesman.id,
                    "company_id": self.company.id,
                    "planned_start": start,
                }
                for partner, start in (
                    (first, datetime(2026, 6, 16, 1)),  # 09:00, 10:30 and 12:00 in Shanghai
                    (second, datetime(2026, 6, 16, 2, 30)),
                    (nowhere, datetime(2026, 6, 16, 4)),
                )
            ]
        )
        html = (
            self.env["ir.actions.report"]
            .with_user(self.salesman)
            .with_context(tz="Asia/Shanghai")
            ._render_qweb_html("customer_relationship.customer_visit_route_sheet_report", visits.ids)[0]
            .decode()
        )
        km = self._km(first | second)
        self.assertIn(f"{km:.1f}</span> km", html)
        self.assertIn("No location: distance unknown", html)
        self.assertIn("Day Total:", html)
        total = html[html.index("Day Total:") :]
        self.assertIn("<span>3</span> stops", total)
        self.assertIn("09:00", total)
        self.assertIn("13:00", total, "the last visit ends an hour after 12:00")

    def _route_sheet(self, visits):
        return (
            self.env["ir.actions.report"]
            .with_user(self.salesman)
            .with_context(tz="Asia/Shanghai")
            ._render_qweb_html("customer_relationship.customer_visit_route_sheet_report", visits.ids)[0]
            .decode()
        )

    def test_route_sheet_calls_are_no_stops(self):
        first, second = self._located("Trip Co", SHANGHAI_POINTS[:2])
        far = self._located("Call Co", HANGZHOU_POINTS[:1])
        purpose = self.env["customer.visit.purpose"].create({"name": "Solve Problems"})
        visits = self.Visit.create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.salesman.id,
                    "company_id": self.company.id,
                    "planned_start": start,
                    "visit_type": visit_type,
                    "purpose_ids": [Command.set(purpose.ids)],
                }
                for partner, start, visit_type in (
                    (first, datetime(2026, 6, 16, 1), "on_site"),
                    (far, datetime(2026, 6, 16, 2, 30), "phone"),  # a call to Hangzhou between the two
                    (second, datetime(2026, 6, 16, 4), "on_site"),
                )
            ]
        )
        html = self._route_sheet(visits)
        # One leg: from the first customer to the second, the call in between travels nowhere.
        self.assertEqual(html.count("From the Previous Stop"), 1)
        km = self._km(first | second)
        self.assertIn(f"{km:.1f}</span> km", html)
        total = html[html.index("Day Total:") :]
        self.assertIn("<span>2</span> stops", total)
        self.assertIn("1 remote visit,", total)
        self.assertIn(f"{km:.1f}</span> km", total)
        self.assertIn("Phone</span><span>: Solve Problems", html, "no space before the colon")
        # One on-site visit: "1 stop", in the singular.
        total = self._route_sheet(visits[0])
        self.assertIn("1 stop,", total[total.index("Day Total:") :])

    def test_areas_fill_days_not_one_customer_a_day(self):
        shanghai = self._located("Area Shanghai Co", SHANGHAI_POINTS[:3])
        hangzhou = self._located("Area Hangzhou Co", HANGZHOU_POINTS[:3])
        # Two weeks: ten working days for six customers in two areas 170 km apart.
        wizard = self._plan(shanghai | hangzhou, MONDAY, MONDAY + timedelta(days=11))
        self.assertFalse(wizard.line_ids.filtered("skip_reason"))
        days = self._days(wizard)
        self.assertEqual(len(days), 2, "one day per area")
        self.assertEqual(list(days), [MONDAY, MONDAY + timedelta(days=1)], "the earliest days")
        day_customers = [
            self.env["res.partner"].concat(*(line.partner_id for line in lines)) for lines in days.values()
        ]
        self.assertCountEqual([set(customers) for customers in day_customers], [set(shanghai), set(hangzhou)])
        for lines, customers in zip(days.values(), day_customers, strict=True):
            shortest = min(self._km(order) for order in itertools.permutations(customers))
            self.assertAlmostEqual(self._km(customers), shortest, places=3, msg="the day travels the least")
            self.assertGreater(sum(line.distance_km for line in lines), 0)
        self.assertIn(format_date(self.env, MONDAY), wizard.summary, "the user's date format")
        self.assertNotIn("2026-06-15", wizard.summary)

    def test_open_planned_visit_skipped_and_nothing_to_create(self):
        overdue, in_range = self._located("Open Co", SHANGHAI_POINTS[:2])
        self.Visit.create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.salesman.id,
                    "company_id": self.company.id,
                    "planned_start": at,
                }
                for partner, at in ((overdue, datetime(2026, 6, 1, 2)), (in_range, datetime(2026, 6, 17, 2)))
            ]
        )
        wizard = self._plan(overdue | in_range, MONDAY, MONDAY + timedelta(days=4))
        self.assertFalse(wizard.line_ids.filtered("planned_start"), "no second visit")
        reasons = dict(zip(wizard.line_ids.partner_id, wizard.line_ids.mapped("skip_reason"), strict=True))
        self.assertIn(format_date(self.env, date(2026, 6, 1)), reasons[overdue])
        self.assertIn("Already has a planned visit", reasons[in_range])
        self.assertNotIn("2026-06", reasons[overdue], "the date in the user's format")
        self.assertFalse(wizard.can_create, "Create Visits hidden")
        count = self.Visit.search_count([])
        with self.assertRaises(UserError):
            wizard.action_create_visits()
        self.assertEqual(self.Visit.search_count([]), count)

    def test_skip_reason_date_in_user_format(self):
        never = self._located("Closed Co", SHANGHAI_POINTS[:1], visit_open_from=6.0, visit_open_to=7.0)
        wizard = self._plan(never, MONDAY, MONDAY + timedelta(days=1))
        reason = wizard.line_ids.skip_reason
        self.assertIn(format_date(self.env, MONDAY), reason)
        self.assertNotIn("2026-06-15", reason)

    def test_zh_cn_terms(self):
        chinese = {
            entry.msgid: entry.msgstr for entry in polib.pofile(str(Path(__file__).parent.parent / "i18n/zh_CN.po"))
        }
        self.assertEqual(chinese["Check In"], "签到")
        self.assertEqual(chinese["Check Out"], "签退")
        self.assertIn("路线", chinese["Route"])


@tagged("post_install", "-at_install")
class TestCheckInTour(HttpCase):
    """Headless Chromium is granted the geolocation permission and placed where the test says."""

    position = (31.2304, 121.4737)

    def authenticate(self, user, password, browser=None):
        session = super().authenticate(user, password, browser=browser)
        if browser:
            browser._websocket_request(
                "Browser.grantPermissions", params={"permissions": ["geolocation"], "origin": self.base_url()}
            )
            latitude, longitude = self.position
            browser._websocket_request(
                "Emulation.setGeolocationOverride", params={"latitude": latitude, "longitude": longitude, "accuracy": 5}
            )
        return session

    def test_check_in_on_site_and_5_km_away(self):
        customers = self.env["res.partner"].create(
            [
                {
                    "name": "Tour On Site Co",
                    "is_company": True,
                    "partner_latitude": 31.2304,
                    "partner_longitude": 121.4737,
                },
                {"name": "Tour Far Co", "is_company": True, "partner_latitude": 31.2754, "partner_longitude": 121.4737},
            ]
        )
        admin = self.env.ref("base.user_admin")
        visits = self.env["customer.visit"].create(
            [{"partner_id": customer.id, "user_id": admin.id} for customer in customers]
        )
        for visit in visits:
            self.start_tour(
                f"/odoo/action-customer_relationship.customer_visit_action/{visit.id}",
                "customer_visit_checkin_tour",
                login="admin",
            )
        on_site, far = visits
        self.assertEqual(on_site.checkin_state, "located")
        self.assertLess(on_site.checkin_distance, 20)
        self.assertFalse(on_site.checkin_far)
        self.assertAlmostEqual(far.checkin_distance, 5000, delta=50)
        self.assertTrue(far.checkin_far)
        self.assertTrue(on_site.checkout_date, "checked out too")
