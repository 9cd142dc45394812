"""Care actions that send messages: e-mails and SMS from templates, opt-out and blacklists."""

import json
from datetime import date

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TODAY, CareActionsCase


@tagged("post_install", "-at_install")
class TestCareMessages(CareActionsCase):
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
        self.assertTrue(self.buyer.phone_sanitized)
        self.assertRecordValues(
            action.sms_id,
            [
                {
                    "partner_id": self.buyer.id,
                    "number": self.buyer.phone_sanitized,
                    "body": "Happy birthday, Buyer of Cared Co!",
                }
            ],
        )
        # The SMS gateway refuses it: the action fails.
        action.sms_id.write({"state": "error", "failure_type": "sms_number_format"})
        self.assertRecordValues(
            action, [{"state": "failed", "state_reason": "Wrong Number Format", "attempt_count": 1}]
        )

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
