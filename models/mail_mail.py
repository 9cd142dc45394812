from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, success_emails, failure_reason=False, failure_type=None):
        if failure_type:
            # The mail queue runs as whoever triggered it; care actions are the system's records.
            actions = self.env["customer.care.action"].sudo().search([("mail_id", "in", self.ids)])
            actions._mark_from_source("failed", failure_reason or failure_type)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
