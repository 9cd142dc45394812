from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL


class ResPartner(models.Model):
    """Visits: recorded on the commercial partner, shown on its contacts too; the last and next
    contacts, and when the customer is due for one, per company."""

    _inherit = "res.partner"

    visit_ids = fields.One2many("customer.visit", "partner_id", string="Visits")
    # The visit and referral figures of the form come from one query (_compute_visit_dates).
    visit_count = fields.Integer(compute="_compute_visit_dates", string="Number of Visits")
    last_visit_date = fields.Date(compute="_compute_visit_dates", help="Last done visit or logged contact.")
    next_visit_date = fields.Date(compute="_compute_visit_dates", help="Next planned visit.")
    days_since_last_contact = fields.Integer(compute="_compute_visit_dates")
    visit_due_date = fields.Date(
        compute="_compute_visit_dates", help="Last contact plus the contact interval of the customer's tier."
    )
    # "Due for contact", not "visit overdue": overdue visits are planned visits past their time.
    visit_overdue = fields.Boolean(
        string="Due for Contact",
        compute="_compute_visit_dates",
        search="_search_visit_overdue",
        help="Not contacted within the contact interval of its tier (or never contacted).",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends(
        "commercial_partner_id.visit_ids.state",
        "commercial_partner_id.visit_ids.done_date",
        "commercial_partner_id.visit_ids.planned_start",
        "customer_tier_id.visit_interval_days",
        "commercial_partner_id.loss_date",
        "referral_ids",
    )
    # The visit count is of the visits the user may read, in the companies selected.
    @api.depends_context("company", "uid", "allowed_company_ids")
    def _compute_visit_dates(self):
        """The visits (count, last and next contact, due date) and referrals (count, value) of the
        customers, in one query: the form shows them all, the customers' cards the due date."""
        company = self.env.company.id
        # Counted as their lists show them: the visits and referred customers the user may read.
        visible_visits = self.env["customer.visit"]._search([("partner_id", "in", self.commercial_partner_id.ids)])
        referrals = self.with_context(active_test=False)._search([("referred_by_id", "in", self.ids)])
        rows = self.env.execute_query(
            SQL(
                """SELECT p.id, visits.count, visits.last_done, visits.next_planned, referred.count, referred.value
                     FROM unnest(%(ids)s::int[]) AS p(id)
                LEFT JOIN LATERAL (
                          -- the last and next contacts are the company's, whoever made them
                          SELECT COUNT(*) FILTER (WHERE v.id IN (%(visible)s)) AS count,
                                 MAX(v.done_date) FILTER (WHERE v.state = 'done' AND v.company_id = %(company)s)
                                     AS last_done,
                                 MIN(v.planned_start) FILTER (WHERE v.state = 'planned' AND v.company_id = %(company)s)
                                     AS next_planned
                            FROM customer_visit v WHERE v.partner_id = p.id) visits ON TRUE
                LEFT JOIN LATERAL (
                          SELECT COUNT(*) AS count, SUM(account.value) AS value
                            FROM res_partner referral
                       LEFT JOIN customer_account account ON account.partner_id = referral.commercial_partner_id
                                 AND account.company_id = %(company)s
                           WHERE referral.referred_by_id = p.id AND referral.id IN (%(referrals)s)) referred ON TRUE""",
                ids=list({*self.commercial_partner_id.ids, *self.ids}),
                visible=visible_visits.subselect(),
                referrals=referrals.subselect(),
                company=company,
            )
        )
        by_id = {row[0]: row[1:] for row in rows}
        none = (0, None, None, 0, 0)
        today = fields.Date.context_today(self)
        for partner in self:
            commercial = partner.commercial_partner_id
            count, last_done, next_planned, _count, _value = by_id.get(commercial.id, none)
            partner.visit_count = count
            referral_count, referral_value = by_id.get(partner.id, none)[3:]
            partner.referral_count = referral_count
            partner.referral_value = referral_value or 0.0
            last = last_done and fields.Datetime.context_timestamp(self, last_done).date()
            interval = partner.customer_tier_id.visit_interval_days
            partner.last_visit_date = last
            partner.next_visit_date = next_planned and fields.Datetime.context_timestamp(self, next_planned).date()
            partner.days_since_last_contact = (today - last).days if last else 0
            partner.visit_due_date = last and interval and last + timedelta(days=interval)
            # A customer marked as lost is no longer due for contact.
            overdue = bool(interval) and (not last or partner.visit_due_date < today)
            partner.visit_overdue = overdue and not commercial.loss_date

    def _search_visit_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        overdue = Domain.FALSE
        visits = self.env["customer.visit"]
        # Tiers are a handful of records.
        for tier in self.env["customer.tier"].search([]):  # pylint: disable=no-search-all
            # Sees every visit of the company, as the compute does: a colleague's visit is a contact too.
            recent = visits.sudo()._search(
                [
                    ("state", "=", "done"),
                    ("company_id", "=", self.env.company.id),
                    ("done_date", ">=", visits._to_utc(today - timedelta(days=tier.visit_interval_days))),
                ]
            )
            overdue |= Domain("customer_tier_id", "=", tier.id) & Domain(
                "commercial_partner_id", "not in", recent.subselect("partner_id")
            )
        overdue &= Domain("commercial_partner_id.loss_date", "=", False)
        return overdue if True in value else ~overdue

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.ondelete(at_uninstall=False)
    def _unlink_except_visited(self):
        # Visits the user may not see still forbid the deletion: they would be lost with the customer.
        visited = self.env["customer.visit"].sudo().search([("partner_id", "in", self.ids)]).partner_id
        if visited:
            raise UserError(
                self.env._(
                    "%(customers)s cannot be deleted: visits are recorded on it. Archive it instead.",
                    customers=", ".join(visited.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_visit_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_log_visit(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_visit_log_action")
        action["context"] = {"default_partner_id": self.id}
        return action
