import random

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    customer_tier_id = fields.Many2one(
        related="partner_id.commercial_partner_id.customer_tier_id", string="Customer Tier"
    )

    def _action_confirm(self):
        result = super()._action_confirm()
        # An order ends an inactive spell: its win-back actions are resolved (README, "Care rules").
        self.env["customer.care.action"]._resolve_for("order", self.partner_id.commercial_partner_id)
        return result

    @api.model
    def _create_customer_relationship_demo_orders(self):
        """Demo data: 18 months of confirmed orders for the 30 demo customers, their totals on a
        Pareto curve (rank ** -1.3), the last six customers gone quiet, one customer in euros,
        a few cancelled orders; then the tiers are computed."""
        rng = random.Random(19)
        product = self.env.ref("customer_relationship.demo_product_service")
        euro_pricelist = self.env.ref("customer_relationship.demo_pricelist_eur")
        now = fields.Datetime.now()
        orders_vals, order_dates = [], []
        for rank in range(1, 31):
            partner = self.env.ref(f"customer_relationship.demo_customer_{rank:02d}")
            orders_per_year = max(1, round(24 / rank**0.6))
            yearly_value = 600000 / rank**1.3
            quiet_days = max(0, rank - 24) * 65
            for _index in range(max(1, round(orders_per_year * 1.5))):
                order_dates.append(now - relativedelta(days=rng.randint(quiet_days, 540)))
                orders_vals.append(
                    {
                        "partner_id": partner.id,
                        "user_id": partner.user_id.id,
                        "pricelist_id": euro_pricelist.id if rank == 7 else False,
                        "order_line": [
                            fields.Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": 1,
                                    "price_unit": round(yearly_value / orders_per_year * rng.uniform(0.6, 1.4)),
                                }
                            )
                        ],
                    }
                )
        orders = self.create(orders_vals)
        orders.action_confirm()
        for order, date in zip(orders, order_dates, strict=True):
            order.date_order = date
        cancelled = self.create(orders_vals[:3])
        cancelled._action_cancel()
        # Named like the demo records of the XML file, so that uninstalling removes them too.
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"customer_relationship.demo_sale_order_{index}", "record": order, "noupdate": True}
                for index, order in enumerate(orders | cancelled, start=1)
            ]
        )
        price_driven = self.env.ref("customer_relationship.demo_customer_12")
        price_driven.write(
            {
                "customer_tier_locked": True,
                "customer_tier_id": self.env.ref("customer_relationship.customer_tier_lead").id,
                "customer_tier_lock_reason": "Price-driven, no loyalty",
            }
        )
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        self.env["customer.retention.report"]._refresh_company(self.env.company)
