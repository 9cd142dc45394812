from odoo import fields, models


class CustomerTierRecomputeLine(models.TransientModel):
    _name = "customer.tier.recompute.line"
    _description = "Customer Tier Recomputation Preview"
    _order = "tier_sequence, id"

    wizard_id = fields.Many2one("customer.tier.recompute", required=True, ondelete="cascade")
    tier_id = fields.Many2one("customer.tier", required=True, readonly=True)
    tier_sequence = fields.Integer(related="tier_id.sequence", store=True)
    new_count = fields.Integer(string="First Classified", readonly=True)
    moved_up_count = fields.Integer(string="Move Up", readonly=True)
    moved_down_count = fields.Integer(string="Move Down", readonly=True)
    stay_count = fields.Integer(string="Stay", readonly=True)
    value = fields.Float(string="Customer Value", digits="Product Price", readonly=True)
