from odoo import models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    def _get_activity_excluded_models(self):
        # A visit is its own plan: its event needs no extra meeting activity on it.
        return [*super()._get_activity_excluded_models(), "customer.visit"]

    def write(self, vals):
        result = super().write(vals)
        if {"start", "stop", "duration"} & set(vals) and not self.env.context.get("customer_visit_calendar_sync"):
            # The visit follows its event whoever moved it: the calendar's own rules decided who may.
            visits = self.env["customer.visit"].sudo().search([("calendar_event_id", "in", self.ids)])
            visits._update_from_calendar_event()
        return result
