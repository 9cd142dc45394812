from odoo import api, fields, models

OWNER_REASONS = [
    ("claim", "Claimed"),
    ("assign", "Assigned"),
    ("reclaim", "Reclaimed"),
    ("handover", "Handover"),
    ("release", "Released"),
    ("manual", "Manual Edit"),
]


class CustomerOwnerHistory(models.Model):
    _name = "customer.owner.history"
    _description = "Customer Salesperson History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    old_user_id = fields.Many2one("res.users", string="Old Salesperson", index="btree_not_null")
    new_user_id = fields.Many2one("res.users", string="New Salesperson", index="btree_not_null")
    # Whom the move counts for in the report: the one who took the customer, or, when it went
    # back to the pool, the one who lost it.
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        index="btree_not_null",
        help="The new salesperson; for a customer that went back to the pool, the previous one.",
    )
    reason = fields.Selection(OWNER_REASONS, required=True, default="manual")
    by_user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    pool_id = fields.Many2one("customer.pool", string="Customer Pool", ondelete="set null")
    note = fields.Text()

    @api.depends("new_user_id", "old_user_id")
    def _compute_user_id(self):
        for row in self:
            row.user_id = row.new_user_id or row.old_user_id
