from odoo import api, models
from odoo.tools import SQL


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    @api.model
    def _update_foreign_keys(self, src_partners, dst_partner):
        # A care action is unique per rule, customer, person and event. Where the merged partners
        # had one each for the same event, one is kept (the destination's first): the duplicates
        # would block the merge, which only expects unique constraints, not unique indexes.
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """WITH merged AS (
                       SELECT action.id, action.rule_id, action.occurrence_date,
                              CASE WHEN action.partner_id = ANY(%(merged)s) THEN %(destination)s
                                   ELSE action.partner_id END AS partner_id,
                              CASE WHEN action.contact_id = ANY(%(merged)s) THEN %(destination)s
                                   ELSE COALESCE(action.contact_id, 0) END AS contact_id,
                              %(destination)s IN (action.partner_id, action.contact_id) AS on_destination
                         FROM customer_care_action action
                        WHERE action.partner_id = ANY(%(merged)s) OR action.contact_id = ANY(%(merged)s)),
                   ranked AS (
                       SELECT id, ROW_NUMBER() OVER (PARTITION BY rule_id, occurrence_date, partner_id, contact_id
                                                         ORDER BY on_destination DESC, id) AS position
                         FROM merged)
                   DELETE FROM customer_care_action WHERE id IN (SELECT id FROM ranked WHERE position > 1)""",
                merged=[*src_partners.ids, dst_partner.id],
                destination=dst_partner.id,
            )
        )
        self.env["customer.care.action"].invalidate_model()
        # A customer has one account per company: where the destination has one, it stays (its
        # figures are recomputed at night); else the first of the merged partners' moves to it.
        self.env.execute_query(
            SQL(
                """DELETE FROM customer_account account
                    WHERE account.partner_id = ANY(%(merged)s)
                      AND (EXISTS (SELECT 1 FROM customer_account kept
                                    WHERE kept.partner_id = %(destination)s AND kept.company_id = account.company_id)
                           OR account.id <> (SELECT MIN(other.id) FROM customer_account other
                                              WHERE other.partner_id = ANY(%(merged)s)
                                                AND other.company_id = account.company_id))""",
                merged=src_partners.ids,
                destination=dst_partner.id,
            )
        )
        self.env["customer.account"].invalidate_model()
        return super()._update_foreign_keys(src_partners, dst_partner)
