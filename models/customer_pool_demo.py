from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Demo customers of the main company released to the pool: the lowest-valued of each tier among
# the administrator's customers without visits (the demo salesperson's portfolio stays as it is).
DEMO_POOL_TIERS = ("gold", "iron", "lead")
DEMO_POOL_DAYS = 40


class CustomerRelationshipDemo(models.AbstractModel):
    _inherit = "customer.relationship.demo"

    @api.model
    def _fill_demo_pool(self):
        pool = self.env.ref("customer_relationship.demo_customer_pool")
        admin = self.env.ref("base.user_admin")
        Account = self.env["customer.account"]
        released = Account
        for code in DEMO_POOL_TIERS:
            tier = self.env.ref(f"customer_relationship.customer_tier_{code}")
            domain = [
                ("company_id", "=", pool.company_id.id),
                ("tier_id", "=", tier.id),
                ("user_id", "=", admin.id),
                ("loss_date", "=", False),
            ]
            released |= Account.search(
                [*domain, ("partner_id.visit_ids", "=", False)], order="value_rank desc", limit=1
            ) or Account.search(domain, order="value_rank desc", limit=1)
        if released:
            released.with_user(admin)._pool_release(
                pool, self.env._("Demo: handed back when the team started using the customer pool.")
            )
        # The team holds its customers since the pool started, DEMO_POOL_DAYS ago: customers of
        # the 30-day rule not contacted since are due back, those of 45 days are close.
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                "UPDATE customer_account SET owner_date = %s WHERE company_id = %s AND user_id IS NOT NULL",
                fields.Date.context_today(self) - timedelta(days=DEMO_POOL_DAYS),
                pool.company_id.id,
            )
        )
        self.env["customer.account"].invalidate_model(["owner_date"])
        self.env["customer.pool"]._refresh_dates(pool.company_id)
        # Last night's run went by: the customers due are in the pool, the close ones warned
        # (My Day shows no reclaim date already past).
        self.env["customer.pool"]._reclaim_company(pool.company_id, fields.Date.context_today(self))
