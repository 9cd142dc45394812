from odoo import fields, models

from ..models.customer_visit import OUTCOMES, SATISFACTION, VISIT_TYPES


class CustomerVisitLog(models.TransientModel):
    _name = "customer.visit.log"
    _description = "Log a Visit"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    contact_ids = fields.Many2many(
        "res.partner",
        string="People Met",
        domain="[('commercial_partner_id', '=', partner_id), ('id', '!=', partner_id)]",
    )
    visit_type = fields.Selection(VISIT_TYPES, string="Type", required=True, default="on_site")
    purpose_ids = fields.Many2many("customer.visit.purpose", string="Purposes")
    done_date = fields.Datetime(string="Date", required=True, default=fields.Datetime.now)
    duration = fields.Float(default=1.0)
    notes = fields.Html(required=True)
    outcome = fields.Selection(OUTCOMES, default="neutral")
    satisfaction = fields.Selection(SATISFACTION, default="0")
    next_visit_date = fields.Date()
    followup_ids = fields.One2many("customer.visit.log.line", "wizard_id", string="Follow-ups")

    def action_log(self):
        """Record the contact as a done visit and its follow-ups as to-dos."""
        self.ensure_one()
        visit = self.env["customer.visit"].create(
            {
                "partner_id": self.partner_id.id,
                "contact_ids": [fields.Command.set(self.contact_ids.ids)],
                "visit_type": self.visit_type,
                "purpose_ids": [fields.Command.set(self.purpose_ids.ids)],
                "planned_start": self.done_date,
                "done_date": self.done_date,
                "duration": self.duration,
                "state": "done",
                "notes": self.notes,
                "outcome": self.outcome,
                "satisfaction": self.satisfaction,
                "next_visit_date": self.next_visit_date,
            }
        )
        visit._schedule_followups(
            [
                {"summary": line.summary, "date_deadline": line.date_deadline, "user_id": line.user_id.id}
                for line in self.followup_ids
            ]
        )
        return {"type": "ir.actions.act_window_close"}
