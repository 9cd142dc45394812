from odoo import fields, models

from .res_partner import account_field


class ResPartner(models.Model):
    """Loss: a manager's record of why a customer was lost, on its account in the current company,
    written by the Mark as Lost wizard (wizards/customer_loss_mark.py)."""

    _inherit = "res.partner"

    loss_reason_id = account_field(
        fields.Many2one, "loss_reason_id", "customer.loss.reason", writable=True, readonly=True
    )
    loss_date = account_field(fields.Date, "loss_date", writable=True, string="Lost On", readonly=True)
    loss_note = account_field(fields.Text, "loss_note", writable=True, readonly=True)
    lost_value = account_field(
        fields.Float,
        "lost_value",
        writable=True,
        string="Estimated Value Lost",
        readonly=True,
        digits="Product Price",
        help="What the customer bought over the value window before its last order, in company currency.",
    )
