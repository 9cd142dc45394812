import json
import time
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError
from psycopg2.errors import SerializationFailure

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users, warmup
from odoo.tools import mute_logger

from .common import ConcurrentWorkersMixin, CustomerRelationshipCase

TODAY = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class CustomerCareCase(CustomerRelationshipCase):
    """Rules of the test company over its own customers. Demo customers (``customer_rank`` and no
    company) are classified in every company too, so assertions look at the test's customers."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.birthday_template = cls.env.ref("customer_relationship.mail_template_care_birthday")
        cls.Action = cls.env["customer.care.action"]

    def _rule(self, **vals):
        return self.env["customer.care.rule"].create(
            {
                "name": f"Care: {vals.get('trigger', 'birthday')}",
                "company_id": self.company.id,
                "trigger": "birthday",
                "lead_days": 7,
                "action": "activity",
                "activity_type_id": self.call.id,
                "summary": "Care call",
                "responsible": "salesperson",
                "user_id": self.manager.id,
                **vals,
            }
        )

    def _tiered(self, *names, today=TODAY, **vals):
        """Customers without orders, classified in the test company (lowest tier)."""
        customers = self._create_customers(*names, customer_rank=1, **vals)
        self._recompute(self.company, today)
        return customers

    def _actions(self, rule, customers):
        return self.Action.search([("rule_id", "in", rule.ids), ("partner_id", "in", customers.ids)])

    def _events(self, actions):
        """(customer, contact, occurrence, due date) of each action, sorted."""
        return sorted(
            ((a.partner_id.name, a.contact_id.name or False, a.occurrence_date, a.due_date) for a in actions),
            key=str,
        )

    def _run(self, rule, today):
        """What the daily run does for one rule: generate, then carry out what is due."""
        rule._generate_actions(today)
        self.Action.search([("rule_id", "=", rule.id), *self.Action._pending_domain(today)])._execute(today)


@tagged("post_install", "-at_install")
class TestCareTriggers(CustomerCareCase):
    def test_birthday_of_contact_persons_within_the_lead_days(self):
        customer, other = self._tiered("Birthday Co", "Later Co")
        buyer = customer.child_ids
        buyer.birthday = date(1980, 7, 5)
        early = self.env["res.partner"].create(
            {"name": "Early Bird", "parent_id": customer.id, "birthday": date(1975, 6, 29)}
        )
        self.env["res.partner"].create(
            {"name": "Former Buyer", "parent_id": customer.id, "birthday": date(1970, 7, 1), "active": False}
        )
        customer.birthday = date(2000, 7, 2)  # a company has no birthday
        other.child_ids.birthday = date(1980, 8, 20)
        customers = customer | other
        rule = self._rule(days_offset=-3, lead_days=7)

        # On 21 June, 29 June and 5 July are more than 7 days ahead: nothing yet.
        rule._generate_actions(date(2026, 6, 21))
        self.assertFalse(self._actions(rule, customers))

        created = rule._generate_actions(date(2026, 6, 28))
        actions = self._actions(rule, customers)
        self.assertEqual(created & actions, actions)
        self.assertEqual(
            self._events(actions),
            sorted(
                [
                    # due three days before the birthday
                    ("Birthday Co", "Buyer of Birthday Co", date(2026, 7, 5), date(2026, 7, 2)),
                    # three days before 29 June is past: due today, never before
                    ("Birthday Co", "Early Bird", date(2026, 6, 29), date(2026, 6, 28)),
                ],
                key=str,
            ),
        )
        self.assertEqual(actions.mapped("state"), ["scheduled", "scheduled"])
        self.assertEqual(actions.user_id, self.salesman)
        self.assertEqual(actions.company_id, self.company)
        self.assertEqual(actions.contact_id, buyer | early)
        self.assertEqual(rule.last_run_date, date(2026, 6, 28))

        # The next days change nothing: one action per birthday.
        self.assertFalse(rule._generate_actions(date(2026, 6, 29)) & self._actions(rule, customers))
        self.assertEqual(self._actions(rule, customers), actions)

    def test_birthday_on_29_february_and_across_the_new_year(self):
        leap, winter = self._tiered("Leap Co", "Winter Co")
        leap.child_ids.birthday = date(1984, 2, 29)
        winter.child_ids.birthday = date(1980, 1, 2)
        customers = leap | winter
        for today, event in [
            (date(2026, 2, 25), ("Leap Co", "Buyer of Leap Co", date(2026, 2, 28), date(2026, 2, 28))),
            (date(2028, 2, 25), ("Leap Co", "Buyer of Leap Co", date(2028, 2, 29), date(2028, 2, 29))),
            (date(2026, 12, 30), ("Winter Co", "Buyer of Winter Co", date(2027, 1, 2), date(2027, 1, 2))),
        ]:
            with self.subTest(today=today):
                rule = self._rule(days_offset=0, lead_days=7)
                rule._generate_actions(today)
                self.assertEqual(self._events(self._actions(rule, customers)), [event])

    def test_events_between_two_runs_are_caught_up(self):
        """A rule that did not run for a few days acts on the events it missed, due at once;
        a rule's first run starts from its first day."""
        customer = self._tiered("Missed Co")
        customer.child_ids.birthday = date(1980, 6, 22)
        rule = self._rule(days_offset=0, lead_days=0)
        rule._generate_actions(date(2026, 6, 20))
        self.assertFalse(self._actions(rule, customer))
        rule._generate_actions(date(2026, 6, 25))
        self.assertEqual(
            self._events(self._actions(rule, customer)),
            [("Missed Co", "Buyer of Missed Co", date(2026, 6, 22), date(2026, 6, 25))],
        )
        first_run = self._rule(days_offset=0, lead_days=0)
        first_run._generate_actions(date(2026, 6, 25))
        self.assertFalse(self._actions(first_run, customer))

    def test_anniversary_from_founding_date_or_first_order(self):
        founded, ordered, newborn = self._create_customers("Founded Co", "Ordered Co", "Newborn Co")
        founded.founding_date = date(2010, 7, 3)
        newborn.founding_date = date(2026, 7, 1)  # founded this year: no anniversary yet
        self._create_orders(
            [(founded, 100, date(2026, 1, 5)), (ordered, 100, date(2025, 7, 2)), (newborn, 100, date(2026, 3, 1))]
        )
        self._recompute(self.company, TODAY)
        customers = founded | ordered | newborn
        rule = self._rule(trigger="anniversary", lead_days=7)

        rule._generate_actions(TODAY)
        self.assertEqual(
            self._events(self._actions(rule, customers)),
            [
                ("Founded Co", False, date(2026, 7, 3), date(2026, 7, 3)),
                ("Ordered Co", False, date(2026, 7, 2), date(2026, 7, 2)),
            ],
        )

    def test_public_holidays_of_the_company_matching_the_keywords(self):
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        customer = self._tiered("Holiday Co")
        employee = self.env["resource.resource"].create({"name": "On Leave", "company_id": self.company.id})
        calendar, calendar_eu = self.company.resource_calendar_id, self.company_eu.resource_calendar_id
        self.env["resource.calendar.leaves"].create(
            [
                # midnight in Shanghai is 16:00 UTC the day before
                {
                    "name": "Spring Festival (春节)",
                    "calendar_id": calendar.id,
                    "date_from": datetime(2027, 2, 5, 16),
                    "date_to": datetime(2027, 2, 12, 15, 59),
                },
                {
                    "name": "Labour Day",
                    "calendar_id": calendar.id,
                    "date_from": datetime(2027, 2, 8, 16),
                    "date_to": datetime(2027, 2, 9, 15, 59),
                },
                {
                    "name": "Spring Festival (春节)",
                    "calendar_id": calendar_eu.id,
                    "date_from": datetime(2027, 2, 2, 16),
                    "date_to": datetime(2027, 2, 3, 15, 59),
                },
                {
                    "name": "Spring Festival holiday of one person",
                    "resource_id": employee.id,
                    "date_from": datetime(2027, 2, 3, 16),
                    "date_to": datetime(2027, 2, 4, 15, 59),
                },
            ]
        )
        today = date(2027, 1, 30)
        festival = self._rule(trigger="holiday", holiday_keyword=" Mid-Autumn , 春节", days_offset=-7, lead_days=14)
        festival._generate_actions(today)
        self.assertEqual(
            self._events(self._actions(festival, customer)),
            [("Holiday Co", False, date(2027, 2, 6), date(2027, 1, 30))],
        )
        trailing_comma = self._rule(trigger="holiday", holiday_keyword="Spring Festival,", lead_days=14)
        trailing_comma._generate_actions(today)
        self.assertEqual(self._actions(trailing_comma, customer).mapped("occurrence_date"), [date(2027, 2, 6)])
        every_holiday = self._rule(trigger="holiday", lead_days=14)
        every_holiday._generate_actions(today)
        self.assertEqual(
            sorted(self._actions(every_holiday, customer).mapped("occurrence_date")),
            [date(2027, 2, 6), date(2027, 2, 9)],
        )

    def test_public_holiday_of_a_company_without_working_hours(self):
        customer = self._tiered("No Calendar Co")
        self.company.resource_calendar_id = False
        holiday = self.env["resource.calendar.leaves"].create(
            {"name": "National Day", "date_from": datetime(2026, 10, 1, 4), "date_to": datetime(2026, 10, 1, 12)}
        )
        holiday.company_id = self.company
        rule = self._rule(trigger="holiday", lead_days=7)
        rule._generate_actions(date(2026, 9, 28))
        self.assertEqual(self._actions(rule, customer).mapped("occurrence_date"), [date(2026, 10, 1)])

    def test_fixed_yearly_holiday(self):
        customer = self._tiered("National Day Co")
        rule = self._rule(trigger="holiday", holiday_date=date(2000, 10, 1), lead_days=7)
        rule._generate_actions(date(2026, 9, 20))
        self.assertFalse(self._actions(rule, customer))
        rule._generate_actions(date(2026, 9, 28))
        self.assertEqual(
            self._events(self._actions(rule, customer)),
            [("National Day Co", False, date(2026, 10, 1), date(2026, 10, 1))],
        )

    def test_cadence_counts_from_the_last_done_visit(self):
        never, visited = self._create_customers("Never Visited Co", "Visited Co")
        self._create_orders([(never, 100, date(2026, 5, 1)), (visited, 100, date(2026, 5, 1))])
        self._recompute(self.company, date(2026, 5, 2))
        tier = never.with_company(self.company).customer_tier_id
        self.assertEqual(visited.with_company(self.company).customer_tier_id, tier)
        tier.visit_interval_days = 30
        customers = never | visited
        visit = self.env["customer.visit"].create(
            {
                "partner_id": visited.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 5, 20, 10),
                "notes": "<p>Talked about the next season.</p>",
            }
        )
        visit.action_done()
        rule = self._rule(trigger="cadence", lead_days=0)

        rule._generate_actions(date(2026, 5, 25))
        self.assertFalse(self._actions(rule, customers))
        rule._generate_actions(date(2026, 6, 1))
        # 30 days after the first order; the visit of 20 May puts the other off until 19 June
        self.assertEqual(
            self._events(self._actions(rule, customers)),
            [("Never Visited Co", False, date(2026, 5, 31), date(2026, 6, 1))],
        )
        # a visit to the first customer resets its interval
        self.env["customer.visit"].create(
            {
                "partner_id": never.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 6, 5, 10),
                "notes": "<p>Finally met.</p>",
            }
        ).action_done()
        rule._generate_actions(date(2026, 6, 10))
        self.assertEqual(len(self._actions(rule, customers)), 1)
        rule._generate_actions(date(2026, 6, 19))
        rule._generate_actions(date(2026, 7, 5))
        self.assertEqual(
            self._events(self._actions(rule, customers)),
            [
                ("Never Visited Co", False, date(2026, 5, 31), date(2026, 6, 1)),
                ("Never Visited Co", False, date(2026, 7, 5), date(2026, 7, 5)),
                ("Visited Co", False, date(2026, 6, 19), date(2026, 6, 19)),
            ],
        )

    def test_after_sale_follows_up_the_ordering_person(self):
        followed, late, drafted = self._create_customers("Followed Co", "Late Co", "Drafted Co")
        buyer = followed.child_ids
        self._create_orders([(buyer, 100, date(2026, 6, 25)), (late, 100, date(2026, 6, 20))])
        self._create_orders([(drafted, 100, date(2026, 6, 28))], confirm=False)
        self._create_orders([(drafted, 100, date(2026, 1, 10))])  # to be a customer of the company
        self._recompute(self.company, TODAY)
        customers = followed | late | drafted
        rule = self._rule(trigger="after_sale", days_offset=7, lead_days=0)

        rule._generate_actions(TODAY)
        # the order of 20 June was due for its call on 27 June: too late, not acted upon
        self.assertEqual(
            self._events(self._actions(rule, customers)),
            [("Followed Co", "Buyer of Followed Co", date(2026, 6, 25), date(2026, 7, 2))],
        )
        self._create_orders([(late, 100, date(2026, 7, 1))])
        rule._generate_actions(date(2026, 7, 1))
        self.assertIn(
            ("Late Co", False, date(2026, 7, 1), date(2026, 7, 8)), self._events(self._actions(rule, customers))
        )

    def test_dormancy_once_per_inactive_spell(self):
        sleeper, active = self._create_customers("Sleeper Co", "Active Co")
        self._create_orders([(sleeper, 500, date(2025, 11, 1)), (active, 100, date(2026, 6, 1))])
        self._create_orders([(active, 100, date(2025, 6, 1))])
        customers = sleeper | active
        rule = self._rule(trigger="dormancy", dormancy_lifecycle="dormant", lead_days=0)

        self._recompute(self.company, TODAY)
        self.assertEqual(sleeper.with_company(self.company).customer_lifecycle, "dormant")
        rule._generate_actions(TODAY)
        self.assertEqual(
            self._events(self._actions(rule, customers)), [("Sleeper Co", False, date(2025, 11, 1), TODAY)]
        )
        # still dormant the next days, and then lost: the same spell
        for today in (date(2026, 7, 1), date(2026, 11, 2)):
            self._recompute(self.company, today)
            rule._generate_actions(today)
        self.assertEqual(sleeper.with_company(self.company).customer_lifecycle, "lost")
        self.assertEqual(len(self._actions(rule, customers)), 1)

        # buys again, then falls asleep again: a new spell
        self._create_orders([(sleeper, 100, date(2026, 11, 10))])
        self._recompute(self.company, date(2026, 11, 20))
        rule._generate_actions(date(2026, 11, 20))
        self.assertEqual(len(self._actions(rule, customers)), 1)
        self._recompute(self.company, date(2027, 6, 1))
        rule._generate_actions(date(2027, 6, 1))
        self.assertEqual(
            self._events(self._actions(rule, sleeper)),
            [
                ("Sleeper Co", False, date(2025, 11, 1), TODAY),
                ("Sleeper Co", False, date(2026, 11, 10), date(2027, 6, 1)),
            ],
        )

    def _tier_moves(self):
        """Gold, iron, lead on 1 February; on 1 March the iron customer moves up to gold and
        the gold one down to lead."""
        falling, rising, steady = self._create_customers("Falling Co", "Rising Co", "Steady Co")
        self._create_orders(
            [(falling, 600, date(2026, 1, 10)), (rising, 300, date(2026, 1, 10)), (steady, 100, date(2026, 1, 10))]
        )
        self._recompute(self.company, date(2026, 2, 1))
        self.assertEqual(falling.with_company(self.company).customer_tier_id, self.tiers["gold"])
        self.assertEqual(rising.with_company(self.company).customer_tier_id, self.tiers["iron"])
        self._create_orders([(rising, 2000, date(2026, 2, 15))])
        self._recompute(self.company, date(2026, 3, 1))
        self.assertEqual(falling.with_company(self.company).customer_tier_id, self.tiers["lead"])
        self.assertEqual(rising.with_company(self.company).customer_tier_id, self.tiers["gold"])
        return falling | rising | steady

    def test_tier_down_alerts_the_team_leader_or_the_fallback_user(self):
        team = self.env["crm.team"].create(
            {
                "name": "CR East",
                "company_id": self.company.id,
                "user_id": self.manager.id,
                "crm_team_member_ids": [Command.create({"user_id": self.salesman.id})],
            }
        )
        customers = self._tier_moves()
        down = self._rule(
            trigger="tier_change",
            tier_direction="down",
            lead_days=0,
            responsible="team_leader",
            user_id=self.salesman_all.id,
        )
        down._generate_actions(date(2026, 3, 1))
        actions = self._actions(down, customers)
        self.assertEqual(self._events(actions), [("Falling Co", False, date(2026, 3, 1), date(2026, 3, 1))])
        self.assertEqual(actions.user_id, self.manager, "the leader of the salesperson's team")

        up = self._rule(trigger="tier_change", tier_direction="up", lead_days=0)
        up._generate_actions(date(2026, 3, 1))
        self.assertEqual(self._actions(up, customers).partner_id.mapped("name"), ["Rising Co"])

        team.crm_team_member_ids.action_archive()
        without_team = down.copy({"name": "Tier down, no team"})
        without_team._generate_actions(date(2026, 3, 1))
        self.assertEqual(self._actions(without_team, customers).user_id, self.salesman_all)

    def test_relationship_below_the_tier_target(self):
        below, at_target, above = self._tiered("Below Co", "At Target Co", "Above Co")
        self.assertEqual(below.with_company(self.company).target_relationship_level, "reactive")
        at_target.with_company(self.company).relationship_level = "reactive"
        above.with_company(self.company).relationship_level = "proactive"
        customers = below | at_target | above
        rule = self._rule(trigger="relationship_gap", lead_days=0)
        rule._generate_actions(TODAY)
        self.assertEqual(self._events(self._actions(rule, customers)), [("Below Co", False, TODAY, TODAY)])
        rule._generate_actions(TODAY + timedelta(days=1))
        self.assertEqual(len(self._actions(rule, customers)), 1)

    def test_new_referral_thanks_the_referrer_once_a_day(self):
        referrer = self._tiered("Referrer Co")
        self.env["res.partner"].create(
            [
                {"name": name, "is_company": True, "referred_by_id": referrer.id, "referral_date": day}
                for name, day in [
                    ("Referred 1", date(2026, 6, 29)),
                    ("Referred 2", date(2026, 6, 29)),
                    ("Referred 3", date(2026, 6, 30)),
                    ("Referred Long Ago", date(2026, 1, 5)),
                ]
            ]
        )
        rule = self._rule(trigger="new_referral", lead_days=0, days_offset=2)
        rule._generate_actions(TODAY)
        self.assertEqual(
            self._events(self._actions(rule, referrer)),
            [
                ("Referrer Co", False, date(2026, 6, 29), date(2026, 7, 1)),
                ("Referrer Co", False, date(2026, 6, 30), date(2026, 7, 2)),
            ],
        )


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
class TestCareActions(CustomerCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.other = cls._create_customers("Cared Co", "Other Cared Co", customer_rank=1)
        cls.buyer = cls.customer.child_ids
        cls.buyer.write({"birthday": date(1980, 7, 2), "email": "buyer@cared.example.com", "phone": "+8613800138000"})
        cls.other.child_ids.write(
            {"birthday": date(1981, 7, 2), "email": "buyer@other.example.com", "phone": "+8613800138001"}
        )
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, TODAY)
        cls.customers = cls.customer | cls.other
        cls.sms_template = cls.env["sms.template"].create(
            {
                "name": "Birthday SMS",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body": "Happy birthday, {{ object.name }}!",
            }
        )

    def test_activity_on_the_customer_for_the_responsible(self):
        rule = self._rule(days_offset=-1, lead_days=7, note="<p>Think of a gift.</p>")
        self._run(rule, TODAY)
        action = self._actions(rule, self.customer)
        activity = action.activity_id
        self.assertEqual(action.state, "scheduled")
        self.assertTrue(action.executed_date)
        self.assertEqual(activity.res_model, "res.partner")
        self.assertEqual(activity.res_id, self.customer.id)
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(activity.date_deadline, date(2026, 7, 1))
        self.assertEqual(activity.activity_type_id, self.call)
        self.assertEqual(activity.summary, "Care call: Buyer of Cared Co")
        self.assertIn("Think of a gift", activity.note)
        self.assertEqual(activity.res_name, self.customer.display_name)
        # As mail.activity's create() does: the responsible follows the customer, with the
        # default subtypes (hence gets the customer's messages).
        follower = self.customer.message_follower_ids.filtered(lambda f: f.partner_id == self.salesman.partner_id)
        self.assertTrue(follower)
        self.assertIn(self.env.ref("mail.mt_comment"), follower.subtype_ids)

        # Done by the salesperson, who cannot see the rule's other actions: the action is done.
        activity.with_user(self.salesman).action_done()
        self.assertEqual(action.state, "done")
        # Cancelling the other customer's activity skips its action.
        other_action = self._actions(rule, self.other)
        other_action.activity_id.with_user(self.salesman).unlink()
        self.assertEqual(other_action.state, "skipped")
        self.assertEqual(other_action.state_reason, "The activity was cancelled.")
        # Run again: nothing is created twice.
        self._run(rule, TODAY + timedelta(days=1))
        self.assertEqual(self.env["mail.activity"].search_count([("res_id", "in", self.customers.ids)]), 0)

    def test_email_from_the_template_to_the_contact(self):
        rule = self._rule(action="email", mail_template_id=self.birthday_template.id, lead_days=3)
        rule._generate_actions(TODAY)
        action = self._actions(rule, self.customer)
        # an e-mail is sent on its due date, not when it is created
        self.assertNotIn(action, self.Action.search(self.Action._pending_domain(TODAY)))
        self.Action.search([("rule_id", "=", rule.id), *self.Action._pending_domain(date(2026, 7, 2))])._execute(
            date(2026, 7, 2)
        )
        mail = action.mail_id
        self.assertEqual(action.state, "done")
        self.assertFalse(action.state_reason)
        self.assertEqual(mail.recipient_ids, self.buyer)
        self.assertEqual(mail.subject, "Happy birthday, Buyer of Cared Co!")
        self.assertIn("Happy birthday!", str(mail.body_html))
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(self._actions(rule, self.other).mail_id.recipient_ids, self.other.child_ids)

        # The mail server refuses it: the action fails, to be tried again the next day.
        mail._postprocess_sent_message(success_pids=[], success_emails=[], failure_type="mail_smtp")
        self.assertEqual(action.state, "failed")
        self.assertEqual(action.attempt_count, 1)
        self.assertIn(action, self.Action.search(self.Action._pending_domain(date(2026, 7, 3))))
        self.assertNotIn(action, self.Action.search(self.Action._pending_domain(date(2026, 7, 2))))
        action._execute(date(2026, 7, 3))
        self.assertEqual(action.state, "done")
        self.assertNotEqual(action.mail_id, mail)

    def test_sms_from_the_template_to_the_contact_number(self):
        rule = self._rule(action="sms", sms_template_id=self.sms_template.id, lead_days=3)
        self._run(rule, date(2026, 7, 2))
        action = self._actions(rule, self.customer)
        self.assertEqual(action.state, "done")
        self.assertEqual(action.sms_id.partner_id, self.buyer)
        self.assertEqual(action.sms_id.number, self.buyer.phone_sanitized)
        self.assertTrue(action.sms_id.number)
        self.assertEqual(action.sms_id.body, "Happy birthday, Buyer of Cared Co!")
        # The SMS gateway refuses it: the action fails.
        action.sms_id.write({"state": "error", "failure_type": "sms_number_format"})
        self.assertEqual(action.state, "failed")
        self.assertEqual(action.state_reason, "Wrong Number Format")
        self.assertEqual(action.attempt_count, 1)

    def test_visit_planned_for_the_responsible(self):
        self.salesman.tz = "Asia/Shanghai"
        rule = self._rule(action="visit", days_offset=-2, lead_days=7, note="<p>Bring tea.</p>")
        self._run(rule, TODAY)
        action = self._actions(rule, self.customer)
        visit = action.visit_id
        self.assertEqual(action.state, "scheduled")
        self.assertEqual(visit.state, "planned")
        self.assertEqual(visit.partner_id, self.customer)
        self.assertEqual(visit.contact_ids, self.buyer)
        self.assertEqual(visit.user_id, self.salesman)
        self.assertEqual(visit.company_id, self.company)
        # 10:00 in Shanghai on the due date, 30 June
        self.assertEqual(visit.planned_start, datetime(2026, 6, 30, 2))
        self.assertIn("Bring tea", visit.agenda)

        visit.with_user(self.salesman).write({"notes": "<p>Brought tea, talked about the autumn order.</p>"})
        visit.with_user(self.salesman).action_done()
        self.assertEqual(action.state, "done")
        other_action = self._actions(rule, self.other)
        other_action.visit_id.with_user(self.salesman).action_cancel()
        self.assertEqual(other_action.state, "skipped")
        self.assertEqual(other_action.state_reason, "The visit was cancelled.")

    def test_responsible_salesperson_fallback_fixed_and_tier_manager(self):
        self.other.user_id = False
        lead_tier = self.customer.with_company(self.company).customer_tier_id
        by_salesperson = self._rule(responsible="salesperson", user_id=self.salesman_all.id)
        fixed = self._rule(responsible="user", user_id=self.salesman_other.id)
        by_tier = self._rule(responsible="tier_manager", user_id=self.salesman_all.id)
        for rule in by_salesperson | fixed:
            rule._generate_actions(TODAY)
        self.assertEqual(self._actions(by_salesperson, self.customer).user_id, self.salesman)
        self.assertEqual(
            self._actions(by_salesperson, self.other).user_id, self.salesman_all, "no salesperson: the fallback user"
        )
        self.assertEqual(self._actions(fixed, self.customers).user_id, self.salesman_other)

        by_tier._generate_actions(TODAY)
        self.assertEqual(self._actions(by_tier, self.customers).user_id, self.salesman_all, "no tier manager yet")
        lead_tier.manager_id = self.manager
        by_tier_again = by_tier.copy()
        by_tier_again._generate_actions(TODAY)
        self.assertEqual(self._actions(by_tier_again, self.customers).user_id, self.manager)

    def test_missing_responsible_fails_one_action_and_retries_three_times(self):
        """No salesperson and no fallback user: that action fails with the reason, the other
        customer's is carried out; the failed one is tried again on the next two days, then left."""
        self.other.user_id = False
        rule = self._rule(user_id=False)
        self._run(rule, TODAY)
        done, failed = self._actions(rule, self.customer), self._actions(rule, self.other)
        self.assertTrue(done.activity_id)
        self.assertEqual(done.state, "scheduled")
        self.assertFalse(failed.user_id)
        self.assertEqual(failed.state, "failed")
        self.assertEqual(
            failed.state_reason,
            f"Nobody is responsible for Other Cared Co under care rule {rule.name}: set a fallback user on the rule.",
        )
        self.assertEqual((failed.attempt_count, failed.last_attempt_date), (1, TODAY))
        self._run(rule, TODAY)  # the same day: not again
        self.assertEqual(failed.attempt_count, 1)
        for day in (1, 2, 3, 4):
            self._run(rule, TODAY + timedelta(days=day))
        self.assertEqual(failed.attempt_count, 3)
        self.assertEqual(failed.last_attempt_date, TODAY + timedelta(days=2))
        self.assertEqual(len(done.activity_id), 1)

        # The manager names someone and tries again: the activity is scheduled and counts when done.
        failed.with_user(self.manager).write({"user_id": self.salesman_other.id})
        failed.with_user(self.manager).action_retry()
        self._run(rule, TODAY + timedelta(days=5))
        self.assertEqual(failed.state, "scheduled")
        self.assertFalse(failed.state_reason)
        self.assertEqual(failed.activity_id.user_id, self.salesman_other)
        failed.activity_id.action_done()
        self.assertEqual(failed.state, "done")

    def test_failed_activity_carried_out_on_a_later_day_counts_when_done(self):
        self.other.user_id = False
        rule = self._rule(user_id=False)
        self._run(rule, TODAY)
        failed = self._actions(rule, self.other)
        self.assertEqual(failed.state, "failed")
        # The manager names the responsible; the next daily run schedules the activity.
        failed.with_user(self.manager).user_id = self.salesman_other
        self._run(rule, TODAY + timedelta(days=1))
        self.assertEqual(failed.activity_id.user_id, self.salesman_other)
        self.assertEqual(failed.state, "scheduled")
        self.assertFalse(failed.state_reason)
        failed.activity_id.with_user(self.salesman_other).action_done()
        self.assertEqual(failed.state, "done")

    def test_broken_template_fails_its_actions_only(self):
        # A template broken after it was saved (say, a field of an uninstalled module): Odoo
        # checks templates when they are saved, so the change goes around the ORM.
        broken = self.birthday_template.copy()
        self.env.cr.execute(
            "UPDATE mail_template SET subject = %s WHERE id = %s",
            [json.dumps({"en_US": "{{ object.no_such_field }}"}), broken.id],
        )
        broken.invalidate_recordset(["subject"])
        mails = self._rule(action="email", mail_template_id=broken.id, lead_days=3)
        calls = self._rule(lead_days=3)
        today = date(2026, 7, 2)
        for rule in mails | calls:
            rule._generate_actions(today)
        actions = self._actions(mails | calls, self.customers)
        with mute_logger("odoo.addons.customer_relationship.models.customer_care_action"):
            actions._execute(today)
        self.assertEqual(set(self._actions(mails, self.customers).mapped("state")), {"failed"})
        self.assertTrue(all(self._actions(mails, self.customers).mapped("state_reason")))
        self.assertEqual(self._actions(calls, self.customers).mapped("state"), ["scheduled", "scheduled"])
        self.assertEqual(len(self._actions(calls, self.customers).activity_id), 2)

    def test_opt_out_blacklist_and_missing_address_skip_messages(self):
        opted, company_opted, blacklisted, no_email = self._create_customers(
            "Opted Co", "Company Opted Co", "Blacklisted Co", "No Email Co", customer_rank=1
        )
        for customer, email in [
            (opted, "opted@example.com"),
            (company_opted, "company@example.com"),
            (blacklisted, "blacklisted@example.com"),
            (no_email, False),
        ]:
            customer.child_ids.write({"birthday": date(1980, 7, 2), "email": email, "phone": "+8613800138099"})
        opted.child_ids.care_opt_out = True
        company_opted.care_opt_out = True
        self.env["mail.blacklist"].create({"email": "blacklisted@example.com"})
        self._recompute(self.company, TODAY)
        customers = self.customer | opted | company_opted | blacklisted | no_email
        mails = self._rule(action="email", mail_template_id=self.birthday_template.id, lead_days=3)
        sms = self._rule(action="sms", sms_template_id=self.sms_template.id, lead_days=3)
        calls = self._rule(lead_days=3)
        today = date(2026, 7, 2)
        for rule in mails | sms | calls:
            self._run(rule, today)

        def outcome(rule):
            return {
                action.partner_id.name: (action.state, action.state_reason or "")
                for action in self._actions(rule, customers)
            }

        self.assertEqual(
            outcome(mails),
            {
                "Cared Co": ("done", ""),
                "Opted Co": ("skipped", "Opted Co, Buyer of Opted Co does not want automatic messages."),
                "Company Opted Co": ("skipped", "Company Opted Co does not want automatic messages."),
                "Blacklisted Co": (
                    "skipped",
                    "The e-mail address of Blacklisted Co, Buyer of Blacklisted Co is blacklisted.",
                ),
                "No Email Co": ("skipped", "No Email Co, Buyer of No Email Co has no e-mail address."),
            },
        )
        self.assertFalse(self._actions(mails, customers - self.customer).mail_id)
        self.assertEqual(outcome(sms)["Opted Co"][0], "skipped")
        self.assertEqual(outcome(sms)["Company Opted Co"][0], "skipped")
        self.assertEqual(outcome(sms)["No Email Co"], ("done", ""))
        self.assertEqual(len(self._actions(sms, customers).sms_id), 3)
        # the salesperson's own activities are not messages: scheduled for everyone
        self.assertEqual(len(self._actions(calls, customers).activity_id), 5)

    def test_phone_blacklist_and_missing_number_skip_sms(self):
        self.env["phone.blacklist"].create({"number": "+8613800138001"})
        self.buyer.phone = False
        rule = self._rule(action="sms", sms_template_id=self.sms_template.id, lead_days=3)
        self._run(rule, date(2026, 7, 2))
        self.assertEqual(
            self._actions(rule, self.customer).state_reason, "Cared Co, Buyer of Cared Co has no valid phone number."
        )
        self.assertEqual(
            self._actions(rule, self.other).state_reason,
            "The phone number of Other Cared Co, Buyer of Other Cared Co is blacklisted.",
        )
        self.assertFalse(self._actions(rule, self.customers).sms_id)


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
class TestCareConcurrency(ConcurrentWorkersMixin, CustomerCareCase):
    """Two workers generating the same rule at the same time, each on its own database
    connection. The data they share must be committed, so this test commits it in the main
    company and deletes it afterwards."""

    def _commit_fixture(self):
        company = self.env.ref("base.main_company")
        tier = self.env.ref("customer_relationship.customer_tier_lead")
        with self._cursor() as cr:
            env = self._worker_env(cr)
            customer = env["res.partner"].create(
                {"name": "CR Concurrent Co", "is_company": True, "relationship_level": "partnership"}
            )
            contact = env["res.partner"].create(
                {"name": "CR Concurrent Buyer", "parent_id": customer.id, "birthday": date(1980, 7, 2)}
            )
            env.flush_all()
            # classified in the main company without recomputing the demo customers
            cr.execute(
                """INSERT INTO customer_account (partner_id, company_id, tier_id) VALUES (%s, %s, %s)
                   ON CONFLICT (partner_id, company_id) DO UPDATE SET tier_id = EXCLUDED.tier_id""",
                [customer.id, company.id, tier.id],
            )
            rule = env["customer.care.rule"].create(
                {
                    "name": "CR concurrent birthdays",
                    "company_id": company.id,
                    "trigger": "birthday",
                    "lead_days": 7,
                    "min_relationship_level": "partnership",
                    "action": "activity",
                    "activity_type_id": self.call.id,
                    "responsible": "user",
                    "user_id": self.env.ref("base.user_admin").id,
                }
            )
            # A separate connection, not the test's: its data must be committed to be seen by both workers.
            cr.commit()  # pylint: disable=invalid-commit
            return rule.id, customer.id, contact.id

    def _delete_fixture(self, rule_id, customer_id, contact_id):
        with self._cursor() as cr:
            cr.execute("DELETE FROM customer_care_action WHERE rule_id = %s", [rule_id])
            cr.execute("DELETE FROM customer_care_rule WHERE id = %s", [rule_id])
            env = self._worker_env(cr)
            env["res.partner"].browse([contact_id, customer_id]).exists().unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def test_two_workers_insert_one_action(self):
        rule_id, customer_id, contact_id = self._commit_fixture()
        try:
            with self._cursor() as cr_first, self._cursor() as cr_second:
                first = self._worker_env(cr_first)["customer.care.rule"].browse(rule_id)
                second = self._worker_env(cr_second)["customer.care.rule"].browse(rule_id)
                # both workers start their transaction before either has inserted anything
                cr_first.execute("SELECT 1")
                cr_second.execute("SELECT 1")
                inserted = first._generate_actions(TODAY).filtered(lambda a: a.partner_id.id == customer_id)
                self.assertEqual(len(inserted), 1)

                # the second worker waits on the first one's uncommitted action
                outcome = self._run_behind(cr_first, cr_second, lambda: second._generate_actions(TODAY))
                # Odoo's transactions are REPEATABLE READ: the second worker cannot see the
                # committed action, and PostgreSQL refuses its insert rather than duplicate it.
                self.assertIsInstance(outcome.get("error"), SerializationFailure)
                cr_second.rollback()
                # Its retry (Odoo retries serialization failures) sees the action: nothing to insert.
                second.env.invalidate_all()
                self.assertFalse(second._generate_actions(TODAY).filtered(lambda a: a.partner_id.id == customer_id))
                cr_second.commit()
                cr_first.execute(
                    "SELECT contact_id FROM customer_care_action WHERE rule_id = %s AND partner_id = %s",
                    [rule_id, customer_id],
                )
                self.assertEqual(cr_first.fetchall(), [(contact_id,)])
        finally:
            self._delete_fixture(rule_id, customer_id, contact_id)


@tagged("post_install", "-at_install")
class TestCareCron(CustomerCareCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only this test's rules run; the level keeps the demo customers out of them.
        cls.env["customer.care.rule"].search([]).action_archive()
        cls.customers = cls._create_customers(
            "Batch A", "Batch B", "Batch C", customer_rank=1, relationship_level="partnership"
        )
        cls.customers.child_ids.birthday = date(1980, 7, 2)
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, TODAY)
        cls.cron = cls.env.ref("customer_relationship.ir_cron_customer_care")

    def _rules(self):
        return self._rule(min_relationship_level="partnership") | self._rule(
            action="visit", min_relationship_level="partnership"
        )

    def _run_cron(self, cron, batch_size, out_of_time_after=None, **context):
        """One run of the scheduled action with its own progress. With ``out_of_time_after``,
        its time is up once that many steps (rules or batches of actions) are committed."""
        cron, progress = cron.with_context(**context)._add_progress()
        steps = []
        commit_progress = type(cron)._commit_progress

        def counting_commit_progress(cron, processed=0, **kwargs):
            remaining_time = commit_progress(cron, processed, **kwargs)
            if processed:
                steps.append(processed)
            return 0 if out_of_time_after and len(steps) >= out_of_time_after else remaining_time

        with patch.object(type(cron), "_commit_progress", counting_commit_progress):
            cron.env["customer.care.rule"]._cron_run_care_rules(batch_size=batch_size)
        return progress, steps

    @freeze_time("2026-06-30 08:00:00")
    def test_cron_stops_when_out_of_time_and_resumes(self):
        calls, visits = self._rules()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            cron = self.cron.with_env(self.cron.env(cr=cr, context={"cron_id": self.cron.id}))
            actions = cron.env["customer.care.action"]

            # Out of time from the start: the first rule is generated and committed, then it stops.
            progress, _steps = self._run_cron(cron, 2, cron_end_time=time.monotonic() - 1)
            self.assertEqual((progress.done, progress.remaining), (1, 1))
            self.assertEqual(len(self._actions(calls, self.customers).with_env(cron.env)), 3)
            self.assertFalse(actions.search([("rule_id", "=", visits.id)]))
            self.assertFalse(actions.search([("rule_id", "in", (calls | visits).ids), ("executed_date", "!=", False)]))

            # The next run generates the second rule and carries out the six actions, two by two.
            progress, steps = self._run_cron(cron, 2)
            self.assertEqual(steps, [1, 1, 2, 2, 2])
            self.assertEqual((progress.done, progress.remaining), (8, 0))
            done = actions.search([("rule_id", "in", (calls | visits).ids)])
            self.assertEqual(len(done), 6)
            self.assertTrue(all(done.mapped("executed_date")))
            self.assertEqual(len(done.activity_id), 3)
            self.assertEqual(len(done.visit_id), 3)
            self.assertEqual(done.visit_id.partner_id, self.customers.with_env(cron.env))

            # A third run finds nothing to do and doubles nothing.
            progress, steps = self._run_cron(cron, 2)
            self.assertEqual(steps, [1, 1])
            self.assertEqual(actions.search([("rule_id", "in", (calls | visits).ids)]), done)
            visits_of_customers = cron.env["customer.visit"].search([("partner_id", "in", self.customers.ids)])
            self.assertEqual(len(visits_of_customers), 3)
            self.assertEqual(cron.env["mail.activity"].search_count([("res_id", "in", self.customers.ids)]), 3)

    @freeze_time("2026-06-30 08:00:00")
    def test_cron_resumes_the_actions_where_it_stopped(self):
        calls, visits = self._rules()
        with self.enter_registry_test_mode(), self.registry.cursor() as cr:
            cron = self.cron.with_env(self.cron.env(cr=cr, context={"cron_id": self.cron.id}))
            actions = cron.env["customer.care.action"]
            # two rules, then the first batch of four actions: out of time
            progress, steps = self._run_cron(cron, 4, out_of_time_after=3)
            self.assertEqual(steps, [1, 1, 4])
            self.assertEqual((progress.done, progress.remaining), (6, 2))
            rule_actions = actions.search([("rule_id", "in", (calls | visits).ids)])
            self.assertEqual(len(rule_actions.filtered("executed_date")), 4)

            progress, steps = self._run_cron(cron, 4)
            self.assertEqual(steps, [1, 1, 2])
            self.assertEqual(actions.search([("rule_id", "in", (calls | visits).ids)]), rule_actions)
            self.assertTrue(all(rule_actions.mapped("executed_date")))
            self.assertEqual((len(rule_actions.activity_id), len(rule_actions.visit_id)), (3, 3))
            self.assertEqual(cron.env["customer.visit"].search_count([("partner_id", "in", self.customers.ids)]), 3)

    @freeze_time("2026-06-30 08:00:00")
    def test_a_broken_rule_does_not_stop_the_others(self):
        calls, visits = self._rules()
        broken = self._rule(trigger="anniversary", min_relationship_level="partnership", sequence=1)
        events_query = type(broken)._events_query

        def failing_events_query(rule, params):
            if rule == broken:
                raise ValueError("a broken rule")
            return events_query(rule, params)

        with (
            patch.object(type(broken), "_events_query", failing_events_query),
            mute_logger("odoo.addons.customer_relationship.models.customer_care_rule"),
            self.enter_registry_test_mode(),
            self.registry.cursor() as cr,
        ):
            cron = self.cron.with_env(self.cron.env(cr=cr, context={"cron_id": self.cron.id}))
            progress, steps = self._run_cron(cron, 10)
            # the broken rule's step still counts: the run goes on with the next rule
            self.assertEqual(steps, [1, 1, 1, 6])
            self.assertEqual((progress.done, progress.remaining), (9, 0))
            actions = cron.env["customer.care.action"].search([("rule_id", "in", (broken | calls | visits).ids)])
            self.assertEqual(actions.rule_id, (calls | visits).with_env(cron.env))
            self.assertTrue(all(actions.mapped("executed_date")))
            self.assertFalse(broken.with_env(cron.env).last_run_date)


@tagged("post_install", "-at_install")
class TestCareAccess(CustomerCareCase):
    def test_rules_act_on_the_customers_of_their_company_only(self):
        hamburg = self._create_customers("Hamburg Co")
        hamburg.child_ids.birthday = date(1980, 7, 2)
        self._create_orders([(hamburg, 100, date(2026, 3, 1))], company=self.company_eu)
        self._recompute(self.company_eu, TODAY)
        self._recompute(self.company, TODAY)
        self.assertFalse(hamburg.with_company(self.company).customer_tier_id)
        shanghai_rule = self._rule()
        hamburg_rule = self._rule(company_id=self.company_eu.id)
        shanghai_rule._generate_actions(TODAY)
        hamburg_rule._generate_actions(TODAY)
        self.assertFalse(self._actions(shanghai_rule, hamburg))
        hamburg_action = self._actions(hamburg_rule, hamburg)
        self.assertEqual(hamburg_action.company_id, self.company_eu)

        # The customer's salesperson works for the other company only: the action is out of reach.
        as_salesman = self.Action.with_user(self.salesman)
        self.assertFalse(as_salesman.search([("id", "=", hamburg_action.id)]))
        with self.assertRaises(AccessError):
            hamburg_action.with_user(self.salesman).read(["state"])

    def test_salespeople_see_the_actions_of_their_customers(self):
        mine, theirs, assigned = self._tiered("Mine Co", "Theirs Co", "Assigned Co")
        theirs.user_id = assigned.user_id = self.salesman_other
        (mine | theirs | assigned).child_ids.birthday = date(1980, 7, 2)
        rule = self._rule()
        rule._generate_actions(TODAY)
        actions = self._actions(rule, mine | theirs | assigned)
        # an action of another salesperson's customer, assigned to the salesman by hand
        actions.filtered(lambda a: a.partner_id == assigned).user_id = self.salesman

        visible = self.Action.with_user(self.salesman).search([("id", "in", actions.ids)])
        self.assertEqual(visible.partner_id, mine | assigned)
        with self.assertRaises(AccessError):
            actions.filtered(lambda a: a.partner_id == theirs).with_user(self.salesman).read(["state"])
        # Those who read all customers see every action, and change only their own.
        self.assertEqual(self.Action.with_user(self.salesman_all).search([("id", "in", actions.ids)]), actions)
        with self.assertRaises(AccessError):
            actions.filtered(lambda a: a.partner_id == mine).with_user(self.salesman_all).action_skip()
        visible.filtered(lambda a: a.partner_id == mine).action_skip()
        self.assertEqual(actions.filtered(lambda a: a.partner_id == mine).state, "skipped")

    def test_only_managers_configure_rules(self):
        values = {
            "name": "Salesman's own rule",
            "company_id": self.company.id,
            "trigger": "birthday",
            "activity_type_id": self.call.id,
        }
        with self.assertRaises(AccessError):
            self.env["customer.care.rule"].with_user(self.salesman).create(values)
        rule = self.env["customer.care.rule"].with_user(self.manager).create(values)
        self.assertEqual(rule.with_user(self.salesman).name, "Salesman's own rule")
        with self.assertRaises(AccessError):
            rule.with_user(self.salesman).action_run_now()
        with self.assertRaises(AccessError):
            rule.with_user(self.salesman).lead_days = 30


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
        before = self.cr.sql_log_count
        with self.assertQueryCount(cr_manager=6):  # rule, company, calendar, tiers; INSERT; UPDATE
            created = few_rule._generate_actions(TODAY)
        few_queries = self.cr.sql_log_count - before
        self.assertEqual(len(created.filtered(lambda a: a.partner_id in few)), 2)

        many = self._create_customers(*[f"Many {i}" for i in range(18)], customer_rank=1)
        many.child_ids.birthday = date(1980, 7, 2)
        self.env["customer.tier"].sudo()._recompute_company_tiers(self.company, TODAY)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with self.assertQueryCount(cr_manager=6):  # rule, company, calendar, tiers; INSERT; UPDATE
            created = many_rule._generate_actions(TODAY)
        if self.warm:
            self.assertEqual(self.cr.sql_log_count - before, few_queries)
        self.assertEqual(len(created.filtered(lambda a: a.partner_id in few | many)), 20)
