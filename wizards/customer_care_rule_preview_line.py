from odoo import fields, models


class CustomerCareRulePreviewLine(models.TransientModel):
    _name = "customer.care.rule.preview.line"
    _description = "Care Rule Preview Line"
    _order = "due_date, id"

    wizard_id = fields.Many2one("customer.care.rule.preview", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    contact_id = fields.Many2one("res.partner", string="Contact Person", readonly=True)
    occurrence_date = fields.Date(string="Event Date", readonly=True)
    due_date = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
