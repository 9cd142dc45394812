from odoo import api, models
from odoo.fields import Domain


class CustomerRelationshipDashboard(models.AbstractModel):
    _inherit = "customer.relationship.dashboard"

    @api.model
    def get_dashboard_data(self):
        """The customer pool's tiles (README, "Customer pool"), counted as their lists count."""
        data = super().get_dashboard_data()
        # Mine for everyone, managers included: what the user must contact this week to keep it.
        reclaim_week = (
            Domain("parent_id", "=", False)
            & Domain("customer_account_user_id", "=", self.env.uid)
            & Domain("pool_reclaim_soon", "=", True)
        )
        data["pool_reclaim_week"] = self.env["res.partner"].search_count(reclaim_week)
        # The pools' customers the user may read (their pools; managers, every pool).
        data["pool_customers"] = self.env["customer.account"].search_count([("customer_pool_id", "!=", False)])
        data["actions"]["pool_reclaim_week"] = self._tile_action(
            "customer_relationship.res_partner_customer_action",
            self.env._("Back to the pool this week"),
            {"my_customers": 1, "pool_reclaim_soon": 1},
        )
        data["actions"]["pool_customers"] = self._tile_action(
            "customer_relationship.customer_pool_account_action", self.env._("Customers in pool"), {}
        )
        return data
