"""What each group may do with each model of the addon, tried: every user reads, writes, creates
and deletes a record of every model, and is refused (AccessError) where the group may not.

The expectations are a few sentences per group (below), not the table of security/ir.model.access.csv:
a model added to the addon is checked against them without a new line here."""

from contextlib import closing
from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CustomerRelationshipCase

OPERATIONS = ("read", "write", "create", "unlink")

# Computed by the addon: every salesperson and manager reads them, nobody changes them by hand.
COMPUTED = {
    "customer.retention.report",
    "customer.effort.report",
    "customer.worklist",
    "customer.prediction.model",
    "customer.prediction.check.series",
    "customer.owner.history",
}
# What managers set up; salespeople read it.
CONFIGURATION = {
    "customer.tier",
    "customer.visit.purpose",
    "customer.care.rule",
    "customer.loss.reason",
    "customer.pool",
    "customer.pool.rule",
}
# The salesperson's own work: visits and the lines of the visit wizards.
FIELD_WORK = {"customer.visit", "customer.visit.log.line", "customer.visit.plan.line"}
# Wizards a salesperson opens (a transient record is not deleted by hand).
SALES_WIZARDS = {
    "customer.visit.log",
    "customer.visit.plan",
    "customer.relationship.level.change",
    "customer.pool.release",
}
# Managers only: recomputing tiers, setting a tier by hand, previewing rules, marking customers
# lost, handing over, assigning pooled customers, checking the prediction.
MANAGER_TOOLS = {
    "customer.tier.recompute",
    "customer.tier.recompute.line",
    "customer.tier.set",
    "customer.care.rule.preview",
    "customer.care.rule.preview.line",
    "customer.loss.mark",
    "customer.handover",
    "customer.pool.assign",
    "customer.prediction.check",
    "customer.prediction.check.line",
    "customer.prediction.check.series",
}
# Kept as written: a tier move, an account (its figures are computed; managers correct its person),
# a prediction check (its lines are its result).
NOT_REWRITTEN = {"customer.tier.history", "customer.prediction.check", "customer.prediction.check.line"}
NOT_DELETED = {
    "customer.account",
    "customer.loss.mark",
    "customer.handover",
    "customer.pool.assign",
    "customer.tier.set",
}
NOT_CREATED = {"customer.tier.history"}


def expectations(models):
    """``{group: {operation: models allowed}}`` over ``models``, the addon's models."""
    sales_read = models - MANAGER_TOOLS
    sales = {
        "read": sales_read,
        # Care actions are the salesperson's to carry out (done, skipped), not to create or delete;
        # interest tags are typed in on the customer form.
        "write": FIELD_WORK | SALES_WIZARDS | {"customer.care.action", "customer.interest.tag"},
        "create": FIELD_WORK | SALES_WIZARDS | {"customer.interest.tag"},
        "unlink": FIELD_WORK,
    }
    managed = models - COMPUTED
    return {
        # Outside the sales team: nothing, but every employee reads the interest tags and the
        # public holidays (shown on partners and calendars).
        "portal": {},
        "public": {},
        "internal": {"read": {"customer.interest.tag", "customer.care.holiday"}},
        "own": sales,
        "all": sales,
        "manager": {
            "read": models,
            "write": managed - NOT_REWRITTEN,
            "create": managed - NOT_CREATED,
            "unlink": managed - NOT_DELETED - SALES_WIZARDS,
        },
    }


@tagged("post_install", "-at_install")
class TestAccessRights(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.users = {
            "portal": new_test_user(cls.env, "cr_portal", groups="base.group_portal", **companies),
            "public": cls.env.ref("base.public_user"),
            "internal": new_test_user(cls.env, "cr_internal", groups="base.group_user", **companies),
            "own": cls.salesman,
            "all": cls.salesman_all,
            "manager": cls.manager,
        }
        # Each salesperson works on a customer of their own (salespeople of "all customers" change
        # only their own records).
        cls.customers = {
            group: cls._create_customers(
                f"Access {group}", user_id=(user if group in ("own", "all", "manager") else cls.salesman).id
            )
            for group, user in cls.users.items()
        }
        cls._create_orders([(customer, 100, date(2026, 5, 1)) for customer in cls.customers.values()])
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 6, 30))
        cls.pool = cls.env["customer.pool"].create({"name": "Access Pool", "company_id": cls.company.id})
        # A prediction check with a decile: its graph's two series.
        check = cls.env["customer.prediction.check"].create({"company_id": cls.company.id, "state": "done"})
        cls.env["customer.prediction.check.line"].create({"check_id": check.id, "kind": "decile", "decile": 1})
        cls.rule = cls.env["customer.care.rule"].create(
            {"name": "Access rule", "company_id": cls.company.id, "trigger": "relationship_gap", "lead_days": 0}
        )
        cls.reason = cls.env["customer.loss.reason"].create({"name": "Access reason"})
        cls.models = {
            model.model
            for model in cls.env["ir.model"].search([("model", "=like", "customer.%")])
            if "customer_relationship" in model.modules.split(", ") and not cls.env[model.model]._abstract
        }

    def _values(self, model, group, shared=False):
        """Values of a new record of ``model`` for a user of ``group``, on that user's customer
        (``shared``: beside the record of the same model a user creates; one tier set a company)."""
        customer = self.customers[group]
        account = self.env["customer.account"]._for_partners(customer, self.company)[customer.id]
        company = {"company_id": self.company.id}
        tier = self.tiers["lead"]
        values = {
            "customer.tier": {
                "name": "Access tier",
                "code": "Z",
                "share_limit": 100,
                "company_id": (self.company_eu if shared else self.company).id,
            },
            "customer.account": lambda: {
                "partner_id": self.env["res.partner"].create({"name": "Access account", "is_company": True}).id,
                **company,
            },
            "customer.tier.history": {"partner_id": customer.id, "new_tier_id": tier.id, "direction": "new", **company},
            "customer.tier.recompute": company,
            "customer.tier.recompute.line": lambda: {
                "wizard_id": self._sample("customer.tier.recompute", group).id,
                "tier_id": tier.id,
            },
            "customer.visit": {
                "partner_id": customer.id,
                "user_id": customer.user_id.id,
                "planned_start": datetime(2026, 7, 1, 9),
                **company,
            },
            "customer.visit.purpose": {"name": "Access purpose"},
            "customer.visit.log": {"partner_id": customer.id, "notes": "<p>Met the buyer.</p>"},
            "customer.visit.log.line": lambda: {
                "wizard_id": self._sample("customer.visit.log", group).id,
                "summary": "Send the catalogue",
                "user_id": customer.user_id.id,
            },
            "customer.visit.plan": {"partner_ids": [Command.set(customer.ids)]},
            "customer.visit.plan.line": lambda: {
                "wizard_id": self._sample("customer.visit.plan", group).id,
                "partner_id": customer.id,
            },
            "customer.care.rule": {"name": "Access care", "trigger": "birthday", **company},
            "customer.care.rule.preview": {"rule_id": self.rule.id},
            "customer.care.rule.preview.line": lambda: {
                "wizard_id": self._sample("customer.care.rule.preview", group).id
            },
            "customer.care.action": {
                "rule_id": self.rule.id,
                "action": "activity",
                "partner_id": customer.id,
                "occurrence_date": date(2026, 7, 1),
                "due_date": date(2026, 7, 1),
                "user_id": customer.user_id.id,
                **company,
            },
            "customer.care.holiday": {
                "name": "Access Day",
                "country_id": self.env.ref("base.cn").id,
                "code": "Shared Access Day" if shared else "Access Day",
            },
            "customer.interest.tag": {"name": "Access interest"},
            "customer.relationship.level.change": {
                "partner_id": customer.id,
                "new_level": "proactive",
                "reason": "Weekly calls",
            },
            "customer.tier.set": {"partner_id": customer.id, "tier_id": self.tiers["gold"].id, "reason": "Strategic"},
            "customer.loss.reason": {"name": "Access loss"},
            "customer.loss.mark": {"partner_ids": [Command.set(customer.ids)], "reason_id": self.reason.id},
            "customer.handover": {"from_user_id": self.salesman.id, "to_user_id": self.salesman_other.id, **company},
            "customer.prediction.check": company,
            "customer.prediction.check.line": lambda: {
                "check_id": self._sample("customer.prediction.check", group).id,
                "kind": "decile",
                "decile": 1,
            },
            "customer.pool": {"name": "Access pool", **company},
            "customer.pool.rule": {"pool_id": self.pool.id},
            "customer.pool.release": {
                "account_ids": [Command.set(account.ids)],
                "pool_id": self.pool.id,
                "reason": "Moved away",
            },
            "customer.pool.assign": {"account_ids": [Command.set(account.ids)], "user_id": self.salesman.id},
        }.get(model)
        return values() if callable(values) else values

    def _sample(self, model, group, shared=False):
        """A record of ``model`` that a user of ``group`` works on: created for them (a wizard is
        its creator's), or, for what the addon computes, one that it computed."""
        user = self.users[group]
        values = self._values(model, group, shared)
        if values is None:
            record = self.env[model].search([], limit=1)
            self.assertTrue(record, f"no {model} to try")
            return record
        return self.env[model].with_user(user).with_company(self.company).sudo().create(values)

    def _try(self, operation, model, group, sample=None):
        """Run ``operation`` on ``model`` as the user of ``group``, on ``sample`` or on a record of
        their own."""
        records = self.env[model].with_user(self.users[group]).with_company(self.company)
        if operation == "create":
            values = self._values(model, group)
            records.create(values if values is not None else {})
            return
        sample = (sample or self._sample(model, group)).with_env(records.env)
        if operation == "read":
            # the rights of the group: record rules may hide the sample (they are tried below)
            records.search([("id", "=", sample.id)]).read(["display_name"])
        elif operation == "write":
            sample.write({})
        else:
            sample.unlink()
        self.env.flush_all()

    def test_each_group_does_what_it_may_and_is_refused_the_rest(self):
        self.assertIn("customer.visit", self.models)
        # What a user may not do is refused whatever the record: one record of each model will do.
        anyone = {model: self._sample(model, "internal", shared=True) for model in self.models}
        for group, allowed in expectations(self.models).items():
            for model in sorted(self.models):
                for operation in OPERATIONS:
                    may = model in allowed.get(operation, ())
                    with (
                        self.subTest(group=group, model=model, operation=operation, allowed=may),
                        closing(self.env.cr.savepoint()),
                    ):
                        if may:
                            self._try(operation, model, group)
                        else:
                            with self.assertRaises(AccessError):
                                self._try(operation, model, group, anyone[model])


@tagged("post_install", "-at_install")
class TestAccessCompaniesAndCustomers(CustomerRelationshipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager_eu = new_test_user(
            cls.env,
            "cr_manager_eu",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_eu.id,
            company_ids=[(6, 0, cls.company_eu.ids)],
        )

    def test_sales_groups_imply_customer_relationship_groups(self):
        """An existing salesperson gets the matching addon level without extra clicks."""
        self.assertTrue(self.salesman.has_group("customer_relationship.group_customer_relationship_user"))
        self.assertFalse(self.salesman.has_group("customer_relationship.group_customer_relationship_user_all"))
        self.assertTrue(self.salesman_all.has_group("customer_relationship.group_customer_relationship_user_all"))
        self.assertFalse(self.salesman_all.has_group("customer_relationship.group_customer_relationship_manager"))
        self.assertTrue(self.manager.has_group("customer_relationship.group_customer_relationship_manager"))

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
