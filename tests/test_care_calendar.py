from datetime import date, datetime, timedelta
from unittest.mock import patch

import holidays
import pytz
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged, users, warmup
from odoo.tools import SQL

from ..models.customer_care_rule import TRIGGERS
from .common import CustomerCareCase

SHANGHAI = pytz.timezone("Asia/Shanghai")


def local_days(leave):
    """The days a leave covers, in Shanghai."""
    first = pytz.utc.localize(leave.date_from).astimezone(SHANGHAI).date()
    last = pytz.utc.localize(leave.date_to).astimezone(SHANGHAI).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@tagged("post_install", "-at_install")
class TestPublicHolidays(CustomerCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.cn")
        cls.company.resource_calendar_id.tz = "Asia/Shanghai"
        cls.spring_festival = cls.env.ref("customer_relationship.customer_care_holiday_cn_spring_festival")
        cls.mid_autumn = cls.env.ref("customer_relationship.customer_care_holiday_cn_mid_autumn")
        cls.Leave = cls.env["resource.calendar.leaves"]

    def _public_holidays(self):
        return self.Leave.search([("company_id", "=", self.company.id), ("resource_id", "=", False)])

    def test_china_2027_filled_once_in_the_company_language_keeping_hand_entered_days(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.company.partner_id.lang = "zh_CN"
        calendar = self.company.resource_calendar_id
        # National Day entered by hand, for the whole golden week (Shanghai midnight is 16:00 UTC)
        by_hand = self.Leave.create(
            {
                "name": "National Day week",
                "company_id": self.company.id,
                "calendar_id": calendar.id,
                "date_from": datetime(2027, 9, 30, 16),
                "date_to": datetime(2027, 10, 7, 15, 59, 59),
            }
        )
        created = self.company._fill_public_holidays([2027])

        days = {day: leave for leave in created for day in local_days(leave)}
        self.assertEqual(
            (days[date(2027, 2, 6)].name, days[date(2027, 2, 6)].care_holiday_id), ("春节", self.spring_festival)
        )
        self.assertEqual(days[date(2027, 2, 6)], days[date(2027, 2, 8)], "one leave for the festival's days")
        # the observed days are Spring Festival too
        self.assertEqual(days[date(2027, 2, 10)].care_holiday_id, self.spring_festival)
        self.assertEqual(days[date(2027, 6, 9)].name, "端午节")
        self.assertEqual(days[date(2027, 6, 9)].care_holiday_id.code, "端午节")
        self.assertEqual(
            (days[date(2027, 9, 15)].name, days[date(2027, 9, 15)].care_holiday_id), ("中秋节", self.mid_autumn)
        )
        self.assertTrue(all(leave.calendar_id == calendar and leave.company_id == self.company for leave in created))
        # exactly the library's days, less those entered by hand
        library = holidays.country_holidays("CN", years=2027)
        self.assertEqual(set(days), {day for day in library if not date(2027, 10, 1) <= day <= date(2027, 10, 7)})
        self.assertTrue(by_hand.exists())
        self.assertEqual(by_hand.name, "National Day week")

        before = self._public_holidays()
        self.assertFalse(self.company._fill_public_holidays([2027]))
        self.assertEqual(self._public_holidays(), before)

    @freeze_time("2026-05-01")
    def test_settings_fill_this_year_and_the_next_for_the_chosen_country(self):
        self.company.country_id = self.env.ref("base.us")
        settings = (
            self.env["res.config.settings"]
            .with_company(self.company)
            .create({"public_holiday_country_id": self.env.ref("base.cn").id})
        )
        self.assertEqual(self.company.public_holiday_country_id.code, "CN")
        settings.action_fill_public_holidays()
        spring = self._public_holidays().filtered(lambda leave: leave.care_holiday_id == self.spring_festival)
        self.assertEqual(
            sorted({local_days(leave)[0].year for leave in spring}), [2026, 2027], "this year and the next"
        )
        with self.assertRaises(ValidationError):
            self.company.public_holiday_subdivision = "XX"

    @freeze_time("2026-05-01")
    def test_united_states_by_default_with_the_installed_library(self):
        """The default settings: no holiday country, the company's country is the United States."""
        self.company.country_id = self.env.ref("base.us")
        self.company.partner_id.lang = "en_US"
        action = self.company.action_fill_public_holidays()
        self.assertEqual(action["params"]["type"], "success")
        leaves = self._public_holidays()
        days = {day: leave for leave in leaves for day in local_days(leave)}
        self.assertEqual(set(days), set(holidays.country_holidays("US", years=[2026, 2027])))
        # 4 July 2026 is a Saturday: observed on Friday 3rd, which is Independence Day all the same
        independence = days[date(2026, 7, 4)].care_holiday_id
        self.assertEqual((days[date(2026, 7, 4)].name, independence.name), ("Independence Day", "Independence Day"))
        self.assertEqual(days[date(2026, 7, 3)].name, "Independence Day (observed)")
        self.assertEqual(days[date(2026, 7, 3)].care_holiday_id, independence)
        self.assertTrue(all(leave.care_holiday_id.country_id.code == "US" for leave in leaves))

    def test_substituted_days_off_are_filled_but_no_holiday_to_greet(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.company.partner_id.lang = "zh_CN"
        created = self.company._fill_public_holidays([2026])
        days = {day: leave for leave in created for day in local_days(leave)}
        self.assertEqual(days[date(2026, 1, 1)].care_holiday_id.code, "元旦")
        self.assertEqual(days[date(2026, 5, 1)].care_holiday_id.code, "劳动节")
        # the days off given for a worked weekend day (调休) are in the calendar, with no identity
        substituted = [date(2026, 1, 2), date(2026, 2, 20), date(2026, 2, 23), date(2026, 5, 5), date(2026, 10, 6)]
        self.assertTrue(all(days[day].name.startswith("休息日") for day in substituted))
        self.assertEqual(
            {day for day, leave in days.items() if not leave.care_holiday_id}, {*substituted, date(2026, 10, 7)}
        )
        # so the care rules' Holidays picker does not offer them
        names = self.env["customer.care.holiday"].search([("country_id.code", "=", "CN")]).mapped("code")
        self.assertIn("春节", names)
        self.assertFalse([name for name in names if "休息日" in name or "substituted" in name])

    def test_a_country_the_library_does_not_cover_is_a_clear_error(self):
        self.company.country_id = self.env.ref("base.xi")
        with self.assertRaisesRegex(UserError, "does not know the public holidays of Northern Ireland"):
            self.company.action_fill_public_holidays()

    def test_rule_picks_spring_festival_by_its_identity(self):
        self.company.partner_id.lang = "en_US"
        self.company._fill_public_holidays([2027])
        customer = self._tiered("Festival Co")
        festival = self._rule(trigger="holiday", holiday_ids=self.spring_festival.ids, days_offset=-7, lead_days=14)
        self.assertEqual(festival.days_offset_label, "7 days before the event")
        # the names are English: no keyword would find 春节; New Year's Eve the day before is another holiday
        festival._generate_actions(date(2027, 1, 20))
        festival._generate_actions(date(2027, 1, 30))
        festival._generate_actions(date(2027, 2, 6))
        self.assertEqual(
            self._events(self._actions(festival, customer)),
            [("Festival Co", False, date(2027, 2, 6), date(2027, 1, 30))],
        )
        moon = self._rule(trigger="holiday", holiday_ids=self.mid_autumn.ids, lead_days=7)
        moon._generate_actions(date(2027, 9, 10))
        self.assertEqual(self._actions(moon, customer).mapped("occurrence_date"), [date(2027, 9, 15)])
        # keywords still find the holidays entered by hand
        by_name = self._rule(trigger="holiday", holiday_keyword="Mid-Autumn", lead_days=7)
        by_name._generate_actions(date(2027, 9, 10))
        self.assertEqual(self._actions(by_name, customer).mapped("occurrence_date"), [date(2027, 9, 15)])


@tagged("post_install", "-at_install")
class TestPublicHolidaysUi(HttpCase):
    def test_fill_in_one_click_after_choosing_the_country(self):
        """In Settings, choose China and click Fill Public Holidays: no save dialog, filled at once."""
        company = self.env.ref("base.user_admin").company_id
        company.write({"country_id": self.env.ref("base.us").id, "public_holiday_country_id": False})
        Leave = self.env["resource.calendar.leaves"]
        Leave.search([("company_id", "=", company.id), ("resource_id", "=", False)]).unlink()

        self.start_tour("/odoo", "customer_public_holidays_tour", login="admin")

        self.env.invalidate_all()
        self.assertEqual(company.public_holiday_country_id, self.env.ref("base.cn"))
        spring = Leave.search(
            [
                ("company_id", "=", company.id),
                (
                    "care_holiday_id",
                    "=",
                    self.env.ref("customer_relationship.customer_care_holiday_cn_spring_festival").id,
                ),
            ]
        )
        year = fields.Date.context_today(company).year
        self.assertEqual(sorted({local_days(leave)[-1].year for leave in spring}), [year, year + 1])


@tagged("post_install", "-at_install")
class TestLunarBirthdays(CustomerCareCase):
    def test_lunar_birthdays_over_several_years(self):
        customer = self._tiered("Lunar Co")
        self.env["res.partner"].create(
            [
                # lunar 2/30: on the 29th in the years whose second month has 29 days
                {
                    "name": "Born on a 30th",
                    "parent_id": customer.id,
                    "birthday": date(1981, 4, 4),
                    "birthday_lunar": True,
                },
                # the 10th of the leap sixth month (闰六月) of 2017: in the leap month when there is one (2025)
                {
                    "name": "Born in a leap month",
                    "parent_id": customer.id,
                    "birthday": date(2017, 8, 1),
                    "birthday_lunar": True,
                },
                # Mid-Autumn day (八月十五)
                {
                    "name": "Born at Mid-Autumn",
                    "parent_id": customer.id,
                    "birthday": date(1985, 9, 29),
                    "birthday_lunar": True,
                },
                {"name": "Solar birthday", "parent_id": customer.id, "birthday": date(1985, 9, 29)},
            ]
        )
        rule = self._rule(lead_days=(date(2028, 12, 31) - date(2025, 6, 1)).days)
        rule._generate_actions(date(2025, 6, 1))
        occurrences = {}
        for action in self._actions(rule, customer):
            occurrences.setdefault(action.contact_id.name, []).append(action.occurrence_date)
        self.assertEqual(
            {name: sorted(days) for name, days in occurrences.items()},
            {
                "Born on a 30th": [date(2026, 4, 16), date(2027, 4, 6), date(2028, 3, 25)],
                # 2025-07-04 is the ordinary sixth month's 10th: not greeted in a year with the leap month
                "Born in a leap month": [date(2025, 8, 3), date(2026, 7, 23), date(2027, 7, 13), date(2028, 7, 31)],
                "Born at Mid-Autumn": [date(2025, 10, 6), date(2026, 9, 25), date(2027, 9, 15), date(2028, 10, 3)],
                "Solar birthday": [date(2025, 9, 29), date(2026, 9, 29), date(2027, 9, 29), date(2028, 9, 29)],
            },
        )
        self.assertFalse(rule._generate_actions(date(2025, 6, 2)), "a second run adds nothing")


@tagged("post_install", "-at_install")
class TestCareEngine(CustomerCareCase):
    def _customers_with_events(self, count, prefix):
        customers = self._create_customers(*[f"{prefix} {i}" for i in range(count)], customer_rank=1)
        customers.child_ids.write({"birthday": date(1985, 9, 29), "birthday_lunar": True})
        self._create_orders([(customer, 100, date(2026, 6, 25)) for customer in customers])
        return customers

    @users("cr_manager")
    @warmup
    def test_every_trigger_generates_in_a_constant_number_of_queries(self):
        """The same queries for 2 customers with events as for 17, whatever the trigger."""
        today = date(2026, 9, 20)
        for count, prefix in ((2, "Few"), (15, "Many")):
            self._customers_with_events(count, prefix)
            self.env["customer.tier"].sudo()._recompute_company_tiers(self.company, today)
            for trigger, _label in TRIGGERS:
                rule = self._rule(trigger=trigger, lead_days=14)
                self.env.invalidate_all()
                # the rule, its company and calendar, the tiers; the INSERT ... SELECT of the events;
                # the rule's last run (one more for the triggers that read the tier table)
                with self.subTest(trigger=trigger, customers=prefix), self.assertQueryCount(cr_manager=7):
                    rule._generate_actions(today)

    def test_a_trigger_added_by_another_module_is_run_by_the_cron(self):
        """What an addon does: ``selection_add`` a trigger, and write its ``_care_events_<trigger>``."""
        self.env["customer.care.rule"].search([]).action_archive()
        customer = self._tiered("Golden Week Co")
        Rule = type(self.env["customer.care.rule"])

        def _care_events_golden_week(rule, params):
            return SQL(
                "SELECT c.id AS partner_id, NULL::int AS contact_id, %s::date AS occurrence_date "
                "FROM customers c WHERE c.id = %s",
                date(2026, 10, 1),
                customer.id,
            )

        # the field as the registry sets it up after a selection_add
        trigger, selection = Rule._fields["trigger"], [*TRIGGERS, ("golden_week", "Golden Week")]
        with (
            patch.object(trigger, "selection", selection),
            patch.object(trigger, "_selection", dict(selection)),
            patch.object(Rule, "_care_events_golden_week", _care_events_golden_week, create=True),
        ):
            rule = self._rule(trigger="golden_week", lead_days=7)
            with self.enter_registry_test_mode(), self.registry.cursor() as cr:
                env = self.env(cr=cr)
                env["customer.care.rule"]._cron_run_care_rules(today=date(2026, 9, 26))
                actions = env["customer.care.action"].search([("rule_id", "=", rule.id)])
                self.assertEqual(actions.partner_id, customer.with_env(env))
                self.assertEqual(set(actions.mapped("occurrence_date")), {date(2026, 10, 1)})
                self.assertTrue(all(actions.mapped("activity_id")), "the cron carried the actions out")

    def test_expected_order_due_once_per_expected_date(self):
        customer = self._tiered("Second Sale Co")
        self._set_account(customer, expected_next_order_date=date(2026, 7, 10))
        rule = self._rule(trigger="expected_order", days_offset=-3, lead_days=3)
        rule._generate_actions(date(2026, 7, 5))
        self.assertFalse(self._actions(rule, customer))
        rule._generate_actions(date(2026, 7, 7))
        rule._generate_actions(date(2026, 7, 8))
        self.assertEqual(
            self._events(self._actions(rule, customer)),
            [("Second Sale Co", False, date(2026, 7, 10), date(2026, 7, 7))],
        )
        # a new order moves the expected date: one more action, for the new date
        self._set_account(customer, expected_next_order_date=date(2026, 8, 20))
        rule._generate_actions(date(2026, 8, 17))
        rule._generate_actions(date(2026, 8, 18))
        self.assertEqual(
            sorted(self._actions(rule, customer).mapped("occurrence_date")), [date(2026, 7, 10), date(2026, 8, 20)]
        )
        # an expected date already past when the rule runs is not acted upon late
        late = self._rule(trigger="expected_order", days_offset=-3, lead_days=3)
        late._generate_actions(date(2026, 8, 25))
        self.assertFalse(self._actions(late, customer))
