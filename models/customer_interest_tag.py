from odoo import fields, models


class CustomerInterestTag(models.Model):
    _name = "customer.interest.tag"
    _description = "Interest or Hobby"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)
