from odoo import api, fields, models
from odoo.fields import Domain

from .customer_account import RELATIONSHIP_LEVELS
from .res_partner import account_field

LEVEL_KEYS = [level for level, _label in RELATIONSHIP_LEVELS]
RELATIONSHIP_GAPS = [("below", "Below Target"), ("at", "At Target"), ("above", "Above Target")]


class ResPartner(models.Model):
    """The relationship level (Kotler) on the customer's account in the current company: a
    person's decision (wizards/customer_relationship_level_change.py), tracked; the target
    comes from the tier, moved by the margin."""

    _inherit = "res.partner"

    relationship_level = account_field(
        fields.Selection,
        "relationship_level",
        RELATIONSHIP_LEVELS,
        writable=True,
        tracking=True,
        help="Basic: sells and has no further contact.\n"
        "Reactive: sells and invites the customer to call with problems.\n"
        "Accountable: calls soon after the sale to check the product met expectations.\n"
        "Proactive: calls regularly with suggestions and news of useful products.\n"
        "Partnership: works continuously with the customer to cut its costs and help it buy better.",
    )
    target_relationship_level = fields.Selection(
        RELATIONSHIP_LEVELS,
        compute="_compute_target_relationship_level",
        search="_search_target_relationship_level",
        help="The target level of the customer's tier; with the margin adjustment of the settings, one "
        "level up for a high-margin customer and one down for a low-margin one (Kotler's matrix). A "
        "customer whose margin is unknown (no cost on its order lines) keeps the tier's target.",
    )
    relationship_gap = fields.Selection(
        RELATIONSHIP_GAPS,
        compute="_compute_relationship_gap",
        search="_search_relationship_gap",
        help="Where the relationship stands against the target of the customer's tier.",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends(
        "customer_tier_id.target_relationship_level", "customer_margin_rate", "customer_margin_known", "customer_value"
    )
    @api.depends_context("company")
    def _compute_target_relationship_level(self):
        bands = self._margin_bands()
        for partner in self:
            tier_target = partner.customer_tier_id.target_relationship_level
            shift = next((shift for shift, band in bands.items() if partner.filtered_domain(band)), 0)
            partner.target_relationship_level = tier_target and self._shift_level(tier_target, shift)

    def _search_target_relationship_level(self, operator, value):
        if operator != "in":
            return NotImplemented
        return Domain.OR(
            Domain("customer_tier_id.target_relationship_level", "=", tier_target) & band
            for shift, band in self._margin_bands().items()
            for tier_target in LEVEL_KEYS
            if self._shift_level(tier_target, shift) in value
        )

    @api.depends("relationship_level", "target_relationship_level")
    @api.depends_context("company")
    def _compute_relationship_gap(self):
        for partner in self:
            partner.relationship_gap = partner.target_relationship_level and self._relationship_gap(
                partner.relationship_level, partner.target_relationship_level
            )

    def _search_relationship_gap(self, operator, value):
        if operator != "in":
            return NotImplemented
        return Domain.OR(
            Domain("target_relationship_level", "=", target)
            & Domain(
                "relationship_level",
                "in",
                [level for level in LEVEL_KEYS if self._relationship_gap(level, target) == gap],
            )
            for target in LEVEL_KEYS
            for gap in value
        )

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    @api.model
    def _margin_bands(self):
        """Domains of the customers whose target moves up (1), stays (0) or moves down (-1) with
        their margin, in the current company; all stay when the adjustment is off."""
        company = self.env.company
        if not company.relationship_margin_adjust:
            return {0: Domain.TRUE}
        # an unknown margin (no cost recorded) moves nothing
        with_value = Domain("customer_value", ">", 0) & Domain("customer_margin_known", "=", True)
        high = with_value & Domain("customer_margin_rate", ">=", company.relationship_margin_high)
        low = with_value & Domain("customer_margin_rate", "<", company.relationship_margin_low)
        return {1: high, -1: low, 0: ~high & ~low}

    @api.model
    def _shift_level(self, level, shift):
        return LEVEL_KEYS[min(max(LEVEL_KEYS.index(level) + shift, 0), len(LEVEL_KEYS) - 1)]

    @api.model
    def _relationship_gap(self, level, target):
        position, target_position = LEVEL_KEYS.index(level or "basic"), LEVEL_KEYS.index(target)
        return "below" if position < target_position else "at" if position == target_position else "above"
