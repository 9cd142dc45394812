from odoo import api, models

# Demo customers of the main company released to the pool: the lowest-valued of each tier among
# the administrator's customers without visits (the demo salesperson's portfolio stays as it is).
DEMO_POOL_TIERS = ("gold", "iron", "lead")


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
        self.env["customer.pool"]._refresh_dates(pool.company_id)
