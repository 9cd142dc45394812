"""Care rules: which events each trigger finds, and when their actions fall due."""

from datetime import date, datetime, timedelta

from odoo import Command
from odoo.tests import tagged

from .common import TODAY, CustomerCareCase


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
