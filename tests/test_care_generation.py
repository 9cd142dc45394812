"""Care rules: generating the actions (filters, catching up, once per event, query count,
preview and run now)."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged, users, warmup
from odoo.tools import mute_logger

from .common import TODAY, CustomerCareCase


@tagged("post_install", "-at_install")
class TestCareTiming(CustomerCareCase):
    def test_lead_days_must_cover_an_action_before_the_event(self):
        with self.assertRaisesRegex(ValidationError, "at least 7 days ahead"):
            self._rule(days_offset=-7, lead_days=3)
        rule = self._rule(days_offset=-7, lead_days=7)
        with self.assertRaisesRegex(ValidationError, "at least 7 days ahead"):
            rule.lead_days = 6

    def test_tier_and_relationship_level_filters(self):
        gold, iron, lead = self._create_customers("Gold Co", "Iron Co", "Lead Co", founding_date=date(2000, 7, 2))
        self._create_orders(
            [(gold, 600, date(2026, 3, 1)), (iron, 300, date(2026, 3, 1)), (lead, 100, date(2026, 3, 1))]
        )
        self._recompute(self.company, TODAY)
        gold.with_company(self.company).relationship_level = "accountable"
        lead.with_company(self.company).relationship_level = "partnership"
        customers = gold | iron | lead
        by_tier = self._rule(
            trigger="anniversary", tier_ids=[Command.set((self.tiers["gold"] | self.tiers["iron"]).ids)]
        )
        by_level = self._rule(trigger="anniversary", min_relationship_level="accountable")
        by_tier._generate_actions(TODAY)
        by_level._generate_actions(TODAY)
        self.assertEqual(self._actions(by_tier, customers).partner_id, gold | iron)
        self.assertEqual(self._actions(by_level, customers).partner_id, gold | lead)

    def test_a_long_pause_catches_up_one_week_at_most(self):
        customer = self._tiered("Paused Co")
        customer.child_ids.birthday = date(1980, 6, 20)
        rule = self._rule(trigger="birthday", lead_days=0)
        rule.last_run_date = date(2026, 5, 1)
        rule._generate_actions(TODAY)
        self.assertFalse(self._actions(rule, customer), "a birthday ten days ago is not greeted today")
        customer.child_ids.birthday = date(1980, 6, 25)
        rule.last_run_date = date(2026, 5, 1)
        rule._generate_actions(TODAY)
        self.assertEqual(self._events(self._actions(rule, customer))[0][2:], (date(2026, 6, 25), TODAY))

    def test_a_holiday_entered_one_day_at_a_time_is_greeted_once(self):
        customer = self._tiered("Daily Leave Co")
        self.env["resource.calendar.leaves"].create(
            [
                {
                    "name": "Spring Festival",
                    "calendar_id": self.company.resource_calendar_id.id,
                    "date_from": datetime(2027, 2, day, 0),
                    "date_to": datetime(2027, 2, day, 23, 59),
                }
                for day in (6, 7, 8)
            ]
        )
        rule = self._rule(trigger="holiday", lead_days=14)
        rule._generate_actions(date(2027, 1, 30))
        self.assertEqual(self._actions(rule, customer).mapped("occurrence_date"), [date(2027, 2, 6)])


@tagged("post_install", "-at_install")
class TestCareIdempotency(CustomerCareCase):
    def test_second_run_creates_nothing(self):
        customers = self._tiered("Once Co", "Twice Co")
        customers.child_ids.birthday = date(1980, 7, 2)
        rule = self._rule(lead_days=7)
        first = rule._generate_actions(TODAY)
        self.assertEqual(len(first & self._actions(rule, customers)), 2)
        self.assertFalse(rule._generate_actions(TODAY))
        self.assertFalse(rule._generate_actions(TODAY + timedelta(days=1)))
        self.assertEqual(self.Action.search_count([("rule_id", "=", rule.id)]), len(first))

    def test_unique_index_refuses_a_second_action_for_the_same_event(self):
        customer = self._tiered("Unique Co")
        rule = self._rule(trigger="anniversary")
        values = {
            "rule_id": rule.id,
            "company_id": self.company.id,
            "action": "activity",
            "partner_id": customer.id,
            "occurrence_date": TODAY,
            "due_date": TODAY,
        }
        for contact in (customer.child_ids, self.env["res.partner"]):
            with self.subTest(contact=contact.name):
                self.Action.create({**values, "contact_id": contact.id})
                with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    self.Action.create({**values, "contact_id": contact.id, "due_date": TODAY + timedelta(days=1)})
                    self.env.flush_all()
        # another day, or another person, is another event
        self.Action.create({**values, "occurrence_date": TODAY + timedelta(days=365)})
        self.assertEqual(self.Action.search_count([("rule_id", "=", rule.id)]), 3)

    def test_generation_skips_an_event_that_already_has_its_action(self):
        """An action inserted by someone else first (a manual run, another worker) is not
        duplicated and does not make the generation fail."""
        customers = self._tiered("Raced Co", "Free Co")
        customers.child_ids.birthday = date(1980, 7, 2)
        raced = customers[0]
        rule = self._rule(lead_days=7)
        self.env.flush_all()
        self.env.cr.execute(
            """INSERT INTO customer_care_action (rule_id, company_id, action, partner_id, contact_id,
                                                 occurrence_date, due_date, state, attempt_count)
               VALUES (%s, %s, 'activity', %s, %s, %s, %s, 'scheduled', 0)""",
            [rule.id, self.company.id, raced.id, raced.child_ids.id, date(2026, 7, 2), date(2026, 7, 2)],
        )
        created = rule._generate_actions(TODAY)
        self.assertEqual((created & self._actions(rule, customers)).partner_id, customers[1])
        self.assertEqual(len(self._actions(rule, raced)), 1)


@tagged("post_install", "-at_install")
class TestCarePreviewAndRunNow(CustomerCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls._create_customers("Soon Co", "Later Co", "Far Co", customer_rank=1)
        for customer, birthday in zip(
            cls.customers, [date(1980, 7, 2), date(1980, 7, 20), date(1980, 9, 1)], strict=True
        ):
            customer.child_ids.birthday = birthday
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, TODAY)

    @freeze_time("2026-06-30 08:00:00")
    def test_preview_lists_the_coming_actions_without_creating_them(self):
        rule = self._rule(days_offset=-1, lead_days=3).with_user(self.manager)
        action = rule.action_preview()
        preview = self.env["customer.care.rule.preview"].with_user(self.manager).browse(action["res_id"])
        lines = preview.line_ids.filtered(lambda line: line.partner_id in self.customers)
        # the next 30 days and the 3 days ahead: the birthdays of 2 and 20 July, not 1 September
        self.assertEqual(
            [(line.partner_id.name, line.contact_id.name, line.due_date, line.user_id) for line in lines],
            [
                ("Soon Co", "Buyer of Soon Co", date(2026, 7, 1), self.salesman),
                ("Later Co", "Buyer of Later Co", date(2026, 7, 19), self.salesman),
            ],
        )
        self.assertEqual(preview.action_count, len(preview.line_ids))
        preview.days = 90
        preview.action_refresh()
        self.assertIn("Far Co", preview.line_ids.partner_id.mapped("name"))
        self.assertFalse(self.Action.search([("rule_id", "=", rule.id)]))
        self.assertFalse(rule.last_run_date)

    @freeze_time("2026-06-30 08:00:00")
    def test_run_now_creates_and_carries_out_todays_actions(self):
        rule = self._rule(lead_days=7).with_user(self.manager)
        result = rule.action_run_now()
        actions = self._actions(rule, self.customers)
        self.assertEqual(actions.partner_id.mapped("name"), ["Soon Co"])
        self.assertEqual(actions.activity_id.user_id, self.salesman)
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn(str(len(self.Action.search([("rule_id", "=", rule.id)]))), result["params"]["message"])
        self.assertEqual(rule.last_run_date, TODAY)


@tagged("post_install", "-at_install")
class TestCareQueryCount(CustomerCareCase):
    @users("cr_manager")
    @warmup
    def test_generation_is_one_statement_whatever_the_number_of_customers(self):
        few_rule, many_rule = self._rule(), self._rule()
        few = self._create_customers(*[f"Few {i}" for i in range(2)], customer_rank=1)
        few.child_ids.birthday = date(1980, 7, 2)
        self.env["customer.tier"].sudo()._recompute_company_tiers(self.company, TODAY)
        self.env.invalidate_all()
        with self.assertQueryCount(cr_manager=6):  # rule, company, calendar, tiers; INSERT; UPDATE
            created = few_rule._generate_actions(TODAY)
        self.assertEqual(len(created.filtered(lambda a: a.partner_id in few)), 2)

        many = self._create_customers(*[f"Many {i}" for i in range(18)], customer_rank=1)
        many.child_ids.birthday = date(1980, 7, 2)
        self.env["customer.tier"].sudo()._recompute_company_tiers(self.company, TODAY)
        self.env.invalidate_all()
        with self.assertQueryCount(cr_manager=6):  # the same for 20 customers as for 2
            created = many_rule._generate_actions(TODAY)
        self.assertEqual(len(created.filtered(lambda a: a.partner_id in few | many)), 20)
