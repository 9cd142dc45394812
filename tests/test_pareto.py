from datetime import date

from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestPareto(CustomerRelationshipCase):
    """Reporting > Pareto Curve: the cumulative share of value by rank, read as the graph reads it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 500/250/100/100/50 of 1,000: cumulative 50, 75, 95 (the tie), 95, 100; and a customer
        # without orders, last at 100. Each customer has a contact, which carries its figures too.
        cls.customers = cls._create_customers("Pareto A", "Pareto B", "Pareto C", "Pareto D", "Pareto E")
        cls.idle = cls._create_customers("Pareto Idle", customer_rank=1)
        values = [500, 250, 100, 100, 50]
        cls._create_orders([(c, v, date(2026, 3, 1)) for c, v in zip(cls.customers, values, strict=True)])
        # Other figures in the other company, which must not mix with these.
        cls._create_orders(
            [(cls.customers[4], 5000, date(2026, 3, 1)), (cls.customers[0], 10, date(2026, 3, 1))],
            company=cls.company_eu,
        )
        cls.env["customer.tier"]._recompute_company_tiers(cls.company, date(2026, 6, 30))
        cls.env["customer.tier"]._recompute_company_tiers(cls.company_eu, date(2026, 6, 30))
        everyone = cls.customers | cls.idle
        # the customers and their contacts: only the customers may count
        cls.mine = [("id", "in", (everyone | everyone.child_ids).ids)]

    def _action_domain(self, xmlid):
        return safe_eval(self.env.ref(xmlid).domain) + self.mine

    def test_curve_rises_to_100_by_rank(self):
        """The graph's query: one point per rank, the cumulative share, rising to 100 at the last rank."""
        view = self.env.ref("customer_relationship.res_partner_customer_view_graph_pareto")
        arch = etree.fromstring(view.arch)
        self.assertIsNone(arch.get("order"), "the x axis must stay in rank order, not be sorted by value")
        (groupby,) = arch.xpath("//field[not(@type='measure')]/@name")
        (measure,) = arch.xpath("//field[@type='measure']/@name")
        Partner = self.env["res.partner"].with_company(self.company)
        # as the web client asks: the measure with the field's aggregator
        aggregate = f"{measure}:{Partner._fields[measure].aggregator}"
        groups = Partner.formatted_read_group(
            self._action_domain("customer_relationship.res_partner_pareto_action"), [groupby], [aggregate, "__count"]
        )
        self.assertEqual(
            [(group[groupby], group[aggregate], group["__count"]) for group in groups],
            [(1, 50, 1), (2, 75, 1), (3, 95, 2), (5, 100, 1), (6, 100, 1)],
        )

    def test_tier_panel_counts_the_customers_of_the_other_screens(self):
        """The Pareto's tier panel counts each customer once (not its contacts), those without value
        included, as Tier Analysis and the customers list do."""
        Partner = self.env["res.partner"].with_company(self.company)

        def panel(xmlid):
            values = Partner.search_panel_select_multi_range(
                "customer_tier_id", search_domain=self._action_domain(xmlid), enable_counters=True
            )["values"]
            return {value["display_name"]: value["__count"] for value in values if value["__count"]}

        pareto = panel("customer_relationship.res_partner_pareto_action")
        self.assertEqual(sum(pareto.values()), 6)
        self.assertEqual(pareto, panel("customer_relationship.res_partner_tier_analysis_action"))
        self.assertEqual(pareto, panel("customer_relationship.res_partner_customer_action"))
