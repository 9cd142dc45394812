from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

LIFECYCLES = [
    ("prospect", "Prospect"),
    ("new", "New"),
    ("active", "Active"),
    ("at_risk", "At Risk"),
    ("dormant", "Dormant"),
    ("lost", "Lost"),
]
# See README, "RFM segments", for the mapping from the three scores.
RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("promising", "Promising"),
    ("need_attention", "Needs Attention"),
    ("cannot_lose", "Cannot Lose Them"),
    ("at_risk", "At Risk"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]
MANUAL_TIER_FIELDS = ("customer_tier_id", "customer_tier_locked", "customer_tier_lock_reason")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Value tier: written per company by customer.tier's recomputation, on the commercial
    # partner and its contacts alike; company-dependent so each company has its own figures.
    # Read-only in forms: only a manager's locked tier is set by hand (see the form view).
    customer_tier_id = fields.Many2one("customer.tier", company_dependent=True, readonly=True)
    customer_tier_color = fields.Integer(related="customer_tier_id.color", string="Tier Color")
    customer_tier_locked = fields.Boolean(
        string="Tier Set by Hand",
        company_dependent=True,
        help="The automatic classification leaves a locked tier alone.",
    )
    customer_tier_lock_reason = fields.Char(string="Reason for the Manual Tier", company_dependent=True)
    customer_tier_history_ids = fields.One2many("customer.tier.history", "partner_id", string="Tier History")
    customer_value = fields.Float(
        company_dependent=True,
        readonly=True,
        digits="Product Price",
        help="Revenue of the customer over the value window, in company currency.",
    )
    customer_value_currency_id = fields.Many2one(
        "res.currency", compute="_compute_customer_value_currency_id", string="Value Currency"
    )
    customer_value_rank = fields.Integer(string="Value Rank", company_dependent=True, readonly=True, aggregator=False)
    customer_value_share = fields.Float(
        string="Cumulative Share (%)",
        company_dependent=True,
        readonly=True,
        digits=(5, 2),
        aggregator="max",
        help="Share of the company's customer value reached by all customers down to this one.",
    )

    # Purchase behaviour (RFM) and lifecycle
    first_order_date = fields.Date(company_dependent=True, readonly=True)
    last_order_date = fields.Date(company_dependent=True, readonly=True)
    customer_order_count = fields.Integer(string="Orders in Window", company_dependent=True, readonly=True)
    average_order_interval = fields.Float(
        string="Average Order Interval (days)", company_dependent=True, readonly=True, digits=(7, 1)
    )
    expected_next_order_date = fields.Date(company_dependent=True, readonly=True)
    customer_lifecycle = fields.Selection(LIFECYCLES, string="Lifecycle", company_dependent=True, readonly=True)
    rfm_recency_score = fields.Integer(string="Recency Score", company_dependent=True, readonly=True, aggregator="avg")
    rfm_frequency_score = fields.Integer(
        string="Frequency Score", company_dependent=True, readonly=True, aggregator="avg"
    )
    rfm_monetary_score = fields.Integer(
        string="Monetary Score", company_dependent=True, readonly=True, aggregator="avg"
    )
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", company_dependent=True, readonly=True)

    @api.depends_context("company")
    def _compute_customer_value_currency_id(self):
        self.customer_value_currency_id = self.env.company.currency_id

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + list(MANUAL_TIER_FIELDS)

    def write(self, vals):
        if set(MANUAL_TIER_FIELDS) & set(vals):
            return self._write_manual_tier(vals)
        return super().write(vals)

    def _write_manual_tier(self, vals):
        """A person sets a tier: managers only, with a reason, logged like a computed move."""
        commercial = self.filtered(lambda p: p == p.commercial_partner_id)
        # Contacts only mirror their company's tier (Odoo's commercial fields sync), so any user
        # creating a contact may copy it; setting it on the customer itself is a manager's call.
        if (
            commercial
            and not self.env.su
            and not self.env.user.has_group("customer_relationship.group_customer_relationship_manager")
        ):
            raise AccessError(self.env._("Only customer relationship managers can set a customer's tier by hand."))
        old_tiers = {partner: partner.customer_tier_id for partner in commercial}
        result = super().write(vals)
        for partner in commercial:
            if partner.customer_tier_locked and not partner.customer_tier_lock_reason:
                raise ValidationError(
                    self.env._("Give the reason why the tier of %(name)s is set by hand.", name=partner.name)
                )
        moved = commercial.filtered(lambda p: p.customer_tier_id and p.customer_tier_id != old_tiers[p])
        if moved:
            # The history is a system log no user creates by hand; the manager's right to set the
            # tier was checked above.
            self.env["customer.tier.history"].sudo().create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": self.env.company.id,
                        "old_tier_id": old_tiers[partner].id,
                        "new_tier_id": partner.customer_tier_id.id,
                        "direction": self._tier_direction(old_tiers[partner], partner.customer_tier_id),
                        "value": partner.customer_value,
                        "value_rank": partner.customer_value_rank,
                        "value_share": partner.customer_value_share,
                        "manual": True,
                        "reason": partner.customer_tier_lock_reason,
                    }
                    for partner in moved
                ]
            )
            for partner in moved.filtered(lambda p: old_tiers[p]):
                partner.message_post(
                    body=self.env._(
                        "Customer tier for %(company)s set by hand: %(old)s → %(new)s (%(reason)s)",
                        company=self.env.company.name,
                        old=old_tiers[partner].name,
                        new=partner.customer_tier_id.name,
                        reason=partner.customer_tier_lock_reason or "",
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return result

    @api.model
    def _tier_direction(self, old_tier, new_tier):
        if not old_tier:
            return "new"
        return "up" if (new_tier.sequence, new_tier.id) < (old_tier.sequence, old_tier.id) else "down"
