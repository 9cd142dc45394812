from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CustomerRelationshipCase

# The addon's views of customers; each one's domain scopes what a salesperson of own customers sees.
CUSTOMER_ACTIONS = (
    "res_partner_customer_action",
    "res_partner_tier_analysis_action",
    "res_partner_pareto_action",
    "res_partner_relationship_action",
    "res_partner_lost_action",
    "res_partner_referral_action",
)


@tagged("post_install", "-at_install")
class TestAccessSurfaces(CustomerRelationshipCase):
    """What "User: Own Customers" means on every surface of the addon (README, "Access"): their
    own accounts in the company, nothing of another salesperson's customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._create_customers("Own Surface Co")
        cls.theirs = cls._create_customers("Their Surface Co", user_id=cls.salesman_other.id)
        cls._create_orders([(cls.mine, 400, date(2026, 5, 1)), (cls.theirs, 600, date(2026, 5, 1))])
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 6, 30))
        # Both lost (the Lost Customers report) and referred (Referrals): every report has both.
        reason = cls.env.ref("customer_relationship.customer_loss_reason_price")
        for customer in cls.mine | cls.theirs:
            cls._set_account(customer, loss_reason_id=reason.id, loss_date=date(2026, 6, 1))
        (cls.mine | cls.theirs).referred_by_id = cls._create_customers("Referrer Surface Co")

    def _as(self, user, records):
        return records.with_user(user).with_company(self.company)

    def _action_partners(self, user, xmlid):
        """The customers ``user`` finds in the action, whatever facets they remove."""
        partners = self._as(user, self.env["res.partner"])
        if xmlid == "res_partner_customer_action":
            action = partners.action_open_customers()
        else:
            action = partners.env["ir.actions.act_window"]._for_xml_id(f"customer_relationship.{xmlid}")
        domain = safe_eval(action["domain"], {"uid": user.id})
        return partners.search(domain)

    def test_customer_views_and_reports_show_own_customers_only(self):
        for xmlid in CUSTOMER_ACTIONS:
            with self.subTest(action=xmlid):
                seen = self._action_partners(self.salesman, xmlid)
                self.assertIn(self.mine, seen)
                self.assertNotIn(self.theirs, seen)
                self.assertTrue(all(seen.mapped("customer_account_visible")))
                everyone = self._action_partners(self.manager, xmlid)
                self.assertIn(self.theirs, everyone)
                self.assertIn(self.theirs, self._action_partners(self.salesman_all, xmlid))

    def test_a_customer_created_in_the_customers_view_is_its_creators(self):
        """Else a salesperson's new customer would leave their Customers view as it is saved."""
        self.salesman.group_ids = [Command.link(self.env.ref("base.group_partner_manager").id)]  # may create contacts
        action = self._as(self.salesman, self.env["res.partner"]).action_open_customers()
        partners = self._as(self.salesman, self.env["res.partner"]).with_context(**action["context"])
        created = partners.create({"name": "Created Here Co"})
        self.assertEqual(created.user_id, self.salesman)
        self.assertIn(created, partners.search(safe_eval(action["domain"], {"uid": self.salesman.id})))

    def test_pivots_count_own_customers_only(self):
        """Tier Analysis and the Relationship Matrix: the groups add up the user's customers."""
        partners = self._as(self.salesman, self.env["res.partner"])
        action = partners.env["ir.actions.act_window"]._for_xml_id(
            "customer_relationship.res_partner_relationship_action"
        )
        domain = safe_eval(action["domain"], {"uid": self.salesman.id})
        groups = partners.formatted_read_group(domain, ["relationship_level"], ["__count", "customer_value:sum"])
        self.assertEqual(sum(group["__count"] for group in groups), partners.search_count(domain))
        self.assertEqual(
            partners.search_count(domain), partners.search_count([*domain, ("user_id", "=", self.salesman.id)])
        )

    def test_form_hides_another_salespersons_account(self):
        theirs, mine = self._as(self.salesman, self.theirs), self._as(self.salesman, self.mine)
        self.assertFalse(theirs.customer_account_visible)
        self.assertEqual(
            (theirs.customer_tier_id, theirs.customer_value, theirs.rfm_segment),
            (self.env["customer.tier"], 0.0, False),
        )
        self.assertFalse(theirs.loss_reason_id)
        self.assertTrue(mine.customer_account_visible)
        self.assertTrue(mine.customer_tier_id)
        self.assertEqual(mine.customer_value, 400)
        # Its contacts alike; the tab is hidden by the flag.
        self.assertFalse(self._as(self.salesman, self.theirs.child_ids).customer_account_visible)
        arch = self.env["res.partner"].get_view(self.env.ref("base.view_partner_form").id)["arch"]
        self.assertIn("not customer_account_visible", arch)
        # Managers and readers of all customers see it; the sale order badge (a related field) too.
        for user in (self.manager, self.salesman_all):
            self.assertEqual(self._as(user, self.theirs).customer_value, 600)
        order = self._create_orders([(self.theirs, 10, date(2026, 6, 1))], confirm=False)
        self.assertTrue(order.with_user(self.salesman_all).customer_tier_id)

    def test_my_day_and_dashboard_of_own_portfolio(self):
        rule = self.env["customer.care.rule"].create(
            {"name": "Surface call", "trigger": "cadence", "action": "activity", "active": False}
        )
        today = date.today()
        self.env["customer.care.action"].create(
            [
                {
                    "rule_id": rule.id,
                    "company_id": self.company.id,
                    "action": "activity",
                    "partner_id": customer.id,
                    "occurrence_date": today,
                    "due_date": today,
                    "user_id": user.id,
                }
                for customer, user in ((self.mine, self.salesman), (self.theirs, self.salesman_other))
            ]
        )
        day = self._as(self.salesman, self.env["customer.worklist"]).search([])
        self.assertIn(self.mine, day.partner_id)
        self.assertNotIn(self.theirs, day.partner_id)
        self.assertIn(self.theirs, self._as(self.manager, self.env["customer.worklist"]).search([]).partner_id)
        # The managers' spreadsheet dashboard is for managers; its charts read the accounts the
        # reader may see.
        dashboard = self.env.ref("customer_relationship.spreadsheet_dashboard_customer_relationship")
        self.assertFalse(self._as(self.salesman, dashboard).search([("id", "=", dashboard.id)]))
        self.assertTrue(self._as(self.manager, dashboard).search([("id", "=", dashboard.id)]))
        accounts = self._as(self.salesman, self.env["customer.account"])._read_group([], ["partner_id"], ["value:sum"])
        self.assertNotIn(self.theirs, [partner for partner, _value in accounts])

    def test_retention_rows_of_own_customers_only(self):
        report = self.env["customer.retention.report"]
        report._refresh_company(self.company, date(2026, 6, 30))
        rows = self._as(self.salesman, report).search([])
        self.assertEqual(rows.partner_id, self.mine)
        self.assertIn(self.theirs, self._as(self.manager, report).search([]).partner_id)

    def test_tier_changes_and_effort_of_own_customers_only(self):
        history = self._as(self.salesman, self.env["customer.tier.history"]).search([])
        self.assertIn(self.mine, history.partner_id)
        self.assertNotIn(self.theirs, history.partner_id)
        self.assertIn(self.theirs, self._as(self.salesman_all, self.env["customer.tier.history"]).search([]).partner_id)
        effort = self._as(self.salesman, self.env["customer.effort.report"]).search([])
        self.assertEqual(set(effort.user_id.ids), {self.salesman.id})
        self.assertEqual(sum(effort.mapped("customer_value")), 400)

    def test_visit_on_another_salespersons_customer_is_refused(self):
        log = self._as(self.salesman, self.env["customer.visit.log"]).create(
            {"partner_id": self.theirs.id, "notes": "<p>Dropped by</p>", "done_date": datetime(2026, 6, 1, 10)}
        )
        with self.assertRaisesRegex(AccessError, "Their Surface Co is another salesperson's customer"):
            log.action_log()
        visits = self._as(self.salesman, self.env["customer.visit"])
        with self.assertRaisesRegex(AccessError, "another salesperson's customer"):
            visits.create({"partner_id": self.theirs.child_ids.id, "planned_start": datetime(2026, 7, 1, 10)})
        self.assertTrue(visits.create({"partner_id": self.mine.id, "planned_start": datetime(2026, 7, 1, 10)}))
        # A manager records a visit for the customer's salesperson.
        self._as(self.manager, self.env["customer.visit"]).create(
            {"partner_id": self.theirs.id, "user_id": self.salesman_other.id, "planned_start": datetime(2026, 7, 1, 10)}
        )

    def test_care_action_on_another_salespersons_customer_is_refused(self):
        rule = self.env["customer.care.rule"].create(
            {"name": "Surface call", "trigger": "birthday", "action": "activity", "company_id": self.company.id}
        )
        actions = self.env["customer.care.action"].create(
            [
                {
                    "rule_id": rule.id,
                    "company_id": self.company.id,
                    "action": "activity",
                    "partner_id": customer.id,
                    "user_id": customer.user_id.id,
                    "occurrence_date": date(2026, 7, 1),
                    "due_date": date(2026, 7, 1),
                }
                for customer in (self.mine, self.theirs)
            ]
        )
        own, foreign = self._as(self.salesman, actions)
        self.assertEqual(self._as(self.salesman, actions.browse()).search([("id", "in", actions.ids)]), own)
        with self.assertRaisesRegex(AccessError, "another salesperson's customer"):
            foreign.action_mark_done()
        own.action_mark_done()
        self.assertEqual(own.state, "done")

    def test_rules_follow_the_salesperson_in_the_records_company(self):
        """Visits and tier history of a customer given to another salesperson in a second company
        are theirs there, although Odoo's salesperson of the partner is the salesman."""
        self.salesman.company_ids = [Command.link(self.company_eu.id)]
        self.salesman_other.company_ids = [Command.link(self.company_eu.id)]
        self.env["customer.account"]._for_partners(self.mine, self.company_eu)[
            self.mine.id
        ].user_id = self.salesman_other
        visits = self.env["customer.visit"]
        here = visits.create(
            {"partner_id": self.mine.id, "company_id": self.company.id, "planned_start": datetime(2026, 7, 1, 10)}
        )
        there = visits.create(
            {
                "partner_id": self.mine.id,
                "company_id": self.company_eu.id,
                "user_id": self.salesman_other.id,
                "planned_start": datetime(2026, 7, 1, 10),
            }
        )
        both = [self.company.id, self.company_eu.id]
        seen = (
            visits.with_user(self.salesman)
            .with_context(allowed_company_ids=both)
            .search([("id", "in", (here | there).ids)])
        )
        self.assertEqual(seen, here)
        with self.assertRaisesRegex(AccessError, "another salesperson's customer"):
            visits.with_user(self.salesman).with_company(self.company_eu).create(
                {
                    "partner_id": self.mine.id,
                    "company_id": self.company_eu.id,
                    "planned_start": datetime(2026, 7, 1, 10),
                }
            )

    def test_level_and_figures_change_only_through_the_addon(self):
        for user in (self.salesman, self.manager):
            for values in (
                {"relationship_level": "partnership"},
                {"loss_reason_id": False},
                {"customer_account_user_id": user.id},
            ):
                with (
                    self.subTest(user=user.login, values=values),
                    self.assertRaisesRegex(AccessError, "change only through"),
                ):
                    self._as(user, self.theirs).write(values)
        with self.assertRaisesRegex(AccessError, "change only through"):
            self._as(self.salesman, self.env["res.partner"]).create(
                {"name": "Sneaky Co", "relationship_level": "partnership"}
            )
        account = self.env["customer.account"].search(
            [("partner_id", "=", self.theirs.id), ("company_id", "=", self.company.id)]
        )
        with self.assertRaisesRegex(AccessError, "change only through"):
            account.with_user(self.manager).write({"relationship_level": "partnership", "value": 1})
        with self.assertRaisesRegex(AccessError, "change only through"):
            self.env["customer.account"].with_user(self.manager).create(
                {"partner_id": self.theirs.id, "company_id": self.company_eu.id, "relationship_level": "partnership"}
            )
        # The level-change dialog: the customer's salesperson in the company or a manager, with its record.
        change = self.env["customer.relationship.level.change"]
        wizard = self._as(self.salesman, change).create(
            {"partner_id": self.theirs.id, "new_level": "partnership", "reason": "x"}
        )
        with self.assertRaisesRegex(AccessError, "Only the salesperson"):
            wizard.action_apply()
        self._as(self.salesman_other, change).create(
            {"partner_id": self.theirs.id, "new_level": "partnership", "reason": "Joint planning"}
        ).action_apply()
        self.assertEqual(self.theirs.with_company(self.company).relationship_level, "partnership")
        self.assertIn("Joint planning", self.theirs.message_ids[0].body)

    def test_account_review_of_another_salespersons_customer_is_refused(self):
        review = self.env["report.customer_relationship.customer_account_review"]
        with self.assertRaises(AccessError):
            review.with_user(self.salesman).with_company(self.company)._check_review_access(self.theirs)
        review.with_user(self.salesman).with_company(self.company)._check_review_access(self.mine)


@tagged("post_install", "-at_install")
class TestAccessThroughRpc(HttpCase):
    """Through JSON-RPC, as the web client or a script would call: the salesperson writes
    nothing of the addon's on another salesperson's customer."""

    def _call(self, model, method, *args):
        """/web/dataset/call_kw as the web client calls it: (result, error message)."""
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 0,
                "params": {"model": model, "method": method, "args": list(args), "kwargs": {}},
            },
            timeout=30,
        ).json()
        return response.get("result"), response.get("error", {}).get("data", {}).get("message")

    def test_rpc_write_of_the_level_is_refused(self):
        salesman = new_test_user(self.env, "cr_rpc_salesman", groups="sales_team.group_sale_salesman")
        other = new_test_user(self.env, "cr_rpc_other", groups="sales_team.group_sale_salesman")
        customer = self.env["res.partner"].create({"name": "RPC Target Co", "is_company": True, "user_id": other.id})
        self.env["customer.account"]._for_partners(customer, self.env.company)
        own = self.env["res.partner"].create({"name": "RPC Own Co", "is_company": True, "user_id": salesman.id})
        self.authenticate("cr_rpc_salesman", "cr_rpc_salesman")
        for partner in (customer, own):
            for values in ({"relationship_level": "partnership"}, {"customer_account_user_id": salesman.id}):
                with self.subTest(partner=partner.name, values=values):
                    result, error = self._call("res.partner", "write", partner.ids, values)
                    self.assertIsNone(result)
                    self.assertIn("change only through", error)
        self.assertEqual(customer.with_company(self.env.company).relationship_level, "basic")
        self.assertEqual(customer.with_company(self.env.company).customer_account_user_id, other)
        # Reading another's customer shows no figure through RPC either.
        rows, _error = self._call("res.partner", "read", customer.ids, ["customer_account_visible", "customer_value"])
        self.assertEqual(rows[0]["customer_account_visible"], False)


@tagged("post_install", "-at_install")
class TestAccessOfFigures(CustomerRelationshipCase):
    def test_searching_and_summing_figures_leaves_others_accounts_out(self):
        """Through RPC, a salesperson who searches, groups or sums the figures over every
        customer (no action domain) finds nothing of another salesperson's accounts."""
        mine = self._create_customers("Figures Own Co")
        theirs = self._create_customers("Figures Their Co", user_id=self.salesman_other.id)
        self._create_orders([(mine, 100, date(2026, 5, 1)), (theirs, 900, date(2026, 5, 1))])
        self._recompute()
        partners = self.env["res.partner"].with_company(self.company)
        domain = [("id", "in", (mine | theirs).ids)]
        for user, expected in ((self.salesman, 100), (self.salesman_all, 1000), (self.manager, 1000)):
            with self.subTest(user=user.login):
                [(total,)] = partners.with_user(user)._read_group(domain, [], ["customer_value:sum"])
                self.assertEqual(total, expected)
        salesman = partners.with_user(self.salesman)
        self.assertEqual(salesman.search([*domain, ("customer_value", ">", 0)]), mine)
        self.assertEqual(salesman.search([*domain, ("customer_tier_id", "!=", False)]), mine)
        # Whose customer it is stays what Odoo shows of a partner: "My Customers" still finds mine only.
        self.assertEqual(salesman.search([*domain, ("customer_account_user_id", "=", self.salesman.id)]), mine)
        self.assertEqual(salesman.search([*domain, ("customer_account_user_id", "=", self.salesman_other.id)]), theirs)


@tagged("post_install", "-at_install")
class TestAccessTour(HttpCase):
    def test_salesperson_sees_no_other_customer_in_the_browser(self):
        salesman = new_test_user(self.env, "cr_tour_salesman", groups="sales_team.group_sale_salesman")
        other = self.env.ref("base.user_admin")
        own, theirs = self.env["res.partner"].create(
            [
                {"name": "Access Own Co", "is_company": True, "customer_rank": 1, "user_id": salesman.id},
                {"name": "Access Their Co", "is_company": True, "customer_rank": 1, "user_id": other.id},
            ]
        )
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        self.start_tour("/odoo", "customer_access_customers_tour", login=salesman.login)
        self.start_tour(f"/odoo/res.partner/{theirs.id}", "customer_access_form_tour", login=salesman.login)
        self.assertTrue(own.with_user(salesman).customer_account_visible)
