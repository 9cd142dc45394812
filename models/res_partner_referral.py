from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    """Referrals: who brought the customer in, and when; counted on the referrer."""

    _inherit = "res.partner"

    referred_by_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        domain="[('parent_id', '=', False), ('id', '!=', id)]",
        help="The customer who recommended this one.",
    )
    referral_date = fields.Date(
        string="Referred On", help="When the referral was made; care rules thank the referrer from this date."
    )
    referral_ids = fields.One2many("res.partner", "referred_by_id", string="Referred Customers")
    # Counted in the query of the visit figures (res_partner_visit.py): the form shows them together.
    referral_count = fields.Integer(compute="_compute_visit_dates", string="Referrals")
    referral_value = fields.Float(
        compute="_compute_visit_dates",
        string="Value of Referred Customers",
        digits="Product Price",
        help="Customer value of the customers it referred, in the current company.",
    )

    # ------------------------------------------------------------
    # CONSTRAINT METHODS
    # ------------------------------------------------------------

    @api.constrains("referred_by_id")
    def _check_referral_loop(self):
        if self._has_cycle("referred_by_id"):
            raise ValidationError(self.env._("A customer cannot be referred, even indirectly, by itself."))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("referred_by_id") and not vals.get("referral_date"):
                vals["referral_date"] = fields.Date.context_today(self)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("referred_by_id") and "referral_date" not in vals:
            vals = {**vals, "referral_date": fields.Date.context_today(self)}
        return super().write(vals)
