import logging
import time
from datetime import date, datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CustomerRelationshipCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestCustomerHandover(CustomerRelationshipCase):
    """The salesman leaves: his customers go to salesman_other. salesman_all is a colleague whose
    customer, visits and activities must stay his."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman.company_ids = [Command.link(cls.company_eu.id)]
        cls.alpha, cls.beta = cls._create_customers("Alpha Co", "Beta Co")
        (cls.gamma,) = cls._create_customers("Gamma Co", user_id=cls.salesman_all.id)
        cls.alpha_buyer = cls.alpha.child_ids
        cls.alpha_engineer = cls.env["res.partner"].create(
            {"name": "Engineer of Alpha Co", "parent_id": cls.alpha.id, "user_id": cls.salesman_all.id}
        )
        cls.alpha.with_company(cls.company).relationship_level = "accountable"
        cls._create_orders([(cls.alpha, 10000, date(2026, 3, 1))])
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 6, 30))

        Visit = cls.env["customer.visit"].with_company(cls.company)
        visit = {"user_id": cls.salesman.id, "company_id": cls.company.id}
        (
            cls.planned,
            cls.planned_beta,
            cls.done,
            cls.cancelled,
            cls.colleague_visit,
            cls.eu_visit,
        ) = Visit.create(
            [
                {**visit, "partner_id": cls.alpha.id, "planned_start": datetime(2026, 7, 10, 9)},
                {**visit, "partner_id": cls.beta.id, "planned_start": datetime(2026, 7, 11, 9)},
                {
                    **visit,
                    "partner_id": cls.alpha.id,
                    "planned_start": datetime(2026, 6, 2, 9),
                    "state": "done",
                    "done_date": datetime(2026, 6, 2, 10),
                    "notes": "<p>Discussed the <b>spring price list</b> with the buyer.</p>",
                },
                {**visit, "partner_id": cls.alpha.id, "planned_start": datetime(2026, 6, 20, 9), "state": "cancelled"},
                {
                    **visit,
                    "partner_id": cls.alpha.id,
                    "user_id": cls.salesman_all.id,
                    "planned_start": datetime(2026, 7, 12, 9),
                },
                {
                    **visit,
                    "partner_id": cls.alpha.id,
                    "company_id": cls.company_eu.id,
                    "planned_start": datetime(2026, 7, 13, 9),
                },
            ]
        )

        cls.rule = cls.env["customer.care.rule"].create(
            {"name": "Birthday call", "company_id": cls.company.id, "user_id": cls.manager.id}
        )
        action = {
            "rule_id": cls.rule.id,
            "company_id": cls.company.id,
            "action": "activity",
            "partner_id": cls.alpha.id,
        }
        (
            cls.care_scheduled,
            cls.care_done,
            cls.care_colleague,
            cls.care_retry,
            cls.care_given_up,
        ) = cls.env["customer.care.action"].create(
            [
                {
                    **action,
                    "occurrence_date": date(2026, 7, 1),
                    "due_date": date(2026, 7, 1),
                    "user_id": cls.salesman.id,
                },
                {
                    **action,
                    "occurrence_date": date(2025, 7, 1),
                    "due_date": date(2025, 7, 1),
                    "user_id": cls.salesman.id,
                    "state": "done",
                },
                {
                    **action,
                    "occurrence_date": date(2026, 7, 2),
                    "due_date": date(2026, 7, 2),
                    "user_id": cls.salesman_all.id,
                },
                {
                    **action,
                    "occurrence_date": date(2026, 6, 28),
                    "due_date": date(2026, 6, 28),
                    "user_id": cls.salesman.id,
                    "state": "failed",
                    "attempt_count": 1,
                },
                {
                    **action,
                    "occurrence_date": date(2026, 6, 1),
                    "due_date": date(2026, 6, 1),
                    "user_id": cls.salesman.id,
                    "state": "failed",
                    "attempt_count": 3,
                },
            ]
        )

        def activity(record, user, summary):
            return {
                "res_model_id": cls.env["ir.model"]._get_id(record._name),
                "res_id": record.id,
                "user_id": user.id,
                "summary": summary,
                "date_deadline": date(2026, 7, 3),
                "activity_type_id": cls.env.ref("mail.mail_activity_data_todo").id,
            }

        (
            cls.act_alpha,
            cls.act_buyer,
            cls.act_followup,
            cls.act_colleague,
            cls.act_gamma,
        ) = cls.env["mail.activity"].create(
            [
                activity(cls.alpha, cls.salesman, "Send the catalogue"),
                activity(cls.alpha_buyer, cls.salesman, "Call the buyer back"),
                activity(cls.done, cls.salesman, "Quote the volume discount"),
                activity(cls.alpha, cls.salesman_all, "Check the installation"),
                activity(cls.gamma, cls.salesman, "Help a colleague"),
            ]
        )
        cls.done_activity = cls.env["mail.activity"].create(activity(cls.alpha, cls.salesman, "Old call"))
        cls.done_activity.action_feedback(feedback="Done long ago")

    def _wizard(self, user=None, **vals):
        wizard = Form(self.env["customer.handover"].with_user(user or self.manager))
        for name, value in {"from_user_id": self.salesman, "to_user_id": self.salesman_other, **vals}.items():
            setattr(wizard, name, value)
        return wizard

    def _handover_notes(self, partner):
        return partner.message_ids.filtered(lambda m: m.subject == f"Handover to {self.salesman_other.name}")

    @freeze_time("2026-06-30 12:00:00")
    def test_handover_moves_exactly_what_the_salesman_holds(self):
        wizard = self._wizard()
        self.assertEqual(
            (wizard.customer_count, wizard.visit_count, wizard.care_action_count, wizard.activity_count),
            (2, 2, 2, 3),
            "Counts shown before applying: Alpha and Beta; their planned visits; the care actions still "
            "to be carried out; "
            "the activities on Alpha, its buyer and its done visit",
        )
        old_event = self.planned.calendar_event_id
        wizard.save().action_apply()

        new, old, colleague = self.salesman_other, self.salesman, self.salesman_all
        self.assertEqual((self.alpha | self.beta | self.alpha_buyer | self.beta.child_ids).user_id, new)
        self.assertEqual(self.alpha_engineer.user_id, colleague, "A contact of another salesperson stays theirs")
        self.assertEqual(self.gamma.user_id, colleague)

        self.assertEqual((self.planned | self.planned_beta).user_id, new)
        self.assertEqual((self.done | self.cancelled | self.eu_visit).user_id, old)
        self.assertEqual(self.colleague_visit.user_id, colleague)
        self.assertEqual(self.planned.calendar_event_id, old_event)
        self.assertEqual(old_event.user_id, new, "The visit's event is in the new salesperson's calendar")
        self.assertEqual(old_event.partner_ids, new.partner_id)

        self.assertEqual((self.care_scheduled | self.care_retry).user_id, new)
        self.assertEqual((self.care_done | self.care_given_up).user_id, old)
        self.assertEqual(self.care_colleague.user_id, colleague)

        self.assertEqual((self.act_alpha | self.act_buyer | self.act_followup).user_id, new)
        self.assertEqual(self.act_colleague.user_id, colleague)
        self.assertEqual(self.act_gamma.user_id, old, "Gamma is not handed over")
        self.assertEqual(self.done_activity.with_context(active_test=False).user_id, old)

        # Nothing of the salesman is left to hand over.
        again = self._wizard()
        self.assertEqual(
            (again.customer_count, again.visit_count, again.care_action_count, again.activity_count), (0, 0, 0, 0)
        )

    @freeze_time("2026-06-30 12:00:00")
    def test_history_stays_and_each_customer_gets_a_handover_note(self):
        history = self.alpha.customer_tier_history_ids
        self.assertTrue(history)
        self.alpha.message_post(body="Prefers calls in the morning.", subtype_xmlid="mail.mt_note")
        messages = self.alpha.message_ids
        done_values = self.done.read(["state", "done_date", "notes", "user_id"])

        self._wizard().save().action_apply()

        self.assertEqual(self.alpha.customer_tier_history_ids, history)
        self.assertEqual(self.done.read(["state", "done_date", "notes", "user_id"]), done_values)
        self.assertEqual(self.cancelled.state, "cancelled")
        self.assertLess(messages, self.alpha.message_ids, "Earlier messages stay on the customer")
        self.assertEqual(len(self.alpha.message_ids - messages), 1, "One handover note, no tracking message")

        for customer in (self.alpha, self.beta):
            self.assertEqual(len(self._handover_notes(customer)), 1)
        self.assertFalse(self._handover_notes(self.gamma) | self._handover_notes(self.alpha_buyer))
        note = self._handover_notes(self.alpha)
        self.assertEqual(note.author_id, self.manager.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        body = note.body
        alpha = self.alpha.with_company(self.company)
        for text in (
            self.salesman.name,
            self.salesman_other.name,
            alpha.customer_tier_id.name,
            "10,000.00",
            "Accountable",
            "06/02/2026: Discussed the spring price list with the buyer.",
            "Quote the volume discount",
            "planned visits 1, scheduled care actions 2, open activities 3",
        ):
            self.assertIn(text, body)
        self.assertIn("No done visit yet.", self._handover_notes(self.beta).body)

    def test_launched_from_the_customers_list(self):
        wizard = Form(
            self.env["customer.handover"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=[self.alpha_buyer.id, self.gamma.id])
        )
        self.assertEqual(
            {partner.id for partner in wizard.partner_ids},
            set((self.alpha | self.gamma).ids),
            "A contact stands for its company",
        )
        wizard.to_user_id = self.salesman_other
        self.assertEqual((wizard.customer_count, wizard.visit_count, wizard.activity_count), (2, 1, 3))
        wizard.from_user_id = self.salesman
        self.assertEqual(wizard.customer_count, 1, "Only the current salesperson's customers among those chosen")
        wizard.from_user_id = self.env["res.users"]
        wizard.save().action_apply()
        self.assertEqual((self.alpha | self.gamma).user_id, self.salesman_other)
        self.assertEqual(self.beta.user_id, self.salesman)
        self.assertEqual(self.act_alpha.user_id, self.salesman_other)
        self.assertEqual(self.act_colleague.user_id, self.salesman_all, "Not held by Alpha's salesperson")
        self.assertEqual(self.act_gamma.user_id, self.salesman, "Not held by Gamma's salesperson")

    def test_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["customer.handover"].with_user(self.salesman_all).create({"to_user_id": self.salesman.id})
        wizard = self._wizard().save()
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman_all).action_apply()
        self.assertEqual(self.alpha.user_id, self.salesman)

    def test_refuses_the_same_or_no_customer(self):
        with self.assertRaises(UserError):
            self._wizard(to_user_id=self.salesman).save().action_apply()
        with self.assertRaises(UserError):
            self._wizard(from_user_id=self.manager).save().action_apply()
        self.manager.company_ids = [Command.link(self.company_eu.id)]
        wizard = self._wizard().save()
        wizard.company_id = self.company_eu
        with self.assertRaises(UserError) as error:
            wizard.action_apply()
        self.assertRegex(str(error.exception), "has no access to CR Test Hamburg")
        self.assertEqual(self.alpha.user_id, self.salesman)


@tagged("post_install", "-at_install", "cr_slow")
class TestCustomerHandoverQueries(CustomerRelationshipCase):
    # What the ORM costs, not what each customer costs: a fixed part (the counts, searches,
    # access checks and the note's data, some 130 queries) and statements of at most 100 rows
    # (Odoo's batch size for INSERT and UPDATE) over the rows written: here 6,000 partners,
    # 5,000 care actions, 2,000 activities, 5,000 notes and the new salesperson's followers,
    # about 250 statements. Handing the customers over one by one would take more than 5,000.
    MAX_QUERIES = 450

    def test_5000_customers_in_a_bounded_number_of_queries(self):
        count = 5000
        # The fixture is built quietly: no tracking, no assignment mails, no activity e-mails.
        env = self.env(context=dict(self.env.context, tracking_disable=True, mail_activity_quick_update=True))
        customers = env["res.partner"].create(
            [{"name": f"Customer {n}", "is_company": True, "user_id": self.salesman.id} for n in range(count)]
        )
        env["res.partner"].create([{"name": f"Buyer {c.id}", "parent_id": c.id} for c in customers[:1000]])
        visit = {"user_id": self.salesman.id, "company_id": self.company.id}
        visits = env["customer.visit"].create(
            [
                {
                    **visit,
                    "partner_id": customer.id,
                    "planned_start": datetime(2026, 5, 4, 9),
                    "state": "done",
                    "done_date": datetime(2026, 5, 4, 10),
                    "notes": "<p>Went through the order history.</p>",
                }
                for customer in customers[:1000]
            ]
            + [
                {**visit, "partner_id": customer.id, "planned_start": datetime(2026, 12, 1, 9)}
                for customer in customers[:100]
            ]
        )
        rule = env["customer.care.rule"].create(
            {"name": "Cadence", "company_id": self.company.id, "user_id": self.manager.id}
        )
        env["customer.care.action"].create(
            [
                {
                    "rule_id": rule.id,
                    "company_id": self.company.id,
                    "action": "activity",
                    "partner_id": customer.id,
                    "occurrence_date": date(2026, 12, 1),
                    "due_date": date(2026, 12, 1),
                    "user_id": self.salesman.id,
                }
                for customer in customers
            ]
        )
        todo = self.env.ref("mail.mail_activity_data_todo").id
        env["mail.activity"].create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id(record._name),
                    "res_id": record.id,
                    "user_id": self.salesman.id,
                    "activity_type_id": todo,
                    "date_deadline": date(2026, 12, 1),
                    "summary": "Follow up",
                }
                for record in [*customers[1000:2000], *visits[:1000]]
            ]
        )
        wizard = (
            self.env["customer.handover"]
            .with_user(self.manager)
            .create({"from_user_id": self.salesman.id, "to_user_id": self.salesman_other.id})
        )
        self.assertEqual(
            (wizard.customer_count, wizard.visit_count, wizard.care_action_count, wizard.activity_count),
            (count, 100, count, 2000),
        )
        self.env.invalidate_all()
        start = time.perf_counter()
        with self.assertQueryCount(self.MAX_QUERIES):
            wizard.action_apply()
        _logger.info("Handover of %s customers: %.1f s", count, time.perf_counter() - start)
        self.assertFalse(self.env["res.partner"].search_count([("user_id", "=", self.salesman.id)]))
        self.assertEqual(
            self.env["mail.message"].search_count(
                [("model", "=", "res.partner"), ("res_id", "in", customers.ids), ("subject", "like", "Handover")]
            ),
            count,
        )
