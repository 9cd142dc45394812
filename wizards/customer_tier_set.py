from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CustomerTierSet(models.TransientModel):
    """A manager sets a customer's tier by hand in the current company, with the reason: the tier
    is locked on the customer's account (the recomputation leaves it alone, README, "Tiers"),
    logged in the tier history and noted in the chatter. Unlock gives the tier back to the
    recomputation."""

    _name = "customer.tier.set"
    _inherit = "customer.decision.dialog"
    _description = "Set a Customer's Tier"

    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    current_tier_id = fields.Many2one(related="partner_id.customer_tier_id", string="Current Tier")
    tier_locked = fields.Boolean(related="partner_id.customer_tier_locked")
    tier_id = fields.Many2one(
        "customer.tier",
        string="New Tier",
        domain="[('company_id', 'in', [company_id, False])]",
        help="The recomputation keeps the customer in this tier until the tier is unlocked.",
    )
    reason = fields.Text(required=True, help="Why the tier is set by hand, or given back to the recomputation.")

    @api.model
    def _defaults_from_customer(self, partner):
        return {"tier_id": partner.customer_tier_id.id}

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_apply(self):
        """Lock the customer's tier at the new tier."""
        self.ensure_one()
        self._check_manager()
        if not self.tier_id:
            raise UserError(self.env._("Choose the tier of %(customer)s.", customer=self.partner_id.display_name))
        partner = self.partner_id.with_company(self.company_id)
        old_tier = partner.customer_tier_id
        self._account().write({"tier_id": self.tier_id.id, "tier_locked": True, "tier_lock_reason": self.reason})
        direction = self.env["customer.tier"]._move_direction(old_tier, self.tier_id)
        if direction:
            # The history is a system log no user creates by hand; the manager's right was checked.
            self.env["customer.tier.history"].sudo().create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "old_tier_id": old_tier.id,
                    "new_tier_id": self.tier_id.id,
                    "direction": direction,
                    "value": partner.customer_value,
                    "value_rank": partner.customer_value_rank,
                    "value_share": partner.customer_value_share,
                    "manual": True,
                    "reason": self.reason,
                }
            )
        if direction:
            note = self.env._(
                "Customer tier for %(company)s set by hand: %(old)s → %(new)s (%(reason)s)",
                company=self.company_id.name,
                old=old_tier.name or self.env._("no tier"),
                new=self.tier_id.name,
                reason=self.reason,
            )
        else:
            # The same tier, kept: the recomputation no longer moves it.
            note = self.env._(
                "Customer tier for %(company)s kept at %(tier)s by hand (%(reason)s)",
                company=self.company_id.name,
                tier=self.tier_id.name,
                reason=self.reason,
            )
        self._post_note(note)
        return {"type": "ir.actions.act_window_close"}

    def action_unlock(self):
        """Give the tier back to the recomputation: the next one (nightly, or Recompute Tiers)
        classifies the customer by its value again."""
        self.ensure_one()
        self._check_manager()
        if not self.tier_locked:
            raise UserError(
                self.env._("The tier of %(customer)s is not set by hand.", customer=self.partner_id.display_name)
            )
        self._account().write({"tier_locked": False, "tier_lock_reason": False})
        self._post_note(
            self.env._(
                "Customer tier for %(company)s given back to the recomputation (%(reason)s)",
                company=self.company_id.name,
                reason=self.reason,
            )
        )
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _check_manager(self):
        """Managers set tiers by hand, each time with a reason."""
        if not (self.reason or "").strip():
            raise UserError(
                self.env._("Give the reason why the tier of %(name)s is set by hand.", name=self.partner_id.name)
            )
        if not self.env.su and not self.env.user.has_group("customer_relationship.group_customer_relationship_manager"):
            raise AccessError(self.env._("Only customer relationship managers can set a customer's tier by hand."))

    def _account(self):
        """The customer's account in the wizard's company, in sudo: the decided fields of an
        account are written by the addon's actions once they have checked who may."""
        accounts = self.env["customer.account"].sudo()._for_partners(self.partner_id, self.company_id)
        return accounts[self.partner_id.id]

    def _post_note(self, body):
        self.partner_id.sudo().message_post(
            body=body, author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note"
        )
