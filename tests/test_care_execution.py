"""Care actions carried out: activities and visits for the responsible, failures and retries."""

from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common import TODAY, CareActionsCase


@tagged("post_install", "-at_install")
class TestCareExecution(CareActionsCase):
    def test_activity_on_the_customer_for_the_responsible(self):
        rule = self._rule(days_offset=-1, lead_days=7, note="<p>Think of a gift.</p>")
        self._run(rule, TODAY)
        action = self._actions(rule, self.customer)
        activity = action.activity_id
        self.assertEqual(action.state, "scheduled")
        self.assertTrue(action.executed_date)
        self.assertRecordValues(
            activity,
            [
                {
                    "res_model": "res.partner",
                    "res_id": self.customer.id,
                    "res_name": self.customer.display_name,
                    "user_id": self.salesman.id,
                    "date_deadline": date(2026, 7, 1),
                    "activity_type_id": self.call.id,
                    "summary": "Care call: Buyer of Cared Co",
                }
            ],
        )
        self.assertIn("Think of a gift", activity.note)
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

    def test_visit_planned_for_the_responsible(self):
        self.salesman.tz = "Asia/Shanghai"
        rule = self._rule(action="visit", days_offset=-2, lead_days=7, note="<p>Bring tea.</p>")
        self._run(rule, TODAY)
        action = self._actions(rule, self.customer)
        visit = action.visit_id
        self.assertEqual(action.state, "scheduled")
        self.assertRecordValues(
            visit,
            [
                {
                    "state": "planned",
                    "partner_id": self.customer.id,
                    "contact_ids": self.buyer.ids,
                    "user_id": self.salesman.id,
                    "company_id": self.company.id,
                    # 10:00 in Shanghai on the due date, 30 June
                    "planned_start": datetime(2026, 6, 30, 2),
                }
            ],
        )
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
        self.assertRecordValues(
            failed,
            [
                {
                    "user_id": False,
                    "state": "failed",
                    "state_reason": f"Nobody is responsible for Other Cared Co under care rule {rule.name}: "
                    "set a fallback user on the rule.",
                    "attempt_count": 1,
                    "last_attempt_date": TODAY,
                }
            ],
        )
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
