from odoo import fields, models


class CustomerLossReason(models.Model):
    _name = "customer.loss.reason"
    _description = "Customer Loss Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
