from odoo import fields, models


class CustomerVisitPurpose(models.Model):
    _name = "customer.visit.purpose"
    _description = "Visit Purpose"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
