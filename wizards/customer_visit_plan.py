import math
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.customer_visit import VISIT_TYPES


class CustomerVisitPlan(models.TransientModel):
    _name = "customer.visit.plan"
    _description = "Plan Visits"

    partner_ids = fields.Many2many("res.partner", string="Customers", default=lambda self: self._default_partners())
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=1)
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=14)
    )
    hour_from = fields.Float(string="Working Hours From", required=True, default=9.0)
    hour_to = fields.Float(string="Working Hours To", required=True, default=17.0)
    duration = fields.Float(string="Visit Duration", required=True, default=1.0)
    max_per_day = fields.Integer(string="At Most per Day", required=True, default=4)
    visit_type = fields.Selection(VISIT_TYPES, string="Type", required=True, default="on_site")
    purpose_ids = fields.Many2many("customer.visit.purpose", string="Purposes")
    line_ids = fields.One2many("customer.visit.plan.line", "wizard_id", string="Preview")

    @api.model
    def _default_partners(self):
        if self.env.context.get("active_model") == "res.partner" and self.env.context.get("active_ids"):
            return self.env["res.partner"].browse(self.env.context["active_ids"]).commercial_partner_id
        return self.env["res.partner"].search(
            [("user_id", "=", self.env.uid), ("parent_id", "=", False), ("visit_overdue", "=", True)]
        )

    @api.constrains("date_from", "date_to", "hour_from", "hour_to", "duration", "max_per_day")
    def _check_plan(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The end of the date range must come after its start."))
            if not 0 <= wizard.hour_from < wizard.hour_to <= 24:
                raise ValidationError(self.env._("The working hours must end after they start, within the day."))
            if wizard.duration <= 0 or wizard.max_per_day <= 0:
                raise ValidationError(self.env._("The visit duration and the visits per day must be positive."))

    def action_preview(self):
        self.ensure_one()
        self.line_ids = [fields.Command.clear()] + [fields.Command.create(vals) for vals in self._plan_lines()]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Plan Visits"),
        }

    def action_create_visits(self):
        self.ensure_one()
        if not self.line_ids:
            self.line_ids = [fields.Command.create(vals) for vals in self._plan_lines()]
        visits = self.env["customer.visit"].create(
            [
                {
                    "partner_id": line.partner_id.id,
                    "user_id": self.user_id.id,
                    "planned_start": line.planned_start,
                    "duration": self.duration,
                    "visit_type": self.visit_type,
                    "purpose_ids": [fields.Command.set(self.purpose_ids.ids)],
                }
                for line in self.line_ids.filtered("planned_start")
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_visit_action")
        action["domain"] = [("id", "in", visits.ids)]
        return action

    def _plan_lines(self):
        """One line per customer: its slot, or why it is skipped. Customers already planned in the
        range are skipped; the others, most overdue first, are spread evenly over the working days."""
        visits = self.env["customer.visit"]
        customers = self.partner_ids.commercial_partner_id
        planned = {
            partner
            for [partner] in visits._read_group(
                [
                    ("partner_id", "in", customers.ids),
                    ("state", "=", "planned"),
                    ("planned_start", ">=", visits._to_utc(self.date_from)),
                    ("planned_start", "<", visits._to_utc(self.date_to + timedelta(days=1))),
                ],
                ["partner_id"],
            )
        }
        to_plan = customers.filtered(lambda p: p not in planned).sorted(
            lambda p: (p.visit_due_date or date.min, p.name)
        )
        days = [
            day
            for day in (self.date_from + timedelta(days=n) for n in range((self.date_to - self.date_from).days + 1))
            if day.weekday() < 5
        ]
        per_day = min(
            self.max_per_day,
            int((self.hour_to - self.hour_from) // self.duration),
            math.ceil(len(to_plan) / (len(days) or 1)),
        )
        slots = [visits._to_utc(day, self.hour_from + n * self.duration) for day in days for n in range(per_day)]
        lines = [
            {"partner_id": partner.id, "skip_reason": self.env._("Already planned in the range")}
            for partner in customers - to_plan
        ]
        for index, partner in enumerate(to_plan):
            if index < len(slots):
                lines.append({"partner_id": partner.id, "planned_start": slots[index]})
            else:
                lines.append({"partner_id": partner.id, "skip_reason": self.env._("No free slot in the range")})
        return lines
