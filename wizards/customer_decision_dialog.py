from odoo import api, fields, models


class CustomerDecisionDialog(models.AbstractModel):
    """A dialog in which a person decides something of a customer (its level, its tier) with a
    reason. Opened from a contact's form, it decides for the contact's company: the decision is
    the commercial partner's."""

    _name = "customer.decision.dialog"
    _description = "Customer Decision Dialog"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        partner = self.env["res.partner"].browse(values.get("partner_id")).commercial_partner_id
        if partner:
            values["partner_id"] = partner.id
            for fname, value in self._defaults_from_customer(partner).items():
                values.setdefault(fname, value)
        return values

    @api.model
    def _defaults_from_customer(self, partner):
        """The dialog's starting values for the customer ``partner`` (its current decision)."""
        return {}
