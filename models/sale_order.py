from odoo import fields, models


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
