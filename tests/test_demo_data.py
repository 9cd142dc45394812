from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo database tells what a team six months into using the addon sees. The test
    database is installed with demo data: without it these tests fail, they are not skipped.
    The story is told relative to the day of the installation: the figures are read as of that day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        first = cls.env.ref("customer_relationship.demo_customer_01", raise_if_not_found=False)
        assert first, "The database must be installed with the demo data of customer_relationship."
        cls.installed_at = first.create_date
        cls.install_day = cls.installed_at.date()
        cls.company = cls.env.ref("base.main_company")
        cls.admin = cls.env.ref("base.user_admin")
        cls.demo_user = cls.env.ref("base.user_demo")
        cls.customers = cls.env["res.partner"].search([("parent_id", "=", False), ("customer_tier_id", "!=", False)])

    def test_demo_data_follows_a_pareto_curve(self):
        """The demo customers: the top fifth brings well over half of the value."""
        customers = (
            self.env["res.partner"]
            .search(
                [("id", "in", [self.env.ref(f"customer_relationship.demo_customer_{i:02d}").id for i in range(1, 31)])]
            )
            .sorted("customer_value", reverse=True)
        )
        values = customers.mapped("customer_value")
        self.assertGreater(sum(values[:6]) / sum(values), 0.6)
        self.assertEqual(customers[0].customer_tier_id, self.env.ref("customer_relationship.customer_tier_platinum"))
        self.assertTrue(customers.filtered(lambda c: c.customer_lifecycle in ("dormant", "lost")))

    def test_eighteen_months_of_done_visits(self):
        done = self.env["customer.visit"].search([("state", "=", "done"), ("partner_id", "in", self.customers.ids)])
        self.assertGreater(len(done), 200)
        first_day = min(done.mapped("done_date")).date()
        self.assertLessEqual(first_day, self.install_day - timedelta(days=480), "18 months of visits")
        self.assertTrue(all(visit.notes and visit.purpose_ids for visit in done))
        rated = done.filtered(lambda v: v.satisfaction != "0")
        self.assertGreater(len(rated), len(done) / 2)
        self.assertEqual(set(done.mapped("satisfaction")), {"0", "1", "2", "3"})
        with_people = done.filtered("contact_ids")
        self.assertGreater(len(with_people), len(done) / 2)
        for visit in with_people:
            # People met are the customer's contacts, never the company itself.
            self.assertNotIn(visit.partner_id, visit.contact_ids)
            self.assertEqual(visit.contact_ids.commercial_partner_id, visit.partner_id)
        self.assertEqual(set(done.user_id.ids), {self.admin.id, self.demo_user.id})

    def test_planned_visits_for_the_coming_two_weeks(self):
        planned = self.env["customer.visit"].search([("state", "=", "planned")])
        ahead = planned.filtered(
            lambda v: self.install_day < v.planned_start.date() <= self.install_day + timedelta(days=15)
        )
        self.assertGreaterEqual(len(ahead), 8)
        self.assertTrue(all(visit.calendar_event_id.start == visit.planned_start for visit in planned))
        # Two visits of the past days are waiting for their notes.
        self.assertEqual(len(planned.filtered(lambda v: v.planned_start < self.installed_at)), 2)
        # The next visit agreed at the end of the last one.
        self.assertTrue(self.env["customer.visit"].search_count([("next_visit_id", "in", ahead.ids)]))

    def test_my_day_and_effort(self):
        """Right after the installation, both salespeople have a day of every kind of work on their
        own customers; the effort report has rows for both salespeople."""
        for user in (self.admin, self.demo_user):
            day = self.env["customer.worklist"].with_user(user).search([("user_id", "=", user.id)])
            self.assertLessEqual(
                {"visit", "contact", "care", "order", "followup"}, set(day.mapped("reason")), user.name
            )
            # Most customers were contacted within their tier's interval: a few are due.
            due = day.filtered(lambda row: row.reason == "contact").partner_id
            self.assertTrue(0 < len(due) < len(self.customers) / 4, user.name)
        with freeze_time(self.installed_at + timedelta(minutes=5)):
            effort = self.env["customer.effort.report"].search([("company_id", "=", self.company.id)])
        self.assertEqual(effort.filtered("visit_count").user_id, self.admin | self.demo_user)

    def test_relationship_levels_spread_across_the_ladder(self):
        self.assertGreaterEqual(len(set(self.customers.mapped("relationship_level"))), 4)

    def test_referrals_and_lost_customers(self):
        referred = self.env["res.partner"].search([("referred_by_id", "!=", False)])
        self.assertGreaterEqual(len(referred), 4)
        self.assertTrue(all(partner.referral_date for partner in referred))
        lost = self.env["res.partner"].search([("parent_id", "=", False), ("loss_reason_id", "!=", False)])
        self.assertEqual(len(lost), 2)
        for customer in lost:
            self.assertTrue(customer.loss_note)
            self.assertLess(customer.loss_date, self.install_day)
            self.assertGreater(customer.lost_value, 0)
        self.assertEqual(len(lost.loss_reason_id), 2)

    def test_tier_history_over_past_months(self):
        history = self.env["customer.tier.history"].search([("company_id", "=", self.company.id)])
        past = history.filtered(lambda h: h.date < self.install_day)
        self.assertGreaterEqual(len(past.mapped("date")), 4, "moves on several past dates")
        self.assertLessEqual(min(past.mapped("date")), self.install_day - timedelta(days=150))
        self.assertTrue({"new", "up", "down"} <= set(past.mapped("direction")))
        self.assertTrue(past.filtered("manual").reason)
        # The first classification happened months ago, not on the day of installation.
        first = history.filtered(lambda h: h.direction == "new")
        self.assertGreater(len(first.filtered(lambda h: h.date < self.install_day)), len(first) / 2)

    def test_care_actions_done_scheduled_and_failed(self):
        actions = self.env["customer.care.action"].search([("company_id", "=", self.company.id)])
        done = actions.filtered(lambda a: a.state == "done")
        self.assertGreater(len(done), 20)
        self.assertTrue(any(action.due_date < self.install_day - timedelta(days=30) for action in done))
        self.assertTrue(actions.filtered(lambda a: a.state == "scheduled" and a.activity_id))
        failed = actions.filtered(lambda a: a.state == "failed")
        self.assertEqual(len(failed), 1)
        self.assertTrue(failed.state_reason)
        # Given up: the daily run does not try it again.
        self.assertFalse(failed.filtered_domain(actions._pending_domain(self.install_day + timedelta(days=1))))

    def test_plan_visits_proposes_a_day_in_shanghai(self):
        """The demo salesperson's Shanghai customers due in the coming two weeks make one day's route."""
        with freeze_time(self.installed_at + timedelta(minutes=5)):
            wizard = self.env["customer.visit.plan"].with_user(self.demo_user).create({})
            wizard.action_preview()
        days = {}
        for line in wizard.line_ids.filtered(lambda line: line.day and line.partner_id.city == "Shanghai"):
            days.setdefault(line.day, []).append(line)
        self.assertTrue(days, "Shanghai customers are proposed")
        day, lines = max(days.items(), key=lambda item: len(item[1]))
        self.assertGreaterEqual(len(lines), 2, f"several stops in Shanghai on {day}")
        self.assertGreater(sum(line.distance_km for line in lines), 0)

    def test_check_ins_of_recent_on_site_visits(self):
        """Since the team checks in, most on-site visits were checked in near the customer, a few far."""
        visits = self.env["customer.visit"].search(
            [
                ("state", "=", "done"),
                ("visit_type", "=", "on_site"),
                ("done_date", ">=", self.installed_at - timedelta(days=90)),
            ]
        )
        self.assertTrue(visits.filtered("checkin_far"))
        self.assertTrue(all(visit.checkout_date > visit.checkin_date for visit in visits.filtered("checkin_date")))
        far = visits.filtered("checkin_far")
        self.assertTrue(all(visit.checkin_distance > self.company.visit_checkin_distance for visit in far))
        # Visit Analysis: the rate overall and per salesperson, as its pivot averages it.
        Visit = self.env["customer.visit"]
        [[rate]] = Visit._read_group([("id", "in", visits.ids)], [], ["checkin_on_site_rate:avg"])
        self.assertTrue(0 < rate < 100, f"{rate}% checked in on site")
        rates = dict(Visit._read_group([("id", "in", visits.ids)], ["user_id"], ["checkin_on_site_rate:avg"]))
        self.assertEqual(set(rates), {self.admin, self.demo_user})
        self.assertTrue(all(rates.values()), rates)
