from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain


class CustomerRelationshipDashboard(models.AbstractModel):
    _name = "customer.relationship.dashboard"
    _description = "Customer Relationship Dashboard"

    @api.model
    def get_dashboard_data(self):
        """The landing page's figures for the current company: the user's own portfolio, or
        every customer for those who see all customers. A handful of grouped queries."""
        company = self.env.company
        today = fields.Date.context_today(self)
        see_all = self.env.user.has_group("customer_relationship.group_customer_relationship_user_all")
        customers = Domain("parent_id", "=", False) & Domain("customer_tier_id", "!=", False)
        if not see_all:
            customers &= Domain("user_id", "=", self.env.uid)
        partners = self.env["res.partner"]
        tier_rows = partners._read_group(customers, ["customer_tier_id"], ["__count", "customer_value:sum"])
        total_value = sum(value or 0.0 for _tier, _count, value in tier_rows) or 1.0
        tiers = [
            {
                "id": tier.id,
                "name": tier.name,
                "color": tier.color,
                "count": count,
                "value": value or 0.0,
                "share": round(100 * (value or 0.0) / total_value, 1),
            }
            for tier, count, value in sorted(tier_rows, key=lambda row: (row[0].sequence, row[0].id))
        ]
        mine = Domain.TRUE if see_all else Domain("user_id", "=", self.env.uid)
        return {
            "currency": {"symbol": company.currency_id.symbol, "position": company.currency_id.position},
            "see_all": see_all,
            "tiers": tiers,
            "customer_count": sum(tier["count"] for tier in tiers),
            "churn_rate": self._quarter_churn_rate(mine, today),
            "overdue_visits": self.env["customer.visit"].search_count(
                mine & Domain("company_id", "=", company.id) & Domain("is_overdue", "=", True)
            ),
            "overdue_contacts": partners.search_count(customers & Domain("visit_overdue", "=", True)),
            "care_due_week": self.env["customer.care.action"].search_count(
                mine
                & Domain("company_id", "=", company.id)
                & Domain("state", "=", "scheduled")
                & Domain("due_date", ">=", today)
                & Domain("due_date", "<", today + timedelta(days=7))
            ),
            "relationship_below": partners.search_count(customers & Domain("relationship_gap", "=", "below")),
        }

    @api.model
    def _quarter_churn_rate(self, mine, today):
        """Customers churned since the quarter began, over those active when it began."""
        report = self.env["customer.retention.report"]
        quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        domain = mine & Domain("company_id", "=", self.env.company.id)
        [(active_start,)] = report._read_group(
            domain & Domain("month", "=", quarter_start), [], ["active_start_count:sum"]
        )
        [(churned,)] = report._read_group(domain & Domain("month", ">=", quarter_start), [], ["churned_count:sum"])
        return round(100 * churned / active_start, 1) if active_start else 0.0
