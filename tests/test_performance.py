from datetime import date

from odoo.tests import tagged, users, warmup

from .common import CustomerRelationshipCase

# The Customers action's domain (a salesperson of own customers: their accounts only)
KANBAN_DOMAIN = [
    ("parent_id", "=", False),
    ("customer_account_visible", "=", True),
    "|",
    ("customer_rank", ">", 0),
    ("customer_tier_id", "!=", False),
]
KANBAN_CARD = {
    name: {}
    for name in (
        "name",
        "avatar_128",
        "customer_value",
        "customer_value_currency_id",
        "last_order_date",
        "customer_lifecycle",
        "rfm_segment",
        "customer_tier_color",
    )
} | {"user_id": {"fields": {"display_name": {}}}}


@tagged("post_install", "-at_install")
class TestCustomersKanbanQueries(CustomerRelationshipCase):
    def _open_kanban(self):
        """What the customers kanban asks the server: groups by tier with their cards, and
        the lifecycle progress bars."""
        partners = self.env["res.partner"].with_company(self.company)
        partners.web_read_group(
            KANBAN_DOMAIN,
            ["customer_tier_id"],
            ["__count"],
            auto_unfold=True,
            unfold_read_specification=KANBAN_CARD,
            unfold_read_default_limit=40,
        )
        partners.read_progress_bar(
            KANBAN_DOMAIN, "customer_tier_id", {"field": "customer_lifecycle", "colors": {"active": "success"}}
        )

    @users("cr_salesman")
    @warmup
    def test_query_count_does_not_grow_with_customers(self):
        # 50%, 80%, 95%, 100%: one customer in each tier, so that every group is there already
        customers = self._create_customers(*[f"K{i}" for i in range(4)])
        self._create_orders([(c, v, date(2026, 3, 1)) for c, v in zip(customers, [500, 300, 150, 50], strict=True)])
        self.env["customer.tier"].sudo()._recompute_company_tiers(self.company, date(2026, 6, 30))
        self.env.invalidate_all()
        # the tiers' groups with their cards, the progress bars: 15 queries
        with self.assertQueryCount(cr_salesman=15):
            self._open_kanban()
        more = self._create_customers(*[f"M{i}" for i in range(30)])
        self._create_orders([(c, 10 * (i + 1), date(2026, 3, 1)) for i, c in enumerate(more)])
        self.env["customer.tier"].sudo()._recompute_company_tiers(self.company, date(2026, 6, 30))
        self.env.invalidate_all()
        with self.assertQueryCount(cr_salesman=15):  # the same for 34 customers as for 4
            self._open_kanban()


# What Odoo's own part of the customer form reads (the modules this addon depends on included).
ODOO_FORM_QUERIES = 41


@tagged("post_install", "-at_install")
class TestCustomerFormQueries(CustomerRelationshipCase):
    def _open_form(self, customer, without_addon=False):
        """What the customer form reads: every field of the form view, as the web client asks,
        or only Odoo's own."""
        partners = self.env["res.partner"].with_company(self.company)
        fields = partners.get_views([(False, "form")])["models"]["res.partner"]["fields"]
        spec = {
            name: {"fields": {"display_name": {}}} if field["type"] in ("many2one", "one2many", "many2many") else {}
            for name, field in fields.items()
            if partners._fields[name]._module != "customer_relationship" or not without_addon
        }
        self.env.invalidate_all()
        partners.browse(customer.id).web_read(spec)

    @users("cr_manager")
    @warmup
    def test_form_query_count_does_not_grow_with_history(self):
        few, many = self._create_customers("Form Few", "Form Many")
        self._create_orders([(few, 100, date(2026, 3, 1)), (many, 100, date(2026, 3, 1))])
        self.env["customer.tier"].sudo()._recompute_company_tiers(self.company, date(2026, 6, 30))
        self.env["customer.visit"].create(
            [
                {"partner_id": customer.id, "user_id": self.salesman.id, "planned_start": f"2026-05-{day:02d} 09:00:00"}
                for customer, days in ((few, 1), (many, 20))
                for day in range(1, days + 1)
            ]
        )
        # Odoo's own partner form (sales, accounting, mail...) takes most of the queries; the
        # addon's part does not grow with the history either.
        for customer in few | many:
            # Odoo's own part: 41 here, with the modules this addon depends on (calendar's meetings
            # and SMS's phone blacklist among them).
            with self.subTest(customer=customer.name), self.assertQueryCount(cr_manager=ODOO_FORM_QUERIES):
                self._open_form(customer, without_addon=True)
            # The addon adds 5 queries to it: the customer's account in the company (its figures
            # were columns of res_partner before 19.0.2), its tier, one query for the visits and
            # referrals, one for the counts of the care actions, tier and salesperson changes
            # (their lists open from the form's buttons), and the interest tags.
            with self.subTest(customer=customer.name), self.assertQueryCount(cr_manager=ODOO_FORM_QUERIES + 5):
                self._open_form(customer)
