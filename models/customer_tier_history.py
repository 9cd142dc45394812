from odoo import fields, models


class CustomerTierHistory(models.Model):
    _name = "customer.tier.history"
    _description = "Customer Tier Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    old_tier_id = fields.Many2one("customer.tier", string="Previous Tier", ondelete="set null")
    new_tier_id = fields.Many2one("customer.tier", ondelete="set null")
    direction = fields.Selection(
        [("new", "First classification"), ("up", "Moved up"), ("down", "Moved down")],
        required=True,
    )
    value = fields.Float(string="Customer Value", digits="Product Price")
    value_rank = fields.Integer(string="Rank")
    value_share = fields.Float(string="Cumulative Share (%)", digits=(5, 2))
    manual = fields.Boolean(help="Set by hand with a locked tier, not by the computation.")
    reason = fields.Char(help="Why the tier was set by hand.")
