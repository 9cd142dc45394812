from odoo import models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def write(self, vals):
        if vals.get("state") == "error":
            # The SMS queue runs as whoever triggered it; care actions are the system's records.
            actions = self.env["customer.care.action"].sudo().search([("sms_id", "in", self.ids)])
            failures = dict(self._fields["failure_type"]._description_selection(self.env))
            actions._mark_from_source("failed", failures.get(vals.get("failure_type"), self.env._("SMS not sent")))
        return super().write(vals)
