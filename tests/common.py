import threading
import time as clock
from datetime import date, datetime, time

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.tests import Form, TransactionCase, new_test_user
from odoo.tools import SQL

# The day the care tests run their rules, unless a test says otherwise.
TODAY = date(2026, 6, 30)


class ConcurrentWorkersMixin:
    """Two workers on their own database connections, outside the test's transaction: what
    they share must be committed by the test, and deleted afterwards."""

    # What committed work leaves besides the records a fixture deletes: the chatter of the
    # customers and orders, and the tier history of the customers it reclassified.
    LEFT_BEHIND_TABLES = ("mail_message", "mail_followers", "customer_tier_history")

    def setUp(self):
        super().setUp()
        # The test commits: whatever it leaves in these tables is deleted, so that the tests after
        # it find the database as it was (even when the test fails halfway).
        with self._cursor() as cr:
            last_id = (SQL("(SELECT COALESCE(MAX(id), 0) FROM %s)", SQL.identifier(t)) for t in self.LEFT_BEHIND_TABLES)
            cr.execute(SQL("SELECT %s", SQL(", ").join(last_id)))
            last_ids = cr.fetchone()
        self.addCleanup(self._delete_left_behind, dict(zip(self.LEFT_BEHIND_TABLES, last_ids, strict=True)))

    def _delete_left_behind(self, last_ids):
        with self._cursor() as cr:
            for table, last_id in last_ids.items():
                cr.execute(SQL("DELETE FROM %s WHERE id > %s", SQL.identifier(table), last_id))
            cr.commit()  # pylint: disable=invalid-commit

    def _cursor(self):
        cr = sql_db.db_connect(self.env.cr.dbname).cursor()
        # never wait forever on a lock held by the test's own transaction
        cr.execute("SET lock_timeout = '20s'")
        return cr

    def _worker_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _run_behind(self, cr_first, cr_second, function):
        """Run ``function`` as the second worker while the first holds its uncommitted work:
        wait until the second is blocked on the first's locks, commit the first, and return the
        second's outcome, ``{"result": ...}`` or ``{"error": ...}``."""
        outcome = {}

        def run_second():
            try:
                outcome["result"] = function()
            except Exception as error:  # the outcome is asserted by the caller
                outcome["error"] = error

        worker = threading.Thread(target=run_second)
        worker.start()
        second_pid = cr_second._cnx.get_backend_pid()
        for _attempt in range(200):
            cr_first.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid])
            if cr_first.fetchone()[0] == "Lock":
                break
            clock.sleep(0.05)
        else:
            self.fail("the second worker did not wait for the first one")
        cr_first.commit()  # pylint: disable=invalid-commit
        worker.join(60)
        self.assertFalse(worker.is_alive())
        return outcome


class CustomerRelationshipCase(TransactionCase):
    """Two companies (USD and EUR), salespeople of each addon level, and helpers that create
    customers with contacts and confirmed orders at given dates, amounts and currencies.

    The companies are new, so the demo data of the main company never enters their figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.company, cls.company_eu = cls.env["res.company"].create(
            [
                {"name": "CR Test Shanghai", "currency_id": cls.usd.id},
                {"name": "CR Test Hamburg", "currency_id": cls.eur.id},
            ]
        )
        # 1 USD buys 0.5 EUR in the USD company: a 1,000 EUR order is worth 2,000 USD there.
        cls.env["res.currency.rate"].create(
            {"currency_id": cls.eur.id, "company_id": cls.company.id, "name": date(2020, 1, 1), "rate": 0.5}
        )
        cls.pricelists = {
            currency: cls.env["product.pricelist"].create(
                {"name": f"CR {currency.name}", "currency_id": currency.id, "company_id": False}
            )
            for currency in (cls.usd, cls.eur)
        }
        cls.product = cls.env["product.product"].create(
            {"name": "CR Service", "type": "service", "list_price": 100, "taxes_id": [Command.clear()]}
        )
        companies = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.salesman = new_test_user(cls.env, "cr_salesman", groups="sales_team.group_sale_salesman", **companies)
        cls.salesman_other = new_test_user(
            cls.env, "cr_salesman_2", groups="sales_team.group_sale_salesman", **companies
        )
        cls.salesman_all = new_test_user(
            cls.env, "cr_salesman_all", groups="sales_team.group_sale_salesman_all_leads", **companies
        )
        cls.manager = new_test_user(cls.env, "cr_manager", groups="sales_team.group_sale_manager", **companies)
        cls.tiers = {
            code: cls.env.ref(f"customer_relationship.customer_tier_{code}")
            for code in ("platinum", "gold", "iron", "lead")
        }

    @classmethod
    def _create_customers(cls, *names, **vals):
        """Companies with one contact person each, owned by the salesman unless told otherwise."""
        # Created in the company of the tests: a relationship level given here is its level there.
        customers = (
            cls.env["res.partner"]
            .with_company(cls.company)
            .create([{"name": name, "is_company": True, "user_id": cls.salesman.id, **vals} for name in names])
            .with_env(cls.env)
        )
        cls.env["res.partner"].create(
            [{"name": f"Buyer of {customer.name}", "parent_id": customer.id} for customer in customers]
        )
        return customers

    @classmethod
    def _set_account(cls, partner, company=None, **values):
        """Write figures of ``partner``'s account in ``company`` (the tests' company by default),
        as the recomputation would have computed them."""
        company = company or cls.company
        account = cls.env["customer.account"]._for_partners(partner, company)[partner.commercial_partner_id.id]
        account.write(values)
        return account

    @classmethod
    def _create_orders(cls, specs, company=None, confirm=True):
        """``specs``: (partner, untaxed amount, order date[, currency]) tuples. Orders are
        confirmed (unless ``confirm`` is false) and then dated, as Odoo dates them at confirmation."""
        company = company or cls.company
        orders = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "pricelist_id": cls.pricelists[spec[3] if len(spec) > 3 else company.currency_id].id,
                        "order_line": [
                            Command.create({"product_id": cls.product.id, "price_unit": amount, "tax_ids": []})
                        ],
                    }
                    for spec in specs
                    for partner, amount in [spec[:2]]
                ]
            )
        )
        if confirm:
            orders.action_confirm()
        for order, spec in zip(orders, specs, strict=True):
            order.date_order = datetime.combine(spec[2], time(10))
        return orders

    def _recompute(self, company=None, today=date(2026, 6, 30)):
        return self.env["customer.tier"]._recompute_company_tiers(company or self.company, today)

    def _tier_dialog(self, partner, user=None, company=None):
        """The Set Tier dialog of ``partner``'s form, as ``user`` (a manager by default) opens it."""
        wizards = self.env["customer.tier.set"].with_user(user or self.manager).with_company(company or self.company)
        return Form(wizards.with_context(default_partner_id=partner.id))

    def _set_tier(self, partner, tier, reason, user=None, company=None):
        """Set ``partner``'s tier by hand, with ``reason``, in the Set Tier dialog."""
        with self._tier_dialog(partner, user, company) as dialog:
            dialog.tier_id = tier
            dialog.reason = reason
        return dialog.record.action_apply()


class CustomerCareCase(CustomerRelationshipCase):
    """Rules of the test company over its own customers. Demo customers (``customer_rank`` and no
    company) are classified in every company too, so assertions look at the test's customers."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.birthday_template = cls.env.ref("customer_relationship.mail_template_care_birthday")
        cls.Action = cls.env["customer.care.action"]

    def _rule(self, **vals):
        return self.env["customer.care.rule"].create(
            {
                "name": f"Care: {vals.get('trigger', 'birthday')}",
                "company_id": self.company.id,
                "trigger": "birthday",
                "lead_days": 7,
                "action": "activity",
                "activity_type_id": self.call.id,
                "summary": "Care call",
                "responsible": "salesperson",
                "user_id": self.manager.id,
                **vals,
            }
        )

    def _tiered(self, *names, today=TODAY, **vals):
        """Customers without orders, classified in the test company (lowest tier)."""
        customers = self._create_customers(*names, customer_rank=1, **vals)
        self._recompute(self.company, today)
        return customers

    def _actions(self, rule, customers):
        return self.Action.search([("rule_id", "in", rule.ids), ("partner_id", "in", customers.ids)])

    def _events(self, actions):
        """(customer, contact, occurrence, due date) of each action, sorted."""
        return sorted(
            ((a.partner_id.name, a.contact_id.name or False, a.occurrence_date, a.due_date) for a in actions),
            key=str,
        )

    def _run(self, rule, today):
        """What the daily run does for one rule: generate, then carry out what is due."""
        rule._generate_actions(today)
        self.Action.search([("rule_id", "=", rule.id), *self.Action._pending_domain(today)])._execute(today)


class CareActionsCase(CustomerCareCase):
    """Two classified customers whose contacts have birthdays on 2 July, e-mail addresses and
    phone numbers, and an SMS template."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer, cls.other = cls._create_customers("Cared Co", "Other Cared Co", customer_rank=1)
        cls.buyer = cls.customer.child_ids
        cls.buyer.write({"birthday": date(1980, 7, 2), "email": "buyer@cared.example.com", "phone": "+8613800138000"})
        cls.other.child_ids.write(
            {"birthday": date(1981, 7, 2), "email": "buyer@other.example.com", "phone": "+8613800138001"}
        )
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, TODAY)
        cls.customers = cls.customer | cls.other
        cls.sms_template = cls.env["sms.template"].create(
            {
                "name": "Birthday SMS",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "body": "Happy birthday, {{ object.name }}!",
            }
        )
