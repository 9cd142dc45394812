from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from .res_partner import account_field

# A reclaim date this close shows a warning badge, and counts on the dashboard's "this week" tile.
RECLAIM_SOON_DAYS = 7


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The customer pool in the current company (README, "Customer pool"), read from the account.
    customer_pool_id = account_field(
        fields.Many2one,
        "customer_pool_id",
        "customer.pool",
        help="The pool the customer sits in, in this company; empty: owned.",
    )
    pool_entry_date = account_field(
        fields.Date,
        "pool_entry_date",
        string="In Pool Since",
    )
    pool_reclaim_date = account_field(
        fields.Date,
        "pool_reclaim_date",
        string="Back to Pool On",
        help="When the pool rules reclaim the customer unless its salesperson contacts it before.",
    )
    customer_last_contact_date = account_field(
        fields.Date,
        "customer_last_contact_date",
        string="Last Contact",
        help="Last done visit or logged contact in this company, as of the pool's last refresh.",
    )
    pool_previous_user_id = account_field(
        fields.Many2one,
        "pool_previous_user_id",
        "res.users",
        string="Previous Salesperson",
    )
    pool_reclaim_soon = fields.Boolean(
        string="Back to Pool Soon",
        compute="_compute_pool_reclaim_soon",
        search="_search_pool_reclaim_soon",
        help=f"Goes back to the customer pool within {RECLAIM_SOON_DAYS} days unless contacted.",
    )
    customer_owner_history_ids = fields.One2many("customer.owner.history", "partner_id", string="Salesperson History")
    customer_owner_history_count = fields.Integer(compute="_compute_record_counts", string="Salesperson Changes")

    @api.depends("pool_reclaim_date")
    @api.depends_context("company")
    def _compute_pool_reclaim_soon(self):
        limit = fields.Date.context_today(self) + timedelta(days=RECLAIM_SOON_DAYS)
        for partner in self:
            partner.pool_reclaim_soon = bool(partner.pool_reclaim_date) and partner.pool_reclaim_date <= limit

    def _search_pool_reclaim_soon(self, operator, value):
        if operator != "in":
            return NotImplemented
        limit = fields.Date.context_today(self) + timedelta(days=RECLAIM_SOON_DAYS)
        soon = Domain("pool_reclaim_date", "!=", False) & Domain("pool_reclaim_date", "<=", limit)
        return soon if True in value else ~soon

    def action_pool_release(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_pool_release_action")
        action["context"] = {"active_model": "res.partner", "active_ids": self.ids}
        return action

    def action_view_owner_history(self):
        return self._action_customer_list(
            "customer_relationship.customer_owner_history_action", self.env._("Salesperson Changes")
        )
