from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        self._care_actions()._mark_from_source("done")
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        self._care_actions()._mark_from_source("skipped", self.env._("The activity was cancelled."))
        return super().unlink()

    def _care_actions(self):
        # The salesperson completing the activity may not see the rule's other actions.
        return self.env["customer.care.action"].sudo().search([("activity_id", "in", self.ids)])
