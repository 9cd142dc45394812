from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The customer's opening hours, a time window for visit routes (both empty: any working hour).
    visit_open_from = fields.Float(string="Open From", help="Visits are planned to start at or after this hour.")
    visit_open_to = fields.Float(string="Open Until", help="Visits are planned to end at or before this hour.")

    @api.constrains("visit_open_from", "visit_open_to")
    def _check_visit_open_hours(self):
        for partner in self:
            if (partner.visit_open_from or partner.visit_open_to) and not (
                0 <= partner.visit_open_from < partner.visit_open_to <= 24
            ):
                raise ValidationError(
                    self.env._("The opening hours of %(name)s must end after they start.", name=partner.display_name)
                )
