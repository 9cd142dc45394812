from odoo import fields, models


class CustomerVisitPlanLine(models.TransientModel):
    _name = "customer.visit.plan.line"
    _description = "Planned Visit Preview"
    _order = "planned_start, id"

    wizard_id = fields.Many2one("customer.visit.plan", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    planned_start = fields.Datetime(string="Planned For")
    skip_reason = fields.Char(string="Skipped Because")
