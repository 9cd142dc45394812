"""Care rules and actions: who sees and changes what."""

from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TODAY, CustomerCareCase


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
