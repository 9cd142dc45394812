from odoo import fields, models


class CustomerVisitPlanLine(models.TransientModel):
    _name = "customer.visit.plan.line"
    _description = "Planned Visit Preview"
    _order = "day, sequence, id"

    wizard_id = fields.Many2one("customer.visit.plan", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    day = fields.Date()
    sequence = fields.Integer(string="Stop")
    planned_start = fields.Datetime(string="Planned For")
    distance_km = fields.Float(string="Distance (km)", digits=(16, 1), help="From the previous stop, by road.")
    travel_time = fields.Float(help="From the previous stop, in hours.")
    no_location = fields.Boolean(help="The customer has no coordinates: placed last in its day, travel time unknown.")
    skip_reason = fields.Char(string="Skipped Because")
