from datetime import date, datetime

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CustomerRelationshipCase

# Model-level rights of each profile (r read, w write, c create, u unlink); also in README, "Access".
PROFILES = ("portal", "public", "internal", "own", "all", "manager")
MATRIX = {
    "customer.tier": ("", "", "", "r", "r", "rwcu"),
    "customer.account": ("", "", "", "r", "r", "rwc"),
    "customer.tier.history": ("", "", "", "r", "r", "ru"),
    "customer.tier.recompute": ("", "", "", "", "", "rwcu"),
    "customer.tier.recompute.line": ("", "", "", "", "", "rwcu"),
    "customer.visit": ("", "", "", "rwcu", "rwcu", "rwcu"),
    "customer.visit.purpose": ("", "", "", "r", "r", "rwcu"),
    "customer.visit.log": ("", "", "", "rwc", "rwc", "rwc"),
    "customer.visit.log.line": ("", "", "", "rwcu", "rwcu", "rwcu"),
    "customer.visit.plan": ("", "", "", "rwc", "rwc", "rwc"),
    "customer.visit.plan.line": ("", "", "", "rwcu", "rwcu", "rwcu"),
    "customer.care.rule": ("", "", "", "r", "r", "rwcu"),
    "customer.care.rule.preview": ("", "", "", "", "", "rwcu"),
    "customer.care.rule.preview.line": ("", "", "", "", "", "rwcu"),
    "customer.care.action": ("", "", "", "rw", "rw", "rwcu"),
    "customer.care.holiday": ("", "", "r", "r", "r", "rwcu"),
    "customer.interest.tag": ("", "", "r", "rwc", "rwc", "rwcu"),
    "customer.relationship.level.change": ("", "", "", "rwc", "rwc", "rwc"),
    "customer.tier.set": ("", "", "", "", "", "rwc"),
    "customer.loss.reason": ("", "", "", "r", "r", "rwcu"),
    "customer.loss.mark": ("", "", "", "", "", "rwc"),
    "customer.handover": ("", "", "", "", "", "rwc"),
    "customer.retention.report": ("", "", "", "r", "r", "r"),
    "customer.effort.report": ("", "", "", "r", "r", "r"),
    "customer.prediction.model": ("", "", "", "r", "r", "r"),
    "customer.prediction.check": ("", "", "", "", "", "rcu"),
    "customer.prediction.check.line": ("", "", "", "", "", "rcu"),
    "customer.pool": ("", "", "", "r", "r", "rwcu"),
    "customer.pool.rule": ("", "", "", "r", "r", "rwcu"),
    "customer.owner.history": ("", "", "", "r", "r", "r"),
    "customer.pool.release": ("", "", "", "rwc", "rwc", "rwc"),
    "customer.pool.assign": ("", "", "", "", "", "rwc"),
    "customer.worklist": ("", "", "", "r", "r", "r"),
}
MODES = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.users = {
            "portal": new_test_user(cls.env, "cr_portal", groups="base.group_portal", **companies),
            "public": cls.env.ref("base.public_user"),
            "internal": new_test_user(cls.env, "cr_internal", groups="base.group_user", **companies),
            "own": cls.salesman,
            "all": cls.salesman_all,
            "manager": cls.manager,
        }
        cls.manager_eu = new_test_user(
            cls.env,
            "cr_manager_eu",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_eu.id,
            company_ids=[(6, 0, cls.company_eu.ids)],
        )

    def test_every_model_of_the_addon_is_in_the_matrix(self):
        models = self.env["ir.model.data"].search(
            [("module", "=", "customer_relationship"), ("model", "=", "ir.model")]
        )
        own = {
            model.model
            for model in self.env["ir.model"].browse(models.mapped("res_id"))
            if model.model.startswith("customer.") and not self.env[model.model]._abstract
        }
        self.assertEqual(own, set(MATRIX))

    def test_model_rights_of_each_profile(self):
        for model, rights in MATRIX.items():
            for profile, allowed in zip(PROFILES, rights, strict=True):
                access = self.env(user=self.users[profile])["ir.model.access"]
                for letter, mode in MODES.items():
                    with self.subTest(model=model, profile=profile, mode=mode):
                        self.assertEqual(access.check(model, mode, raise_exception=False), letter in allowed)

    def test_other_company_records_are_invisible(self):
        """A manager of another company sees none of this company's records."""
        customer = self._create_customers("Matrix Co")
        self._create_orders([(customer, 100, date(2026, 5, 1))])
        self._recompute(self.company, date(2026, 6, 30))
        visit = self.env["customer.visit"].create(
            {
                "partner_id": customer.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 6, 1, 9),
            }
        )
        rule = self.env["customer.care.rule"].create(
            {"name": "Matrix rule", "company_id": self.company.id, "trigger": "relationship_gap", "lead_days": 0}
        )
        action = rule._generate_actions(date(2026, 6, 30))
        history = customer.customer_tier_history_ids
        own_tier = self.env["customer.tier"].create(
            {"name": "Matrix tier", "code": "M", "share_limit": 100, "company_id": self.company.id}
        )
        prediction = self.env["customer.prediction.model"].search([("company_id", "=", self.company.id)])
        check = self.env["customer.prediction.check"]._run(self.company, date(2026, 6, 30))
        self.assertTrue(action and history and prediction)
        for record in (visit, rule, action, history, own_tier, prediction, check):
            with self.subTest(model=record._name):
                self.assertTrue(record.with_user(self.manager).has_access("read"))
                self.assertFalse(record.with_user(self.manager_eu).has_access("read"))
                with self.assertRaises(AccessError):
                    record.with_user(self.manager_eu).read(["display_name"])

    def test_own_and_all_customers(self):
        """Salespeople reach their customers' visits and care actions; 'all' reads everyone's."""
        mine, theirs = self._create_customers("Matrix Mine", "Matrix Theirs")
        theirs.user_id = self.salesman_other
        self._create_orders([(mine, 100, date(2026, 5, 1)), (theirs, 100, date(2026, 5, 1))])
        self._recompute(self.company, date(2026, 6, 30))
        rule = self.env["customer.care.rule"].create(
            {"name": "Matrix gap", "company_id": self.company.id, "trigger": "relationship_gap", "lead_days": 0}
        )
        actions = rule._generate_actions(date(2026, 6, 30))
        mine_action = actions.filtered(lambda a: a.partner_id == mine)
        theirs_action = actions.filtered(lambda a: a.partner_id == theirs)
        self.assertTrue(mine_action.with_user(self.salesman).has_access("write"))
        self.assertFalse(theirs_action.with_user(self.salesman).has_access("read"))
        self.assertTrue(theirs_action.with_user(self.salesman_all).has_access("read"))
        self.assertFalse(theirs_action.with_user(self.salesman_all).has_access("write"))
        self.assertTrue(theirs_action.with_user(self.manager).has_access("write"))
