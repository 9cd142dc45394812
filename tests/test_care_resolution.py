from datetime import date, datetime
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from .common import CustomerCareCase

# The first day the test customers' cadence actions are due (first order 1 May + 30 days).
DUE = date(2026, 6, 1)


@tagged("post_install", "-at_install")
class TestCareResolution(CustomerCareCase):
    """One test per row of the resolution table (README, "Care rules"): the event closes the open
    actions it concerns, with their activity, and leaves the others alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.other = cls._create_customers("Resolved Co", "Untouched Co")
        cls.customers = cls.customer | cls.other
        cls.buyer = cls.customer.child_ids
        cls.customers.child_ids.birthday = date(1980, 6, 5)
        cls._create_orders([(cls.customer, 100, date(2026, 5, 1)), (cls.other, 100, date(2026, 5, 1))])
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 5, 2))
        cls.customer.with_company(cls.company).customer_tier_id.visit_interval_days = 30
        cls.reason = cls.env["customer.loss.reason"].create({"name": "Went to a competitor"})

    def _open(self, rule):
        """Run the rule on the day the cadence actions fall due: one open action per customer,
        with its activity (or visit)."""
        self._run(rule, DUE)
        actions = self._actions(rule, self.customers)
        self.assertEqual(len(actions), 2)
        self.assertEqual(set(actions.mapped("state")), {"scheduled"})
        return self._actions(rule, self.customer), self._actions(rule, self.other)

    def _assert_untouched(self, *actions):
        for action in actions:
            self.assertEqual(action.state, "scheduled")
            self.assertFalse(action.state_reason)
            if action.action == "activity":
                self.assertTrue(action.activity_id.active)

    def _assert_resolved(self, action, reason):
        activity = action.activity_id.with_context(active_test=False)
        self.assertRecordValues(action, [{"state": "done", "state_reason": reason}])
        # marked done: off the responsible's to-do, the reason in the customer's chatter
        self.assertFalse(activity.active)
        self.assertEqual(activity.feedback, reason)

    def _assert_cancelled(self, actions, reason, activity):
        self.assertRecordValues(actions, [{"state": "skipped", "state_reason": reason}] * len(actions))
        self.assertFalse(activity.exists(), "the activity is removed from the responsible's to-do")

    def test_contact_logged_resolves_the_cadence_action(self):
        cadence = self._rule(trigger="cadence", lead_days=0, summary="Get in touch")
        birthday = self._rule(trigger="birthday", lead_days=7)
        action, other = self._open(cadence)
        birthday_action, _other_birthday_action = self._open(birthday)

        # the salesperson logs a call made yesterday
        self.env["customer.visit.log"].with_user(self.salesman).with_company(self.company).create(
            {
                "partner_id": self.customer.id,
                "visit_type": "phone",
                "done_date": datetime(2026, 6, 2, 9),
                "notes": "<p>Called about the summer order.</p>",
            }
        ).action_log()

        self._assert_resolved(action, "Resolved: contact logged")
        self._assert_untouched(other, birthday_action)

        # a planned visit marked done resolves it too
        visit = self.env["customer.visit"].create(
            {
                "partner_id": self.other.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 6, 3, 10),
                "notes": "<p>Visited the warehouse.</p>",
            }
        )
        self._assert_untouched(other)
        visit.with_user(self.salesman).action_done()
        self._assert_resolved(other, "Resolved: contact logged")

    def test_a_contact_before_the_last_one_does_not_resolve(self):
        cadence = self._rule(trigger="cadence", lead_days=0)
        action, _other = self._open(cadence)
        # logged now, done long before the first order: the interval still ran out on 31 May
        self.env["customer.visit.log"].with_company(self.company).create(
            {"partner_id": self.customer.id, "done_date": datetime(2026, 4, 1, 9), "notes": "<p>Old call.</p>"}
        ).action_log()
        self._assert_untouched(action)

    def test_order_placed_resolves_the_win_back_action(self):
        self._recompute(self.company, date(2026, 11, 20))
        self.assertEqual(self.customer.with_company(self.company).customer_lifecycle, "dormant")
        winback = self._rule(trigger="dormancy", dormancy_lifecycle="dormant", lead_days=0)
        cadence = self._rule(trigger="cadence", lead_days=0)
        self._run(winback, date(2026, 11, 20))
        self._run(cadence, date(2026, 11, 20))
        action, other = self._actions(winback, self.customer), self._actions(winback, self.other)
        cadence_action = self._actions(cadence, self.customer)
        self._assert_untouched(action, other, cadence_action)

        self._create_orders([(self.customer, 300, date(2026, 11, 21))])

        self._assert_resolved(action, "Resolved: order placed")
        # an order is no contact: the call is still due
        self._assert_untouched(other, cadence_action)

    def test_relationship_level_reached_resolves_the_gap_action(self):
        gap = self._rule(trigger="relationship_gap", lead_days=0)
        action, other = self._open(gap)
        target = self.customer.with_company(self.company).target_relationship_level
        self.env["customer.relationship.level.change"].with_user(self.salesman).with_company(self.company).create(
            {"partner_id": self.customer.id, "new_level": target, "reason": "Weekly calls agreed."}
        ).action_apply()
        self._assert_resolved(action, "Resolved: relationship level reached")
        self._assert_untouched(other)

    def test_customer_marked_lost_cancels_its_care_and_is_not_due_for_contact(self):
        Partner = self.env["res.partner"].with_company(self.company)
        cadence = self._rule(trigger="cadence", lead_days=0)
        visits = self._rule(trigger="birthday", lead_days=7, action="visit")
        emails = self._rule(trigger="birthday", lead_days=7, action="email", mail_template_id=self.birthday_template.id)
        action, other = self._open(cadence)
        activity = action.activity_id
        visit_action, other_visit_action = self._open(visits)
        self._run(emails, DUE)  # due on the birthday, 5 June: not sent yet
        email_action = self._actions(emails, self.customer)
        self._assert_untouched(visit_action, other_visit_action, email_action)
        self.assertEqual(visit_action.visit_id.state, "planned")
        self.assertTrue(Partner.browse(self.customer.id).visit_overdue)

        self.env["customer.loss.mark"].with_company(self.company).create(
            {"partner_ids": [Command.set(self.customer.ids)], "reason_id": self.reason.id}
        ).action_apply()

        reason = "Cancelled: customer marked as lost"
        self._assert_cancelled(action, reason, activity)
        self.assertRecordValues(visit_action | email_action, [{"state": "skipped", "state_reason": reason}] * 2)
        self.assertEqual(visit_action.visit_id.state, "cancelled")
        self._assert_untouched(other, other_visit_action)
        self.assertEqual(other_visit_action.visit_id.state, "planned")
        # neither "Visit overdue" nor counted as due for contact
        self.assertFalse(Partner.browse(self.customer.id).visit_overdue)
        self.assertTrue(Partner.browse(self.other.id).visit_overdue)
        self.assertEqual(Partner.search([("visit_overdue", "=", True), ("id", "in", self.customers.ids)]), self.other)
        self.assertIn(self.customer, Partner.search([("visit_overdue", "=", False)]))
        # nothing new for it afterwards (the e-mail is not sent on the birthday)
        self._run(emails, date(2026, 6, 5))
        self.assertEqual(email_action.state, "skipped")
        self._run(self._rule(trigger="birthday", lead_days=7, summary="New rule"), DUE)
        self.assertFalse(self.Action.search([("partner_id", "=", self.customer.id), ("state", "=", "scheduled")]))

    def test_customer_archived_cancels_its_care(self):
        cadence = self._rule(trigger="cadence", lead_days=0)
        action, other = self._open(cadence)
        activity = action.activity_id
        self.customer.action_archive()
        self._assert_cancelled(action, "Cancelled: customer or contact person archived", activity)
        self._assert_untouched(other)

    def test_contact_archived_cancels_the_actions_for_that_person(self):
        birthday = self._rule(trigger="birthday", lead_days=7)
        cadence = self._rule(trigger="cadence", lead_days=0)
        action, other = self._open(birthday)
        activity = action.activity_id
        self.assertEqual(action.contact_id, self.buyer)
        cadence_action, _other_cadence = self._open(cadence)
        self.buyer.action_archive()
        self._assert_cancelled(action, "Cancelled: customer or contact person archived", activity)
        self._assert_untouched(other, cadence_action)

    def test_rule_archived_cancels_its_actions_but_keeps_planned_visits(self):
        cadence = self._rule(trigger="cadence", lead_days=0)
        visits = self._rule(trigger="birthday", lead_days=7, action="visit")
        birthday = self._rule(trigger="birthday", lead_days=7)
        action, other = self._open(cadence)
        activities = (action | other).activity_id
        visit_action, _other_visit_action = self._open(visits)
        birthday_action, _other_birthday_action = self._open(birthday)

        (cadence | visits).action_archive()

        reason = "Cancelled: care rule archived"
        self._assert_cancelled(action | other, reason, activities)
        self.assertRecordValues(visit_action, [{"state": "skipped", "state_reason": reason}])
        # a planned visit may have been agreed with the customer: it stays in the calendar
        self.assertEqual(visit_action.visit_id.state, "planned")
        self._assert_untouched(birthday_action)

    def test_the_daily_run_closes_what_the_events_did_not(self):
        """Events that went round the hooks (written in SQL, imported): the daily run closes
        their actions before it creates or sends anything, one query per row of the table."""
        self.env["customer.care.rule"].search([]).action_archive()  # only this test's rules run
        cadence = self._rule(trigger="cadence", lead_days=0)
        birthday = self._rule(trigger="birthday", lead_days=7)
        cadence_action, other_cadence = self._open(cadence)
        birthday_action, other_birthday = self._open(birthday)
        other_activity = other_birthday.activity_id
        visit = self.env["customer.visit"].create(
            {
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 6, 3, 10),
            }
        )
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE customer_visit SET state = 'done', done_date = planned_start WHERE id = %s;
               UPDATE res_partner SET active = FALSE WHERE id = %s""",
            [visit.id, self.other.child_ids.id],
        )
        self.env.invalidate_all()
        self._assert_untouched(cadence_action, birthday_action, other_birthday)

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda cron, processed=0, **kw: 1.0):
            self.env["customer.care.rule"]._cron_run_care_rules(today=date(2026, 6, 4))

        self._assert_resolved(cadence_action, "Resolved: contact logged")
        self._assert_untouched(birthday_action, other_cadence)
        self._assert_cancelled(other_birthday, "Cancelled: customer or contact person archived", other_activity)
        with self.assertQueryCount(len(self.Action._resolution_table())):
            self.Action._resolve_all()

    def test_activity_and_reason_in_the_responsibles_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.ref("base.module_customer_relationship")._update_translations(["zh_CN"])
        self.salesman.lang = "zh_CN"
        # the default rule, as the company would use it
        default = self.env.ref("customer_relationship.customer_care_rule_cadence")
        cadence = default.copy({"company_id": self.company.id, "user_id": self.manager.id, "active": True})
        cadence.note = "<p>Ask how things are going.</p>"
        cadence.update_field_translations("note", {"zh_CN": {"Ask how things are going.": "问问近况。"}})
        # an English-speaking responsible for the other customer
        self.other.user_id = self.salesman_other
        action, other = self._open(cadence)
        self.assertEqual(action.activity_id.summary, "保持联系：已超过联系间隔")
        self.assertIn("问问近况。", action.activity_id.note)
        self.assertEqual(other.activity_id.summary, "Get in touch: contact interval exceeded")
        self.assertIn("Ask how things are going.", other.activity_id.note)

        self.env["customer.visit.log"].with_company(self.company).create(
            {"partner_id": self.customer.id, "done_date": datetime(2026, 6, 2, 9), "notes": "<p>Called.</p>"}
        ).action_log()
        self.assertEqual(action.state_reason, "已解决：已记录联系")
        self.assertEqual(action.activity_id.with_context(active_test=False).feedback, "已解决：已记录联系")
