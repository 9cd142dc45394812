from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.customer_tier import RELATIONSHIP_LEVELS


class CustomerRelationshipLevelChange(models.TransientModel):
    _name = "customer.relationship.level.change"
    _inherit = "customer.decision.dialog"
    _description = "Change the Relationship Level"

    current_level = fields.Selection(related="partner_id.relationship_level", string="Current Level")
    target_level = fields.Selection(related="partner_id.target_relationship_level", string="Target Level")
    new_level = fields.Selection(RELATIONSHIP_LEVELS, required=True)
    reason = fields.Text(required=True, help="What the customer and you now do together that justifies the level.")

    @api.model
    def _defaults_from_customer(self, partner):
        return {"new_level": partner.relationship_level}

    def action_apply(self):
        self.ensure_one()
        partner = self.partner_id
        user = self.env.user
        if partner.customer_account_user_id != user and not user.has_group(
            "customer_relationship.group_customer_relationship_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only the salesperson of %(customer)s or a manager can change its relationship level.",
                    customer=partner.display_name,
                )
            )
        if self.new_level == partner.relationship_level:
            raise UserError(
                self.env._("%(customer)s is already at this relationship level.", customer=partner.display_name)
            )
        old_level = partner.relationship_level
        # Salespeople may not write partners in Odoo 19; the right to record this decision was checked above.
        partner.sudo().relationship_level = self.new_level
        self.env["customer.care.action"]._resolve_for("level", partner)  # README, "Care rules"
        labels = dict(self._fields["new_level"]._description_selection(self.env))
        partner.sudo().message_post(
            body=self.env._(
                "Relationship level %(old)s → %(new)s: %(reason)s",
                old=labels.get(old_level, ""),
                new=labels[self.new_level],
                reason=self.reason,
            ),
            author_id=user.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
