from datetime import timedelta

from odoo import fields, models


class CustomerVisitLogLine(models.TransientModel):
    _name = "customer.visit.log.line"
    _description = "Visit Follow-up"

    wizard_id = fields.Many2one("customer.visit.log", required=True, ondelete="cascade")
    summary = fields.Char(string="Problem to Handle", required=True)
    date_deadline = fields.Date(
        string="Due Date", required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=7)
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
